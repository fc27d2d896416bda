import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Behaviour } from './behaviour.js';
import { checkBehaviours, type BehaviourCheck } from './behaviour-check.js';
import { runCell, type CellOptions, type CellResult } from './cell-runner.js';
import { startCoturn } from './coturn.js';
import { Daemon } from './daemon.js';
import { Lab } from './lab.js';
import { cellName, type Cell } from './matrix.js';
import { buildPublicSegment } from './public-segment.js';
import { buildReport, type NatlabReport } from './report-file.js';
import { startSignaling } from './signaling-service.js';
import { reapStaleLabs } from './stale-labs.js';

export interface MatrixOptions {
  cells: readonly Cell[];
  /** Behaviours to measure with turnutils_natdiscovery before the matrix. */
  discover: readonly Behaviour[];
  clientPath: string;
  signalingPath: string;
  timeoutS: number;
  clientArgs: readonly string[];
  /** Keep the logs even when every cell met its expectation. */
  keepLogs: boolean;
  progress: (line: string) => void;
}

/**
 * One lab run: the public segment with coturn and the signaling service stays
 * up for the whole run; each cell gets fresh routers and peers.
 */
export interface MatrixRun {
  report: NatlabReport;
  results: CellResult[];
}

export async function runMatrix(opts: MatrixOptions): Promise<MatrixRun> {
  const reaped = await reapStaleLabs();
  if (reaped.length > 0) opts.progress(`removed ${reaped.length} namespaces left by dead lab runs`);
  const startedAt = new Date();
  const logDir = mkdtempSync(join(tmpdir(), 'natlab-'));
  const lab = new Lab(logDir);
  const turnSecret = randomBytes(16).toString('hex');
  opts.progress(`lab ${lab.id}: logs in ${logDir}`);
  let behaviours: BehaviourCheck[] = [];
  const cells: CellResult[] = [];
  try {
    await buildPublicSegment(lab);
    const coturn = new Daemon('coturn', () => startCoturn(lab, turnSecret));
    const signaling = new Daemon('the signaling service', () => startSignaling(lab, turnSecret, opts.signalingPath));
    const ensureDaemons = async (): Promise<void> => {
      for (const d of opts.cells.length > 0 ? [coturn, signaling] : [coturn]) {
        const why = await d.ensure();
        if (why !== null) opts.progress(`warning: ${why}`);
      }
    };
    await ensureDaemons();
    if (opts.discover.length > 0) {
      opts.progress(
        `measuring NAT behaviours with turnutils_natdiscovery and bin/client --nat-only: ${opts.discover.join(', ')}`,
      );
      behaviours = await checkBehaviours(lab, opts.discover, opts.clientPath);
      for (const b of behaviours) {
        opts.progress(
          `  ${b.behaviour}: ${b.met ? 'as expected' : 'MISSED'} (mapping ${b.measured.mapping ?? '-'}, filtering ${b.measured.filtering ?? '-'}; CLI ${b.client?.mapping ?? '-'}, ${b.client?.filtering ?? '-'})`,
        );
        for (const miss of b.clientMisses) opts.progress(`  MISSED: ${miss}`);
      }
    }
    if (opts.cells.length > 0) {
      const cellOpts: CellOptions = {
        clientPath: opts.clientPath,
        turnSecret,
        timeoutS: opts.timeoutS,
        clientArgs: opts.clientArgs,
      };
      for (const [i, cell] of opts.cells.entries()) {
        opts.progress(`cell ${i + 1}/${opts.cells.length}: ${cellName(cell)}`);
        await ensureDaemons();
        let result = await runCell(lab, cell, i + 1, cellOpts);
        if (coturn.stopped || signaling.stopped) {
          // The cell measured a missing daemon, not the NAT: run it once more.
          await ensureDaemons();
          opts.progress('  a lab daemon died during the cell: running it again');
          result = await runCell(lab, cell, i + 1, cellOpts);
        }
        opts.progress(`  ${result.verdict.met ? 'as expected' : `MISSED: ${result.verdict.misses.join('; ')}`}`);
        for (const note of result.verdict.notes) opts.progress(`  note: ${note}`);
        cells.push(result);
      }
    }
  } finally {
    await lab.close();
  }
  const report = buildReport({ labId: lab.id, startedAt, logDir }, behaviours, cells);
  if (report.allMet && !opts.keepLogs) {
    rmSync(logDir, { recursive: true, force: true });
    report.logDir = '';
  }
  return { report, results: cells };
}
