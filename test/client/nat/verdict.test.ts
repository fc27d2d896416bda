import t from 'tap';
import { jointLine } from '../../../client/nat/joint.js';
import { judgeCall, type CallFacts } from '../../../client/nat/verdict.js';
import type { PairSummary, ReportSummary } from '../../../signaling/protocol.js';

const cand = (type: string, address = '10.0.0.2', port = 5000) => ({ type, protocol: 'udp', address, port });
const pair = (sent: number, answered: number, received = 0): PairSummary => ({
  local: cand('host'),
  remote: cand('srflx', '203.0.113.102', 4000),
  state: answered > 0 ? 'succeeded' : 'failed',
  nominated: false,
  requestsSent: sent,
  retransmissionsSent: 0,
  responsesReceived: answered,
  requestsReceived: received,
  rttMs: null,
});
const facts = (over: Partial<CallFacts>): CallFacts => ({
  role: 'offerer',
  ok: true,
  error: null,
  selectedPair: { local: cand('host'), remote: cand('srflx') },
  relayProtocol: 'udp',
  candidates: { local: [cand('host'), cand('srflx')], remote: [cand('host'), cand('srflx')] },
  pairs: [],
  prediction: { direct: 'likely', reason: 'both easy' },
  turnErrors: [],
  credential: undefined,
  hadTurn: true,
  ...over,
});
const failed = { ok: false, error: { code: 'timeout', message: 'not connected after 30 s' }, selectedPair: null };

t.test('a working call: the path, whose relay, and the prediction', async (t) => {
  const direct = judgeCall(facts({}));
  t.same(direct.path, { local: 'host', remote: 'srflx', protocol: 'udp', relayedBy: null });
  t.equal(direct.matchesPrediction, true);
  t.equal(direct.explanation, 'direct, host -> srflx over udp, as predicted');

  const relayed = judgeCall(
    facts({ selectedPair: { local: cand('relay'), remote: cand('srflx') }, relayProtocol: 'tcp' }),
  );
  t.same(relayed.path, { local: 'relay', remote: 'srflx', protocol: 'tcp', relayedBy: 'offerer' });
  t.equal(relayed.matchesPrediction, false);
  t.match(
    relayed.explanation,
    /^relayed by the offerer's TURN server \(TURN over tcp\), relay -> srflx, not as predicted \(predicted direct likely\)$/,
  );
  const theirs = judgeCall(
    facts({
      selectedPair: { local: cand('host'), remote: cand('relay') },
      prediction: { direct: 'unlikely', reason: '' },
    }),
  );
  t.equal(theirs.path?.relayedBy, 'answerer');
  t.equal(theirs.matchesPrediction, true);
  t.equal(judgeCall(facts({ selectedPair: { local: cand('relay'), remote: cand('relay') } })).path?.relayedBy, 'both');
  t.equal(judgeCall(facts({ prediction: null })).matchesPrediction, null);
  t.equal(judgeCall(facts({ prediction: { direct: 'unknown', reason: '' } })).matchesPrediction, null);
});

