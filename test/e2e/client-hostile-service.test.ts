import { performance } from 'node:perf_hooks';
import t, { type Test } from 'tap';
import { MAX_REMOTE_CANDIDATES } from '../../client/candidate-cap.js';
import type { Report } from '../../client/report.js';
import { fakeCandidate, makeOffer } from '../helpers/hostile-offer.js';
import {
  json,
  messages,
  startHostileService,
  type HostilePlan,
  type HostileService,
} from '../helpers/hostile-service.js';
import { runClient, type ClientRun } from '../helpers/processes.js';

/**
 * bin/client against a service that answers what it should not: every answer
 * that is not protocol v1 is named (content type, first bytes), a poll's is
 * retried, a register's is exit 3, and `--timeout-s` holds however much or
 * little comes back.
 */

/**
 * How long past `--timeout-s` (counted from registration, as the deadline is)
 * a run may take to exit: leaving the room (at most 2 s against a service
 * that never answers), closing werift, and a loaded machine's slack.
 */
const EXIT_MARGIN_MS = 4_500;

async function hostile(t: Test, plan: HostilePlan): Promise<HostileService> {
  const service = await startHostileService(plan);
  t.teardown(() => service.close());
  return service;
}

function client(t: Test, service: HostileService, role: 'offerer' | 'answerer', extra: string[] = []): ClientRun {
  const run = runClient([
    '--role',
    role,
    '--id',
    'me',
    '--peer',
    'peer',
    '--signaling-addr',
    service.url,
    '--audio',
    'none',
    '--json',
    '--messages',
    '1',
    ...extra,
  ]);
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

const reportOf = (result: Awaited<ClientRun['result']>): Report => result.reports.at(-1) as Report;

/** Runs to the end; how long after registration (the deadline's start) it exited. */
async function timed(run: ClientRun): Promise<{ result: Awaited<ClientRun['result']>; afterRegisteredMs: number }> {
  const registered = run.waitFor(/registered as me/).then(() => performance.now());
  const result = await run.result;
  return { result, afterRegisteredMs: performance.now() - (await registered) };
}

t.test('a register reply that is not this protocol: exit 3, says what came back', async (t) => {
  const replies = [
    {
      what: 'text/plain',
      reply: { status: 201, contentType: 'text/plain', body: 'Created' },
      shows: /text\/plain.*"Created"/,
    },
    { what: 'wrong shape', reply: json({ token: 5, peers: null }, 201), shows: /application\/json.*token\\?":5/ },
    {
      what: 'a captive portal',
      reply: { status: 201, contentType: 'text/html', body: '<html><body>Please log in</body></html>' },
      shows: /text\/html.*<html>/,
    },
  ];
  for (const { what, reply, shows } of replies) {
    const service = await hostile(t, { register: () => reply });
    const result = await client(t, service, 'offerer').result;
    t.equal(result.code, 3, `${what}: exit 3`);
    t.match(result.stderr, `the service at ${service.url} answered something that is not this protocol`, what);
    t.match(result.stderr, shows, `${what}: quotes the content type and first bytes`);
    t.notMatch(result.stderr, /TypeError/, `${what}: no raw TypeError`);
    t.equal(reportOf(result).error?.code, 'signaling_protocol', `${what}: report code`);
    t.same(service.seen.filter((s) => s.endsWith('register')).length, 1, `${what}: not retried`);
  }
});

t.test('a register that is never answered: exit 3 within --timeout-s', async (t) => {
  const service = await hostile(t, { register: () => 'hang' });
  const started = performance.now();
  const result = await client(t, service, 'offerer', ['--timeout-s', '2']).result;
  const tookMs = performance.now() - started;
  t.equal(result.code, 3);
  t.equal(reportOf(result).error?.code, 'signaling_unreachable');
  t.comment(`exited ${Math.round(tookMs)} ms after start with --timeout-s 2`);
  t.ok(tookMs < 2_000 + EXIT_MARGIN_MS, `exited within ${EXIT_MARGIN_MS} ms of --timeout-s (${Math.round(tookMs)} ms)`);
});

t.test('malformed 200 polls are retried, and the mailbox loop goes on', async (t) => {
  const bad = [
    {
      what: 'HTML',
      reply: { status: 200, contentType: 'text/html', body: '<!doctype html><title>Wi-Fi login</title>' },
      shows: /text\/html.*doctype/,
    },
    { what: 'messages: null', reply: json({ messages: null }), shows: /\{\\"messages\\":null\}/ },
    {
      what: 'a message without a seq',
      reply: json({ messages: [{ type: 'bye', from: 'peer' }] }),
      shows: /not this protocol/,
    },
    {
      what: 'truncated',
      reply: { truncate: '{"messages":[{"seq"', length: 4096 },
      shows: /cut short|terminated|closed/i,
    },
    { what: 'huge', reply: json({ messages: 'x'.repeat(20 * 1024 * 1024) }), shows: /20971\d+ bytes/ },
  ];
  for (const { what, reply, shows } of bad) {
    // Three bad answers, then the peer declines: only a loop that survived them hears it.
    const service = await hostile(t, {
      peers: ['peer'],
      poll: (i) => (i < 3 ? reply : i === 3 ? messages([{ type: 'bye', data: { reason: 'declined' } }]) : undefined),
    });
    const result = await client(t, service, 'offerer', ['--timeout-s', '20']).result;
    t.equal(result.code, 5, `${what}: the bye after the bad answers was heard (exit 5)`);
    t.match(result.stderr, /mailbox poll failed/, `${what}: logged`);
    t.match(result.stderr, shows, `${what}: says what came back`);
    t.notMatch(result.stderr, /mailbox loop stopped/, `${what}: the loop did not stop`);
  }
});

t.test('a poll that never answers and a leave that hangs: --timeout-s holds', async (t) => {
  const service = await hostile(t, { peers: ['peer'], poll: () => 'hang', leave: () => 'hang' });
  const { result, afterRegisteredMs } = await timed(client(t, service, 'offerer', ['--timeout-s', '3']));
  t.equal(result.code, 4);
  t.equal(reportOf(result).error?.code, 'timeout');
  t.comment(`exited ${Math.round(afterRegisteredMs - 3_000)} ms past the deadline`);
  t.ok(afterRegisteredMs < 3_000 + EXIT_MARGIN_MS, `within ${EXIT_MARGIN_MS} ms of --timeout-s`);
});

t.test('10,000 candidates in one poll: capped, said once, --timeout-s holds', async (t) => {
  const offer = await makeOffer();
  const flood = Array.from({ length: 10_000 }, (_, i) => ({
    type: 'candidate',
    data: { ...fakeCandidate(i), usernameFragment: offer.ufrag },
  }));
  const service = await hostile(t, {
    peers: ['peer'],
    poll: (i) =>
      i === 0 ? messages([{ type: 'offer', data: { type: 'offer', sdp: offer.sdp } }, ...flood]) : undefined,
  });
  const { result, afterRegisteredMs } = await timed(client(t, service, 'answerer', ['--timeout-s', '5']));
  t.equal(result.code, 4, 'not connected: exit 4');
  const dropped = 10_000 - MAX_REMOTE_CANDIDATES;
  t.match(result.stderr, `sent more than ${MAX_REMOTE_CANDIDATES} candidates in this call: ignored ${dropped} of them`);
  t.equal(result.stderr.split('candidates in this call').length - 1, 1, 'said once');
  t.ok(reportOf(result).candidates.remote.length <= MAX_REMOTE_CANDIDATES, 'the report holds no more than the cap');
  t.comment(`exited ${Math.round(afterRegisteredMs - 5_000)} ms past the deadline`);
  t.ok(afterRegisteredMs < 5_000 + EXIT_MARGIN_MS, `within ${EXIT_MARGIN_MS} ms of --timeout-s`);
});
