import { join } from 'node:path';
import type { Side } from './addresses.js';
import type { Behaviour } from './behaviour.js';
import { expectationFor, type Expectation, type Role } from './expectation.js';
import { judge, type Verdict } from './judge.js';
import { judgeNat } from './judge-nat.js';
import type { Lab } from './lab.js';
import { cellName, type Cell } from './matrix.js';
import { buildSide, removeSide } from './nat-side.js';
import { buildSameRouter, removeSameRouter } from './same-router.js';
import { parseReportOutput, summarise, type PeerSummary, type RelayTransportHint } from './peer-report.js';
import { startPeer, type PeerRun } from './peer-process.js';
import { labIceUrls, SIGNALING_URL } from './signaling-service.js';
import { turnRestCredentials } from '../signaling/ice-servers.js';
import { relayTransportFrom, turnFlows, type TurnFlows } from './turn-flows.js';

export interface CellOptions {
  clientPath: string;
  turnSecret: string;
  /** The peers' --timeout-s: how long ICE may take before they give up. */
  timeoutS: number;
  /** Further flags for both peers (e.g. shorter --duration-s). */
  clientArgs: readonly string[];
}

export interface PeerOutcome {
  behaviour: Behaviour;
  side: Side;
  exitCode: number | null;
  killed: boolean;
  summary: PeerSummary;
  /** Flows to coturn the peer's router tracked during the cell. */
  turnFlows: TurnFlows;
  report: unknown;
  log: string;
}

export interface CellResult {
  cell: Cell;
  name: string;
  expectation: Expectation;
  peers: Record<Role, PeerOutcome>;
  verdict: Verdict;
}

const SIDE_OF: Record<Role, Side> = { answerer: 'A', offerer: 'B' };

/**
 * The TURN URL werift uses is the first one it is given (docs/WERIFT.md, Gathering),
 * and the service hands out UDP before TCP. A peer behind udpblock is therefore
 * configured like a real user behind such a firewall would be: with an explicit
 * TURN-over-TCP server (--turn, credentials minted from the lab's secret),
 * which the client puts ahead of the service's list.
 */
export function peerArgs(cell: Cell, role: Role, room: string, opts: CellOptions): string[] {
  const behaviour = cell[role];
  const args = [
    '--role',
    role,
    '--signaling-addr',
    SIGNALING_URL,
    '--room',
    room,
    '--json',
    '--timeout-s',
    String(opts.timeoutS),
  ];
  if (cell.mode !== 'no-turn') args.push('--with-turn');
  if (cell.mode === 'relay-only') args.push('--relay-only');
  if (behaviour === 'udpblock' && cell.mode !== 'no-turn') {
    const creds = turnRestCredentials(opts.turnSecret, `${room}-${role}`, 3600, Date.now());
    args.push('--turn', labIceUrls().turnTcp, '--turn-username', creds.username, '--turn-password', creds.credential);
  }
  return [...args, ...opts.clientArgs];
}

/** The transport of the first TURN URL a peer gets: the one werift allocates on. */
export function firstTurnProtocol(cell: Cell, role: Role): string | null {
  if (cell.mode === 'no-turn') return null;
  return cell[role] === 'udpblock' ? 'tcp' : 'udp';
}

/** Runs one cell in fresh routers and peers, so no conntrack state leaks between cells. */
export async function runCell(lab: Lab, cell: Cell, index: number, opts: CellOptions): Promise<CellResult> {
  const name = cellName(cell);
  const room = `cell${index}-${name}`;
  const expectation = expectationFor(cell);
  const shared = cell.sameRouter;
  const plans = shared ? await buildSameRouter(lab, shared) : undefined;
  const planA = plans?.answerer ?? (await buildSide(lab, 'A', cell.answerer));
  const planB = plans?.offerer ?? (await buildSide(lab, 'B', cell.offerer));
  try {
    const deadlineMs = (opts.timeoutS + 45) * 1000;
    const roles: Role[] = ['answerer', 'offerer'];
    const runs = await Promise.all(
      roles.map((role) => {
        const log = join(lab.logDir, `${String(index).padStart(2, '0')}-${name}-${role}.log`);
        const ns = role === 'answerer' ? 'peerA' : 'peerB';
        return startPeer(
          lab,
          ns,
          [process.execPath, opts.clientPath, ...peerArgs(cell, role, room, opts)],
          log,
          deadlineMs,
        ).then((run) => ({ role, run, log }));
      }),
    );
    const flows = { answerer: await turnFlows(lab, 'natA'), offerer: await turnFlows(lab, shared ? 'natA' : 'natB') };
    const hint = (role: Role): RelayTransportHint | null => {
      const measured = relayTransportFrom(flows[role]);
      if (measured !== null) return { protocol: measured, source: 'router-conntrack' };
      const configured = firstTurnProtocol(cell, role);
      return configured === null ? null : { protocol: configured, source: 'first-turn-url' };
    };
    const outcome = (role: Role): PeerOutcome => {
      const found = runs.find((r) => r.role === role);
      const run: PeerRun = found?.run ?? { exitCode: null, signal: null, stdout: '', killed: false };
      const report = parseReportOutput(run.stdout);
      return {
        behaviour: cell[role],
        side: SIDE_OF[role],
        exitCode: run.exitCode,
        killed: run.killed,
        summary: summarise(report, hint(role)),
        turnFlows: flows[role],
        report,
        log: found?.log ?? '',
      };
    };
    const peers = { answerer: outcome('answerer'), offerer: outcome('offerer') };
    const summaries = { answerer: peers.answerer.summary, offerer: peers.offerer.summary };
    const paths = judge(expectation, summaries, { answerer: planA.peer, offerer: planB.peer });
    const natMisses = judgeNat(expectation, { answerer: cell.answerer, offerer: cell.offerer }, summaries, shared);
    const verdict: Verdict = {
      ...paths,
      met: paths.met && natMisses.length === 0,
      misses: [...paths.misses, ...natMisses],
    };
    return { cell, name, expectation, peers, verdict };
  } finally {
    if (shared) await removeSameRouter(lab);
    else {
      await removeSide(lab, 'A');
      await removeSide(lab, 'B');
    }
  }
}
