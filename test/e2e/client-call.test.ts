import t, { type Test } from 'tap';
import type { Report } from '../../client/report.js';
import { SignalingClient } from '../../client/signaling-client.js';
import { captureLog } from '../helpers/call-harness.js';
import { runClient, startService, type ClientRun } from '../helpers/processes.js';

/**
 * bin/signaling and two bin/client processes on loopback: the calls that
 * should succeed. Deadlines are generous (a shared 2-core machine); nothing
 * about speed is asserted here (bench/connect.ts measures that).
 */

const service = await startService();
t.teardown(() => service.stop());
let rooms = 0;
const room = (): string => `e2e-call-${++rooms}`;

/** Quick but complete: 5 pings 100 ms apart, no audio. */
const common = (r: string): string[] => [
  '--signaling-addr',
  service.url,
  '--room',
  r,
  '--json',
  '--interval-ms',
  '100',
  '--audio',
  'none',
  '--timeout-s',
  '30',
];

function start(role: 'offerer' | 'answerer', r: string, extra: string[] = []): ClientRun {
  const run = runClient(['--role', role, ...common(r), ...extra]);
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

async function finished(run: ClientRun): Promise<{ code: number | null; report: Report; stderr: string }> {
  const result = await run.result;
  return { code: result.code, report: result.reports[result.reports.length - 1] as Report, stderr: result.stderr };
}

function assertCompleted(
  t: Test,
  role: string,
  outcome: { code: number | null; report: Report; stderr: string },
): void {
  const { code, report, stderr } = outcome;
  t.equal(code, 0, `${role} exits 0`);
  t.equal(report.ok, true, `${role} ok`);
  t.equal(report.error, null, `${role}: no error`);
  t.equal(report.role, role.split(' ')[0], `${role}: role`);
  t.ok(
    report.candidates.local.some((c) => c.type === 'host'),
    `${role}: local host candidates`,
  );
  t.ok(report.candidates.remote.length > 0, `${role}: remote candidates`);
  t.ok(report.selectedPair, `${role}: selected pair`);
  t.same(
    report.dataChannel && {
      label: report.dataChannel.label,
      sent: report.dataChannel.sent,
      received: report.dataChannel.received,
    },
    { label: 'chat', sent: 5, received: 5 },
    `${role}: 5/5 pings`,
  );
  t.match(stderr, /local {2}candidate {2}host /, `${role} logs candidates`);
  t.match(stderr, /selected pair {2}/, `${role} logs the selected pair`);
  t.match(stderr, /left the room/, `${role} leaves the room`);
}

t.test('answerer first, then offerer: both complete, audio included', async (t) => {
  const r = room();
  const audio = ['--audio', 'tone', '--duration-s', '1.5'];
  const answerer = start('answerer', r, audio);
  await answerer.waitFor(/registered as answerer/);
  const offerer = start('offerer', r, audio);
  const [o, a] = await Promise.all([finished(offerer), finished(answerer)]);
  assertCompleted(t, 'offerer', o);
  assertCompleted(t, 'answerer', a);
  for (const [role, outcome, sentHz] of [
    ['offerer', o, 440],
    ['answerer', a, 660],
  ] as const) {
    const audioReport = outcome.report.audio;
    t.equal(audioReport?.codec, 'opus/48000/2', `${role}: Opus negotiated`);
    t.equal(audioReport?.sent.toneHz, sentHz, `${role}: sent its tone`);
    t.ok((audioReport?.sent.packets ?? 0) >= 50, `${role}: sent at least a second of audio`);
    t.ok((audioReport?.received.packets ?? 0) >= 50, `${role}: received at least a second of audio`);
    t.type(audioReport?.received.dominantHz, 'number', `${role}: a frequency was detected (reported, not judged)`);
  }
});

t.test('offerer first, then answerer: the offerer waits, then calls', async (t) => {
  const r = room();
  const offerer = start('offerer', r);
  await offerer.waitFor(/waiting for answerer to join/);
  const answerer = start('answerer', r);
  const [o, a] = await Promise.all([finished(offerer), finished(answerer)]);
  assertCompleted(t, 'offerer', o);
  assertCompleted(t, 'answerer', a);
});

t.test('the answerer leaves before answering: the offerer waits for it to come back and calls again', async (t) => {
  const r = room();
  const { log } = captureLog();
  // A stand-in answerer that takes the offer and leaves without answering.
  const standIn = new SignalingClient(service.url, { log });
  t.teardown(() => standIn.destroy());
  await standIn.register(r, 'answerer', {});
  const offerer = start('offerer', r);
  for (let after = 0; ;) {
    const messages = await standIn.poll(after, 5_000);
    after = messages[messages.length - 1]?.seq ?? after;
    if (messages.some((m) => m.type === 'offer')) break;
  }
  await standIn.leave();
  await offerer.waitFor(/waiting up to 30 s for it to come back/);
  const answerer = start('answerer', r);
  const [o, a] = await Promise.all([finished(offerer), finished(answerer)]);
  assertCompleted(t, 'offerer', o);
  assertCompleted(t, 'answerer', a);
  t.match(o.stderr, /answerer left the room \(left\) before the connection was up/);
});

t.test('--forever: the answerer takes one call after another until SIGTERM', async (t) => {
  const r = room();
  const answerer = start('answerer', r, ['--forever']);
  await answerer.waitFor(/waiting for an offer/);
  const first = await finished(start('offerer', r));
  assertCompleted(t, 'offerer (first call)', first);
  await answerer.waitFor(/waiting for the next call/);
  const second = await finished(start('offerer', r));
  assertCompleted(t, 'offerer (second call)', second);
  answerer.child.kill('SIGTERM');
  const result = await answerer.result;
  t.equal(result.code, 143, 'SIGTERM: 128 + 15');
  const reports = result.reports;
  t.equal(reports.length, 3, 'one report per call, and one for the interrupted wait');
  t.same(
    reports.slice(0, 2).map((x) => [x.ok, x.dataChannel?.received]),
    [
      [true, 5],
      [true, 5],
    ],
  );
  t.equal(reports[2]?.error?.code, 'terminated');
  t.match(result.stderr, /left the room/);
});

t.test('a name still held by a live peer: wait for its lease, then register', async (t) => {
  const r = room();
  const { log } = captureLog();
  const holder = new SignalingClient(service.url, { log });
  t.teardown(() => holder.destroy());
  await holder.register(r, 'offerer', {});
  const offerer = start('offerer', r);
  await offerer.waitFor(/the name offerer is held by a live peer/);
  await holder.leave();
  await offerer.waitFor(/registered as offerer/);
  const answerer = start('answerer', r);
  const [o, a] = await Promise.all([finished(offerer), finished(answerer)]);
  assertCompleted(t, 'offerer', o);
  assertCompleted(t, 'answerer', a);
});
