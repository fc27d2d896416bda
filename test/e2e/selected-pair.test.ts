import { execFileSync } from 'node:child_process';
import t from 'tap';
import type { Report } from '../../client/report.js';
import type { CandidateSummary } from '../../signaling/protocol.js';
import { runClient, startService, type ClientRun } from '../helpers/processes.js';

/**
 * The selected pair both peers report is one path: each side's local candidate
 * is the other's remote. It takes two local addresses to go wrong (a socket
 * that is not bound to its candidate's address sends to the other address
 * from that address: the peer sees a prflx, and the pair printed is not the
 * path), so the calls run in a network namespace of its own with loopback
 * and one more address; no NAT there, so the candidates must match exactly.
 * Both sides must also send on one pair: the one the controlling side nominated.
 */

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: the call runs in a network namespace of its own with two addresses');
  process.exit(0);
}

const ns = `pair-${process.pid}`;
const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'ignore' });
ip('netns', 'add', ns);
t.teardown(() => ip('netns', 'del', ns));
ip('-n', ns, 'link', 'set', 'lo', 'up');
ip('-n', ns, 'link', 'add', `pa${process.pid}`, 'type', 'veth', 'peer', 'name', `pb${process.pid}`);
ip('-n', ns, 'addr', 'add', '192.0.2.2/24', 'dev', `pa${process.pid}`);
ip('-n', ns, 'link', 'set', `pa${process.pid}`, 'up');
ip('-n', ns, 'link', 'set', `pb${process.pid}`, 'up');

const service = await startService([], { netns: ns });
t.teardown(() => service.stop());

function start(role: 'offerer' | 'answerer', room: string): ClientRun {
  const run = runClient(
    [
      '--role',
      role,
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
      '30',
    ],
    { netns: ns },
  );
  t.teardown(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

const path = (c: CandidateSummary | undefined): string =>
  c ? `${c.type} ${c.protocol} ${c.address}:${c.port}` : 'none';

// Each side sends on the pair it selected. With werift's aggressive nomination
// (USE-CANDIDATE on every check, before
// patches/werift+0.24.4+002+regular-nomination.patch) every pair that worked
// was nominated, each side took the first it saw succeed, and up to one call
// in four ended with each side sending on a different pair. One nominated pair
// per side is the deterministic check; several calls catch the race itself.
const CALLS = 5;

for (let call = 1; call <= CALLS; call++) {
  t.test(`call ${call}: both sides report the same pair: my local is your remote`, async (t) => {
    const answerer = start('answerer', `pair-${call}`);
    await answerer.waitFor(/registered as answerer/);
    const offerer = start('offerer', `pair-${call}`);
    const [o, a] = await Promise.all([offerer.result, answerer.result]);
    const offer = o.reports.at(-1) as Report;
    const answer = a.reports.at(-1) as Report;
    t.equal(o.code, 0, 'offerer exits 0');
    t.equal(a.code, 0, 'answerer exits 0');
    const addresses = new Set(offer.candidates.local.map((c) => c.address));
    t.ok(addresses.has('127.0.0.1') && addresses.has('192.0.2.2'), 'two local addresses to choose from');
    t.ok(offer.selectedPair && answer.selectedPair, 'both report a pair');
    t.equal(path(offer.selectedPair?.local), path(answer.selectedPair?.remote), "offerer's local is answerer's remote");
    t.equal(path(answer.selectedPair?.local), path(offer.selectedPair?.remote), "answerer's local is offerer's remote");
    for (const [side, report] of [
      ['offerer', offer],
      ['answerer', answer],
    ] as const) {
      const nominated = report.pairs.filter((p) => p.nominated);
      t.equal(nominated.length, 1, `${side}: one pair nominated (regular nomination), of ${report.pairs.length}`);
      t.equal(
        path(nominated[0]?.local),
        path(report.selectedPair?.local),
        `${side}: the nominated pair is the selected one`,
      );
    }
    // What the wire saw: the data went out on the selected pair, and came in on it from its remote.
    for (const [side, report, run] of [
      ['offerer', offer, o],
      ['answerer', answer, a],
    ] as const) {
      t.ok((report.selectedPair?.packetsSent ?? 0) > 0, `${side}: data packets sent on the selected pair`);
      t.ok((report.selectedPair?.packetsReceived ?? 0) > 0, `${side}: data packets received on it`);
      t.equal(report.selectedPair?.packetsElsewhere, 0, `${side}: no data arrived on another pair`);
      t.match(run.stderr, /on the wire: \d+ data packets sent on the selected pair, \d+ received on it from /);
    }
    t.type(offer.selectedPair?.rttMs, 'number', 'offerer: rtt kept');
    t.type(answer.selectedPair?.rttMs, 'number', 'answerer: rtt kept');
  });
}
