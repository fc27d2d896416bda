import { createServer } from 'node:net';
import { once } from 'node:events';
import t from 'tap';
import type { Report } from '../../client/report.js';
import { SignalingClient, type MailboxMessage } from '../../client/signaling-client.js';
import { captureLog } from '../helpers/call-harness.js';
import { runClient, startService, type ClientRun } from '../helpers/processes.js';

/**
 * bin/client when things go wrong, as real processes: each failure has its
 * exit code (CLI.md) and a report that says what was learned.
 */

const service = await startService();
t.teardown(() => service.stop());
let rooms = 0;
const room = (): string => `e2e-fail-${++rooms}`;

function start(args: string[]): ClientRun {
  const run = runClient(args);
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

const peer = (role: 'offerer' | 'answerer', r: string, extra: string[] = []): ClientRun =>
  start(['--role', role, '--signaling-addr', service.url, '--room', r, '--json', '--audio', 'none', ...extra]);

const reportOf = (result: Awaited<ClientRun['result']>): Report => result.reports[result.reports.length - 1] as Report;

/** A peer of the test's own in the room, to watch who joins and leaves. */
async function observer(r: string): Promise<{ next: (type: string, from: string) => Promise<MailboxMessage> }> {
  const { log } = captureLog();
  const client = new SignalingClient(service.url, { log });
  t.teardown(() => client.destroy());
  await client.register(r, 'observer', {});
  let after = 0;
  const seen: MailboxMessage[] = [];
  return {
    next: async (type, from) => {
      for (;;) {
        const found = seen.findIndex((m) => m.type === type && m.from === from);
        if (found >= 0) return seen.splice(found, 1)[0]!;
        const messages = await client.poll(after, 5_000);
        after = messages[messages.length - 1]?.seq ?? after;
        seen.push(...messages);
      }
    },
  };
}

t.test('bad flags: exit 2, a message, no report', async (t) => {
  for (const args of [
    ['--role', 'caller'],
    ['--role', 'offerer', '--messages', 'many'],
    ['--role', 'offerer', '--relay-only'],
    ['--role', 'offerer', '--no-such-flag'],
    ['--role', 'offerer', '--audio', 'song.mp3'],
  ]) {
    const result = await start(args).result;
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, /^client: [\s\S]+\nRun bin\/client --help for the flags\.\n$/, 'says why on stderr');
    t.equal(result.stdout, '', 'nothing on stdout');
  }
  const help = await start(['--help']).result;
  t.equal(help.code, 0);
  t.match(help.stdout, /--signaling-addr/);
});

t.test('the service unreachable: retried, then exit 3; credentials in its URL never printed', async (t) => {
  // A port that refuses connections: bind one, note it, close it.
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  const result = await start([
    '--role',
    'offerer',
    '--signaling-addr',
    `http://lab:s3cret-pw@127.0.0.1:${port}`,
    '--json',
    '--timeout-s',
    '2',
  ]).result;
  t.equal(result.code, 3);
  t.equal(reportOf(result).error?.code, 'signaling_unreachable');
  t.match(result.stderr, /not answering .*retrying/);
  t.notMatch(`${result.stdout}${result.stderr}`, /s3cret-pw/, 'the password is neither logged nor reported');
  t.equal(
    reportOf(result).signalingAddr,
    `http://***:***@127.0.0.1:${port}/`,
    'the report names the service, redacted',
  );
});

t.test('--relay-only when the service hands out no TURN server: exit 2 after registering', async (t) => {
  const result = await peer('offerer', room(), ['--relay-only', '--with-turn']).result;
  t.equal(result.code, 2);
  t.equal(reportOf(result).error?.code, 'no_turn_server');
  t.match(result.stderr, /left the room/);
});

t.test('an offer from a stranger is declined: the caller exits 5', async (t) => {
  const r = room();
  const watch = await observer(r);
  const answerer = peer('answerer', r, ['--peer', 'alice']);
  await answerer.waitFor(/waiting for an offer from alice/);
  // Seen, so that its leaving is announced (a peer that comes and goes unseen leaves no trace: docs/PROTOCOL.md).
  await watch.next('peer-joined', 'answerer');
  const stranger = await peer('offerer', r, ['--id', 'mallory']).result;
  t.equal(stranger.code, 5);
  t.equal(reportOf(stranger).error?.code, 'declined');
  t.match(answerer.lines.join('\n'), /offer from mallory, not from alice: declined/);

  // The answerer is still waiting for alice: Ctrl-C ends it with 130, and it leaves the room first.
  answerer.child.kill('SIGINT');
  const interrupted = await answerer.result;
  t.equal(interrupted.code, 130);
  t.equal(reportOf(interrupted).error?.code, 'interrupted');
  const left = await watch.next('peer-left', 'answerer');
  t.same(left.data, { reason: 'left' }, 'it left (not expired)');
});

t.test('SIGINT mid-call: 130, and the peer left the room', async (t) => {
  const r = room();
  const watch = await observer(r);
  const answerer = peer('answerer', r, ['--messages', '100', '--interval-ms', '200']);
  const offerer = peer('offerer', r, ['--messages', '100', '--interval-ms', '200']);
  await offerer.waitFor(/pong 1\/100 received/);
  await watch.next('peer-joined', 'offerer');
  offerer.child.kill('SIGINT');
  const result = await offerer.result;
  t.equal(result.code, 130);
  t.equal(reportOf(result).error?.code, 'interrupted');
  t.ok((reportOf(result).dataChannel?.received ?? 0) >= 1, 'the report keeps what was exchanged');
  t.same((await watch.next('peer-left', 'offerer')).data, { reason: 'left' });
  const other = await answerer.result;
  t.equal(other.code, 1, 'the answerer sees its peer go and exits 1');
  t.equal(reportOf(other).error?.code, 'peer_left');
});

t.test('the answerer killed mid-call (SIGKILL): the offerer notices the silence and exits 1', async (t) => {
  const r = room();
  const answerer = peer('answerer', r, ['--messages', '100', '--interval-ms', '200']);
  const offerer = peer('offerer', r, ['--messages', '100', '--interval-ms', '200', '--timeout-s', '20']);
  await offerer.waitFor(/pong 2\/100 received/);
  answerer.child.kill('SIGKILL');
  const result = await offerer.result;
  t.equal(result.code, 1);
  const report = reportOf(result);
  t.equal(report.error?.code, 'peer_silent');
  t.match(report.error?.message, /nothing from answerer for \d+\.\d s/);
  t.ok((report.dataChannel?.received ?? 0) >= 2, 'what arrived before is reported');
  t.equal(report.ok, false);
});

t.test('no peer ever comes: exit 4 at --timeout-s, with what was learned', async (t) => {
  const result = await peer('offerer', room(), ['--timeout-s', '1']).result;
  t.equal(result.code, 4);
  const report = reportOf(result);
  t.equal(report.error?.code, 'timeout');
  t.match(report.error?.message, /answerer did not join room e2e-fail-\d+ within 1 s/);
  t.type(report.timingsMs.registered, 'number');
});
