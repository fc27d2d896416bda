import { writeFileSync } from 'node:fs';
import type { BehaviourCheck } from './behaviour-check.js';
import type { CellResult, PeerOutcome } from './cell-runner.js';
import type { PeerSummary } from './peer-report.js';
import type { TurnFlows } from './turn-flows.js';

type PeerOutcomeJson = PeerSummary & { exitCode: number | null; killed: boolean; turnFlows: TurnFlows };

function peerOutcome(p: PeerOutcome): PeerOutcomeJson {
  return { ...p.summary, exitCode: p.exitCode, killed: p.killed, turnFlows: p.turnFlows };
}

export interface NatlabReport {
  labId: string;
  startedAt: string;
  finishedAt: string;
  logDir: string;
  allMet: boolean;
  behaviours: BehaviourCheck[];
  cells: Array<{
    name: string;
    behaviours: { answerer: string; offerer: string };
    mode: string;
    expectation: CellResult['expectation'];
    outcome: {
      met: boolean;
      misses: string[];
      notes: string[];
      answerer: PeerOutcomeJson;
      offerer: PeerOutcomeJson;
    };
    reports: { answerer: unknown; offerer: unknown };
    logs: { answerer: string; offerer: string };
  }>;
}

export function buildReport(
  meta: { labId: string; startedAt: Date; logDir: string },
  behaviours: BehaviourCheck[],
  cells: readonly CellResult[],
): NatlabReport {
  return {
    labId: meta.labId,
    startedAt: meta.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    logDir: meta.logDir,
    allMet: behaviours.every((b) => b.met) && cells.every((c) => c.verdict.met),
    behaviours,
    cells: cells.map((c) => ({
      name: c.name,
      behaviours: { answerer: c.cell.answerer, offerer: c.cell.offerer },
      mode: c.cell.mode,
      expectation: c.expectation,
      outcome: {
        met: c.verdict.met,
        misses: c.verdict.misses,
        notes: c.verdict.notes,
        answerer: peerOutcome(c.peers.answerer),
        offerer: peerOutcome(c.peers.offerer),
      },
      reports: { answerer: c.peers.answerer.report, offerer: c.peers.offerer.report },
      logs: { answerer: c.peers.answerer.log, offerer: c.peers.offerer.log },
    })),
  };
}

export function writeReport(path: string, report: NatlabReport): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
