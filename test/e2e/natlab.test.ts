import { existsSync } from 'node:fs';
import t from 'tap';
import { run } from '../../natlab/command.js';
import { buildCells, REDUCED_PAIRS, type Cell } from '../../natlab/matrix.js';
import { namespaceName } from '../../natlab/lab-id.js';
import { labUnavailableReason } from '../../natlab/preflight.js';
import { repoPath } from '../../natlab/repo.js';
import { runMatrix } from '../../natlab/run-matrix.js';

// The reduced matrix of issue 6: one cell that hole-punches, one that needs the
// relay, one that needs TURN over TCP; each also with --relay-only for the TCP case.
const CELLS: Cell[] = [...buildCells(REDUCED_PAIRS, ['default']), { answerer: 'udpblock', offerer: 'easy', mode: 'relay-only' }];

async function skipReason(): Promise<string | false> {
  const lab = await labUnavailableReason();
  if (lab !== null) return `NAT lab unavailable: ${lab}`;
  for (const built of ['dist/client/main.js', 'dist/signaling/main.js']) {
    if (!existsSync(repoPath(built))) return `NAT lab needs ${built}: run the build first`;
  }
  return false;
}

const skip = await skipReason();

t.test('NAT lab: measured NAT behaviours and the reduced connectivity matrix', { skip, timeout: 170_000 }, async (t) => {
  const lines: string[] = [];
  const { report, results } = await runMatrix({
    cells: CELLS,
    discover: ['easy', 'hard', 'udpblock'],
    clientPath: repoPath('bin/client'),
    signalingPath: repoPath('bin/signaling'),
    timeoutS: 20,
    clientArgs: [],
    keepLogs: false,
    progress: (line) => lines.push(line),
  });
  t.comment(lines.join('\n'));

  for (const b of report.behaviours) {
    t.ok(b.met, `${b.behaviour}: coturn measured ${b.measured.reachable ? `mapping ${b.measured.mapping ?? '?'}, filtering ${b.measured.filtering ?? '?'}` : 'no STUN answer (UDP blocked)'}`, { expected: b.expected, measured: b.measured });
  }
  t.equal(results.length, CELLS.length, 'every cell ran');
  for (const r of results) {
    t.ok(r.verdict.met, `${r.name}: ${r.expectation.text}`, { misses: r.verdict.misses, logs: [r.peers.answerer.log, r.peers.offerer.log] });
  }

  const udpblock = results.find((r) => r.cell.answerer === 'udpblock' && r.cell.mode === 'default');
  t.equal(udpblock?.peers.answerer.summary.local?.type, 'relay', 'behind udpblock the answerer connects through its own relay');
  const hard = results.find((r) => r.cell.answerer === 'hard' && r.cell.offerer === 'hard');
  t.ok(hard && [hard.peers.answerer.summary, hard.peers.offerer.summary].some((s) => s.local?.type === 'relay'), 'hard x hard goes through the relay');

  const left = (await run(['ip', 'netns', 'list'])).stdout;
  t.notMatch(left, namespaceName(report.labId, 'pub').replace(/-pub$/, ''), 'the lab removed all its namespaces');
});
