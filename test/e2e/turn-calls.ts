import { performance } from 'node:perf_hooks';
import type { Test } from 'tap';
import type { Report } from '../../client/report.js';
import type { CandidateSummary } from '../../signaling/protocol.js';
import { runClient, startService, type ClientRun, type Service } from '../helpers/processes.js';

/**
 * What the STUN/TURN end-to-end tests share: a call between two real
 * bin/client processes through a real bin/signaling, and the parts of the
 * `--json` report they read.
 */

export interface Outcome {
  code: number | null;
  /** The last report on stdout; undefined when there was none (bad flags). */
  report: Report | undefined;
  stderr: string;
  /** From spawning the process to its exit. */
  elapsedMs: number;
}

let rooms = 0;

/** A fresh room name per call, so calls never meet each other's peers. */
export const newRoom = (prefix: string): string => `${prefix}-${process.pid}-${++rooms}`;

/** Quick but complete: 5 pings 100 ms apart, no audio, a deadline with room for a loaded machine. */
export function peerArgs(service: Service, room: string, timeoutS = 60): string[] {
  return [
    '--signaling-addr',
    service.url,
    '--room',
    room,
    '--json',
    '--interval-ms',
    '100',
    '--audio',
    'none',
    '--timeout-s',
    String(timeoutS),
  ];
}

/** One bin/client, killed at teardown if it is still running. */
export function startPeer(t: Test, args: string[]): ClientRun & { startedAt: number } {
  const startedAt = performance.now();
  const run = runClient(args);
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return Object.assign(run, { startedAt });
}

export async function outcomeOf(run: ClientRun & { startedAt: number }): Promise<Outcome> {
  const result = await run.result;
  return {
    code: result.code,
    report: result.reports[result.reports.length - 1],
    stderr: result.stderr,
    elapsedMs: performance.now() - run.startedAt,
  };
}

/**
 * A call: the answerer registers first, then the offerer calls. `both` goes to
 * both peers after the common flags, `offerer`/`answerer` to one of them.
 */
export async function call(
  t: Test,
  service: Service,
  flags: { both?: string[]; offerer?: string[]; answerer?: string[]; timeoutS?: number; room?: string },
): Promise<{ offerer: Outcome; answerer: Outcome }> {
  const room = flags.room ?? newRoom('turn');
  const common = peerArgs(service, room, flags.timeoutS);
  const answerer = startPeer(t, ['--role', 'answerer', ...common, ...(flags.both ?? []), ...(flags.answerer ?? [])]);
  await answerer.waitFor(/registered as answerer/);
  const offerer = startPeer(t, ['--role', 'offerer', ...common, ...(flags.both ?? []), ...(flags.offerer ?? [])]);
  const [o, a] = await Promise.all([outcomeOf(offerer), outcomeOf(answerer)]);
  const { exitCode, signalCode } = service.child;
  if (exitCode !== null || signalCode !== null)
    t.comment(`bin/signaling exited during the call (${String(exitCode ?? signalCode)}):\n${service.lines.join('\n')}`);
  return { offerer: o, answerer: a };
}

/** The exchange completed: exit 0, ok, 5/5 pings, a selected pair. */
export function assertCompleted(t: Test, role: string, outcome: Outcome): Report | undefined {
  const { code, report, stderr } = outcome;
  t.equal(code, 0, `${role} exits 0`);
  if (!report) {
    t.fail(`${role} printed no report:\n${stderr}`);
    return undefined;
  }
  t.equal(report.ok, true, `${role}: report ok`);
  t.equal(report.error, null, `${role}: no error`);
  t.same(
    report.dataChannel && [report.dataChannel.sent, report.dataChannel.received],
    [5, 5],
    `${role}: 5/5 pings answered`,
  );
  t.ok(report.selectedPair, `${role}: a selected pair`);
  t.comment(
    `${role}: exit ${String(code)} after ${(outcome.elapsedMs / 1000).toFixed(1)} s; pair ${describeCandidate(report.selectedPair?.local)} <-> ${describeCandidate(report.selectedPair?.remote)}; verdicts ${JSON.stringify(report.gathering.verdicts)}`,
  );
  if (code !== 0) t.comment(`${role} stderr:\n${stderr}`);
  return report;
}

/** `type address:port` for messages. */
export const describeCandidate = (c: CandidateSummary | undefined): string =>
  c ? `${c.type} ${c.protocol} ${c.address}:${c.port}` : 'none';

export const pairTypes = (report: Report | undefined): [string, string] | null =>
  report?.selectedPair ? [report.selectedPair.local.type, report.selectedPair.remote.type] : null;

/** bin/signaling with these flags, stopped when the test ends. */
export async function serviceWith(t: Test, args: string[]): Promise<Service> {
  const service = await startService(args);
  t.teardown(() => service.stop());
  return service;
}
