import { existsSync } from 'node:fs';
import t from 'tap';
import { run } from '../../natlab/command.js';
import { expectationFor } from '../../natlab/expectation.js';
import { judge } from '../../natlab/judge.js';
import { judgeNat } from '../../natlab/judge-nat.js';
import { judgeClient } from '../../natlab/behaviour-check.js';
import { parseNatDiscovery } from '../../natlab/nat-discovery.js';
import { summarise, type PeerSummary } from '../../natlab/peer-report.js';
import { routerRules } from '../../natlab/router-rules.js';
import { BEHAVIOURS } from '../../natlab/behaviour.js';
import { buildCells, REDUCED_PAIRS, SAME_ROUTER_CELLS, type Cell } from '../../natlab/matrix.js';
import { namespaceName } from '../../natlab/lab-id.js';
import { labUnavailableReason } from '../../natlab/preflight.js';
import { repoPath } from '../../scripts/repo.js';
import { runMatrix } from '../../natlab/run-matrix.js';

// A reduced matrix: one cell that hole-punches, one that needs the
// relay, one that needs TURN over TCP; each also with --relay-only for the TCP case.
// Plus the hairpin cells (both peers behind one router, hairpinning and not).
const CELLS: Cell[] = [
  ...buildCells(REDUCED_PAIRS, ['default']),
  { answerer: 'udpblock', offerer: 'easy', mode: 'relay-only' },
  ...SAME_ROUTER_CELLS,
];

async function skipReason(): Promise<string | false> {
  const lab = await labUnavailableReason();
  if (lab !== null) return `NAT lab unavailable: ${lab}`;
  for (const built of ['dist/client/main.js', 'dist/signaling/main.js']) {
    if (!existsSync(repoPath(built))) return `NAT lab needs ${built}: run the build first`;
  }
  return false;
}

const skip = await skipReason();
// About a minute on a quiet machine, two when other suites share the cores:
// more than the runner's default per-file timeout leaves room for.
if (skip === false) t.setTimeout(300_000);

t.test(
  'NAT lab: measured NAT behaviours and the reduced connectivity matrix',
  { skip, timeout: 280_000 },
  async (t) => {
    const lines: string[] = [];
    const { report, results } = await runMatrix({
      cells: CELLS,
      discover: [...BEHAVIOURS],
      clientPath: repoPath('bin/client'),
      signalingPath: repoPath('bin/signaling'),
      timeoutS: 20,
      clientArgs: [],
      keepLogs: false,
      progress: (line) => lines.push(line),
    });
    t.comment(lines.join('\n'));

    for (const b of report.behaviours) {
      t.ok(
        b.met,
        `${b.behaviour}: coturn measured ${b.measured.reachable ? `mapping ${b.measured.mapping ?? '?'}, filtering ${b.measured.filtering ?? '?'}` : 'no STUN answer (UDP blocked)'}`,
        { expected: b.expected, measured: b.measured },
      );
      t.same(b.clientMisses, [], `${b.behaviour}: bin/client --nat-only measured the same`, { client: b.client });
    }
    t.equal(results.length, CELLS.length, 'every cell ran');
    for (const r of results) {
      t.ok(r.verdict.met, `${r.name}: ${r.expectation.text}`, {
        misses: r.verdict.misses,
        logs: [r.peers.answerer.log, r.peers.offerer.log],
      });
    }

    const udpblock = results.find((r) => r.cell.answerer === 'udpblock' && r.cell.mode === 'default');
    t.equal(
      udpblock?.peers.answerer.summary.local?.type,
      'relay',
      'behind udpblock the answerer connects through its own relay',
    );
    const hard = results.find((r) => r.cell.answerer === 'hard' && r.cell.offerer === 'hard');
    // Either end may be the one whose relay carries the call, and werift's stats may name the pair
    // from the other end's side (remote relay): a relay on either end of either report is the proof.
    const relayed = (s: PeerSummary): boolean => s.local?.type === 'relay' || s.remote?.type === 'relay';
    t.ok(
      hard && [hard.peers.answerer.summary, hard.peers.offerer.summary].some(relayed),
      'hard x hard goes through a relay',
    );
    for (const role of ['answerer', 'offerer'] as const) {
      t.equal(hard?.peers[role].summary.prediction, 'unlikely', `hard x hard: the ${role} predicted "relay needed"`);
      t.match(
        hard?.peers[role].summary.joint,
        /^joint: OK both ways — .*relayed by .*, as predicted$/,
        `hard x hard: joint line`,
      );
    }
    const hairpin = results.find((r) => r.cell.sameRouter === 'hairpin');
    t.equal(
      hairpin?.peers.offerer.summary.nat?.hairpin,
      true,
      'behind the hairpinning router the CLI measures hairpin',
    );
    t.equal(hairpin?.peers.offerer.summary.prediction, 'likely');

    const left = (await run(['ip', 'netns', 'list'])).stdout;
    t.notMatch(left, namespaceName(report.labId, 'pub').replace(/-pub$/, ''), 'the lab removed all its namespaces');
  },
);

// The parts below need no root: they pin down what the lab builds and how it judges.

