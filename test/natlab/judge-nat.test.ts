import t from 'tap';
import { expectationFor } from '../../natlab/expectation.js';
import { judgeNat } from '../../natlab/judge-nat.js';
import { summarise, type PeerSummary } from '../../natlab/peer-report.js';

// natlab/judge-nat.ts: each side's NAT measurement and prediction against the cell, and the joint line.

t.test("judgeNat: each side's measurement, its prediction, one joint line", async (t) => {
  const expect = expectationFor({ answerer: 'easy', offerer: 'hard', mode: 'default' });
  const peer = (mapping: string, prediction: string, joint: string | null): PeerSummary => ({
    ...summarise(null),
    nat: { mapping, filtering: 'address-and-port-dependent', hairpin: false, seen: 2 },
    prediction,
    joint,
  });
  const line = 'joint: OK both ways — offerer host -> answerer relay (relayed by the answerer), as predicted';
  const behaviours = { answerer: 'easy', offerer: 'hard' } as const;
  t.same(
    judgeNat(expect, behaviours, {
      answerer: peer('endpoint-independent', 'unlikely', line),
      offerer: peer('address-and-port-dependent', 'unlikely', line),
    }),
    [],
  );
  t.same(
    judgeNat(expect, behaviours, {
      answerer: peer('address-dependent', 'likely', line),
      offerer: peer('address-and-port-dependent', 'unlikely', `${line}!`),
    }),
    [
      "answerer: measured mapping address-dependent, the router's is endpoint-independent",
      'answerer: predicted direct likely, the cell needs unlikely',
      `the joint lines differ: answerer "${line}", offerer "${line}!"`,
    ],
  );
});
