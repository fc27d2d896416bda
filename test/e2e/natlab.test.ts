import { existsSync } from 'node:fs';
import t from 'tap';
import { run } from '../../natlab/command.js';
import type { PeerSummary } from '../../natlab/peer-report.js';
import { BEHAVIOURS } from '../../natlab/behaviour.js';
import { buildCells, REDUCED_PAIRS, SAME_ROUTER_CELLS, type Cell } from '../../natlab/matrix.js';
import { namespaceName } from '../../natlab/lab-id.js';
import { labUnavailableReason } from '../../natlab/preflight.js';
import { repoPath } from '../../scripts/repo.js';
import { runMatrix } from '../../natlab/run-matrix.js';

// The lab end to end, as root (what it builds and how it judges, without root: test/natlab/).
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