t.test('each failure class is explained with its figures', async (t) => {
  const filtered = judgeCall(facts({ ...failed, pairs: [pair(3, 0, 0), pair(2, 0, 0)] }));
  t.equal(filtered.path, null);
  t.equal(filtered.matchesPrediction, false, 'direct was likely and did not form');
  t.match(
    filtered.explanation,
    /2 pairs checked, 5 checks sent, none answered, 0 received from the peer: the checks were filtered on the way/,
  );

  const answeredButNot = judgeCall(facts({ ...failed, pairs: [pair(3, 1), pair(2, 0)] }));
  t.match(
    answeredButNot.explanation,
    /2 pairs checked, 5 checks sent, 1 answered \(1 pairs got no answer at all\), yet no pair was selected/,
  );

  const noPairs = judgeCall(facts({ ...failed, pairs: [] }));
  t.match(noPairs.explanation, /no candidate pair was formed/);

  const noCandidates = judgeCall(facts({ ...failed, candidates: { local: [], remote: [] } }));
  t.match(noCandidates.explanation, /this side gathered no candidate; none of the peer's candidates arrived/);

  const credential = judgeCall(
    facts({
      ...failed,
      candidates: { local: [], remote: [cand('relay')] },
      prediction: { direct: 'unlikely', reason: '' },
      turnErrors: [{ url: 'turn:203.0.113.10:3478', code: 401, reason: 'Unauthorized' }],
      credential:
        "the TURN REST credential expired 5 s before the allocation by this machine's clock (expiry 2025-01-01T00:00:00.000Z)",
    }),
  );
  t.equal(credential.matchesPrediction, true, 'relay needed, and no direct path formed');
  t.match(
    credential.explanation,
    /TURN refused: turn:203.0.113.10:3478: 401 Unauthorized — unauthorized: wrong username or password, or an expired TURN REST credential \(the TURN REST credential expired 5 s before/,
  );

  for (const [code, words] of [
    [441, 'wrong credentials'],
    [437, 'allocation mismatch'],
    [438, 'stale nonce'],
    [486, 'allocation quota reached'],
    [508, 'insufficient capacity'],
    [701, 'unreachable'],
  ] as const) {
    const v = judgeCall(facts({ ...failed, turnErrors: [{ url: 'turn:x', code, reason: '' }] }));
    t.match(v.explanation, new RegExp(`TURN refused: turn:x: ${code} ${words}`), `${code}`);
  }
  const noRelay = judgeCall(facts({ ...failed, prediction: { direct: 'unlikely', reason: '' }, hadTurn: false }));
  t.match(
    noRelay.explanation,
    /a relay was needed and neither side had one; candidates: this side 1 host, 1 srflx, 0 relay; the peer 1 host, 1 srflx, 0 relay/,
  );
});

const summary = (role: 'offerer' | 'answerer', over: Partial<ReportSummary> = {}): ReportSummary => ({
  role,
  ok: true,
  error: null,
  timingsMs: {},
  candidates: { local: [cand('host')], remote: [cand('srflx')] },
  selectedPair: null,
  pairs: [],
  nat: {
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    hairpin: false,
    publicAddresses: [],
    method: 'rfc5780',
    notes: [],
  },
  prediction: { direct: 'likely', reason: 'words differ per side' },
  verdict: {
    path: { local: 'host', remote: 'srflx', protocol: 'udp', relayedBy: null },
    matchesPrediction: true,
    explanation: 'direct',
  },
  turnErrors: [],
  ...over,
});

t.test('the joint line is the same from either side', async (t) => {
  const offerer = summary('offerer');
  const answerer = summary('answerer', {
    verdict: {
      path: { local: 'host', remote: 'prflx', protocol: 'udp', relayedBy: null },
      matchesPrediction: true,
      explanation: 'direct',
    },
  });
  const line = jointLine(offerer, answerer, 'answerer');
  t.equal(line, jointLine(answerer, offerer, 'offerer'));
  t.equal(
    line,
    "joint: OK both ways — offerer host -> answerer srflx (direct through the answerer's endpoint-independent NAT), as predicted",
  );

  const split = summary('answerer', {
    verdict: {
      path: { local: 'relay', remote: 'srflx', protocol: 'udp', relayedBy: 'answerer' },
      matchesPrediction: false,
      explanation: 'relayed',
    },
  });
  t.match(
    jointLine(offerer, split, 'answerer'),
    /offerer on host -> srflx \(direct\), answerer on relay -> srflx \(relayed by the answerer's TURN server \(TURN over udp\)\), as predicted/,
  );

  const down = (role: 'offerer' | 'answerer') =>
    summary(role, {
      ok: false,
      error: { code: 'timeout', message: 'not connected' },
      prediction: { direct: 'unlikely', reason: '' },
      verdict: { path: null, matchesPrediction: true, explanation: `${role} cause` },
    });
  t.equal(
    jointLine(down('answerer'), down('offerer'), 'offerer'),
    'joint: FAILED on both sides (offerer timeout, answerer timeout) — no path, as predicted — offerer: offerer cause; answerer: answerer cause',
  );
  t.match(jointLine(offerer, down('answerer'), 'answerer'), /^joint: OK at the offerer only \(answerer: timeout\)/);
});

t.test('a peer that sends no report is said so', async (t) => {
  t.equal(
    jointLine(summary('offerer'), null, 'browser'),
    'joint: browser sent no report (an older CLI, or another stack): this side alone says OK — direct',
  );
});