const WAN = { primary: '203.0.113.101', second: '203.0.113.111' };

t.test('router rules: the firewall skeleton and each behaviour', async (t) => {
  for (const b of BEHAVIOURS) {
    const rules = routerRules(b, '10.0.1.2', WAN);
    t.match(rules, /-A INPUT -i wan0 -j DROP/, `${b}: unsolicited packets to the router are dropped`);
    t.match(rules, b === 'none' ? /:FORWARD ACCEPT/ : /:FORWARD DROP/, `${b}: forward policy`);
  }
  t.match(routerRules('hard', '10.0.1.2', WAN), /MASQUERADE --random-fully/);
  const adm = routerRules('adm', '10.0.1.2', WAN);
  t.ok(
    adm.indexOf('-d 203.0.113.10 -j SNAT --to-source 203.0.113.101') < adm.indexOf('-j SNAT --to-source 203.0.113.111'),
    'adm: the primary address toward coturn, the second toward everything else',
  );
  t.match(routerRules('full', '10.0.1.2', WAN), /-A PREROUTING -i wan0 -p udp -j DNAT --to-destination 10.0.1.2/);
  const udpblock = routerRules('udpblock', '10.0.1.2', WAN);
  t.ok(
    udpblock.indexOf('-p udp -j DROP') < udpblock.indexOf('-A FORWARD -i lan0 -o wan0 -j ACCEPT'),
    'udpblock drops UDP before the LAN may go out',
  );
  t.notMatch(routerRules('none', '203.0.113.130', WAN), /MASQUERADE/, 'none translates nothing');
});

t.test('parseNatDiscovery reads coturn 4.6 verdicts', async (t) => {
  const out = [
    '0: : IPv4. UDP reflexive addr: 203.0.113.101:55277',
    'NAT with Endpoint Independent Mapping!',
    '0: : IPv4. UDP reflexive addr: 203.0.113.101:41241',
    'NAT with Address and Port Dependent Filtering!',
  ].join('\n');
  t.same(parseNatDiscovery(out, false), {
    reachable: true,
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    reflexive: ['203.0.113.101:55277', '203.0.113.101:41241'],
    timedOut: false,
  });
  t.same(parseNatDiscovery('', true), {
    reachable: false,
    mapping: null,
    filtering: null,
    reflexive: [],
    timedOut: true,
  });
});

t.test('expectations of the matrix', async (t) => {
  t.equal(expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'default' }).path, 'direct');
  t.equal(expectationFor({ answerer: 'none', offerer: 'none', mode: 'default' }).path, 'host');
  t.equal(expectationFor({ answerer: 'full', offerer: 'hard', mode: 'default' }).path, 'direct');
  t.equal(expectationFor({ answerer: 'easy', offerer: 'hard', mode: 'default' }).path, 'relay');
  t.equal(expectationFor({ answerer: 'hard', offerer: 'hard', mode: 'default' }).path, 'relay');
  t.same(expectationFor({ answerer: 'udpblock', offerer: 'easy', mode: 'default' }).tcpRelayOn, ['answerer']);
  t.same(expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'relay-only' }).relayOn, ['answerer', 'offerer']);
  t.equal(expectationFor({ answerer: 'hard', offerer: 'hard', mode: 'no-turn' }).connected, false);
});

t.test('judge: a direct cell, seen from both sides', async (t) => {
  const report = (local: string, remote: string): unknown => ({
    ok: true,
    timingsMs: { dataChannelOpen: 900 },
    selectedPair: {
      local: { type: local, protocol: 'udp', address: '203.0.113.10' },
      remote: { type: remote, protocol: 'udp', address: '203.0.113.102' },
      rttMs: 2,
    },
  });
  const hosts = { answerer: '10.0.1.2', offerer: '10.0.2.2' };
  const expect = expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'default' });
  const both = judge(
    expect,
    { answerer: summarise(report('host', 'srflx')), offerer: summarise(report('host', 'srflx')) },
    hosts,
  );
  t.same(both, { met: true, misses: [], notes: [] });
  // werift's controlling side nominates the first pair to succeed: one side may settle on its relay.
  const asymmetric = judge(
    expect,
    { answerer: summarise(report('relay', 'srflx')), offerer: summarise(report('host', 'srflx')) },
    hosts,
  );
  t.equal(asymmetric.met, true);
  t.equal(asymmetric.notes.length, 1);
  const relayed = judge(
    expect,
    { answerer: summarise(report('relay', 'srflx')), offerer: summarise(report('host', 'relay')) },
    hosts,
  );
  t.equal(relayed.met, false, 'relayed on both sides is not a direct path');
  const failed = judge(
    expect,
    { answerer: summarise({ ok: false, error: { code: 'timeout' } }), offerer: summarise(null) },
    hosts,
  );
  t.equal(failed.met, false);
  t.match(failed.misses[0], /timeout/);
});

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
  t.same(
    judgeClient(
      { reachable: false, mapping: null, filtering: null },
      { exitCode: 1, mapping: 'unknown', filtering: 'unknown', hairpin: null, method: 'none', publicAddresses: [] },
    ),
    [],
    'behind udpblock: nothing answered, exit 1',
  );
});
