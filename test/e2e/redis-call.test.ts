/**
 * The peer CLI completes a call with its two peers registered on different
 * service instances that share one Redis: every offer, answer and candidate
 * crosses instances. Deadlines are generous (a shared 2-core machine).
 */
import t from 'tap';
import { redisSkipReason, startRedis } from '../helpers/redis.js';
// The bins run outside tap's loader (see test/helpers/processes.ts), as users run them.
import { runClient, startService, type ClientRun } from '../helpers/processes.js';

t.test('a call between peers on two instances completes', { skip: redisSkipReason() }, async (t) => {
  const redis = await startRedis();
  t.teardown(redis.stop);
  const flags = ['--store', redis.url(0)];
  const [a, b] = await Promise.all([startService(flags), startService(flags)]);
  t.teardown(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  const start = (role: 'offerer' | 'answerer', url: string): ClientRun => {
    const run = runClient([
      '--role',
      role,
      '--signaling-addr',
      url,
      '--room',
      'across',
      '--json',
      '--messages',
      '3',
      '--interval-ms',
      '100',
      '--audio',
      'none',
      '--timeout-s',
      '30',
    ]);
    t.teardown(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    });
    return run;
  };
  const answerer = start('answerer', a.url);
  await answerer.waitFor(/registered as answerer/);
  const offerer = start('offerer', b.url);
  const results = await Promise.all([offerer.result, answerer.result]);
  for (const [role, result] of [
    ['offerer', results[0]],
    ['answerer', results[1]],
  ] as const) {
    const report = result.reports.at(-1);
    t.equal(result.code, 0, `${role} exits 0`);
    t.equal(report?.ok, true, `${role} reports ok`);
    t.equal(report?.error, null, `${role}: no error`);
    t.same(
      report?.dataChannel && { sent: report.dataChannel.sent, received: report.dataChannel.received },
      { sent: 3, received: 3 },
      `${role}: 3/3 pings`,
    );
  }
});
