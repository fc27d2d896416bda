import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { coturnForFile } from '../helpers/coturn.js';
import { newRoom, outcomeOf, peerArgs, serviceWith, startPeer, call, type Outcome } from './turn-calls.js';

/**
 * The verdict of a call whose relay was refused, end to end with real
 * coturn, bin/signaling and two bin/client: the TURN error by code, the
 * credential's expiry against the local clock, and the joint line both
 * sides print from each other's `report` messages.
 */

const SECRET = `secret-${process.pid}`;
const { skip, coturn } = await coturnForFile({ secret: SECRET }, { moreListeningIps: ['127.0.0.2'] });

interface NatReport {
  turnErrors: Array<{ url: string; code: number; reason: string }>;
  verdict: { path: unknown; matchesPrediction: boolean | null; explanation: string } | null;
  peerReport: { role: string } | null;
  joint: string | null;
  nat: { method: string } | null;
  prediction: { direct: string } | null;
}
const natOf = (outcome: Outcome): NatReport => outcome.report as unknown as NatReport;

t.test(
  'TURN refused (wrong secret): a credential error with its code, on both sides, one joint line',
  { skip },
  async (t) => {
    const server = coturn!;
    const service = await serviceWith(t, [
      '--stun',
      server.stunUrl,
      '--turn',
      server.turnUrl('udp'),
      '--turn-secret',
      'wrong',
    ]);
    const { offerer, answerer } = await call(t, service, { both: ['--with-turn', '--relay-only'], timeoutS: 20 });
    for (const [role, outcome] of [
      ['offerer', offerer],
      ['answerer', answerer],
    ] as const) {
      const report = natOf(outcome);
      t.equal(outcome.code, 4, `${role} exits 4`);
      // The offerer fails at once (no relay, --relay-only) and may leave before our answer reaches it.
      t.equal(outcome.report?.error?.code, 'ice_failed', `${role}: ICE failed, not a peer that left`);
      t.notMatch(outcome.stderr, /waiting for it to call again/, `${role}: no wait for a peer that gave up`);
      t.match(
        report.turnErrors,
        [{ url: server.turnUrl('udp'), code: 401, reason: 'Unauthorized' }],
        `${role}: 401 by code`,
      );
      t.match(
        report.verdict?.explanation,
        /TURN refused: turn:127.0.0.1:\d+: 401 Unauthorized — unauthorized: wrong username or password, or an expired TURN REST credential \(the TURN REST credential was valid for \d+ s more by this machine's clock .*: a wrong secret, or the server's clock differs\)/,
        `${role}: explained as a credential error, not expiry`,
      );
      t.equal(report.nat?.method, 'rfc5780', `${role}: measured by RFC 5780`);
      t.equal(report.prediction?.direct, 'unlikely', `${role}: --relay-only predicts the relay`);
      t.equal(report.peerReport?.role, role === 'offerer' ? 'answerer' : 'offerer', `${role}: has the peer's report`);
      t.match(report.joint, /^joint: FAILED on both sides/);
      t.match(outcome.stderr, /warn: joint: FAILED on both sides/);
    }
    t.equal(natOf(offerer).joint, natOf(answerer).joint, 'both sides print the same joint line');
  },
);

t.test('an expired TURN credential (--turn-ttl-s 1 and a wait): explained as expiry', { skip }, async (t) => {
  const server = coturn!;
  const service = await serviceWith(t, ['--turn', server.turnUrl('udp'), '--turn-secret', SECRET, '--turn-ttl-s', '1']);
  const room = newRoom('expiry');
  const common = peerArgs(service, room, 20);
  const answerer = startPeer(t, ['--role', 'answerer', ...common, '--with-turn', '--relay-only']);
  await answerer.waitFor(/registered as answerer/);
  // Its credential expires 1 s after registration; it allocates only when the offer comes.
  await sleep(2_500);
  const offerer = startPeer(t, ['--role', 'offerer', ...common, '--with-turn']);
  const [o, a] = await Promise.all([outcomeOf(offerer), outcomeOf(answerer)]);
  const report = natOf(a);
  t.not(a.code, 0, 'the answerer cannot connect');
  t.match(report.turnErrors, [{ code: 401 }], 'coturn refused it: 401');
  t.match(
    report.verdict?.explanation,
    /401 Unauthorized .*\(the TURN REST credential expired \d+ s before the allocation by this machine's clock/,
    'explained as expiry against the local clock',
  );
  t.match(natOf(o).joint ?? '', /^joint: /, 'the offerer prints a joint line too');
  t.match(natOf(o).peerReport, { role: 'answerer' });
});
