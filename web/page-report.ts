/**
 * This side's report in bin/client's `--json` shape (client/report.ts), plus
 * what the timeline needs: the page's own events, the service's (its
 * message timestamps on our clock) and where the peer's clock sits on ours.
 * Also the two messages that make bin/client's joint verdict work with a
 * page: `nat` (a page cannot send STUN requests of its own: method `none`)
 * and the `report` summary it sends before its bye.
 */
import type { NatMessage, ReportSummary } from '../signaling/protocol.js';
import type { ReportCandidate } from '../client/ice-log.js';
import type { Report } from '../client/report.js';
import { judgeCall } from '../client/nat/verdict.js';
import { shortfalls, type Expectation } from '../client/verdict.js';
import type { PageOptions } from './options.js';

export interface Mark {
  /** Milliseconds on this side's clock (from the start of the call). */
  t: number;
  label: string;
}

export interface PageReport extends Report {
  stack: 'browser';
  /** Every step of this side, in order. */
  events: Mark[];
  /** Each message the service relayed to us, at its server timestamp placed on our clock. */
  service: Mark[];
  /** Where the peer's start lies on our clock, and how that was worked out (null: no stamp to place it by). */
  peerClock: { offsetMs: number; how: string } | null;
}

export function emptyPageReport(options: PageOptions, signalingAddr: string): PageReport {
  return {
    ok: false,
    stack: 'browser',
    role: options.role,
    id: options.id,
    peer: options.peer,
    room: options.room,
    signalingAddr,
    timingsMs: {
      registered: null,
      gatheringComplete: null,
      iceConnected: null,
      dtlsConnected: null,
      dataChannelOpen: null,
      done: null,
    },
    candidates: { local: [], remote: [] },
    selectedPair: null,
    dataChannel: null,
    audio: null,
    states: { gathering: 'new', ice: 'new', dtls: 'new', connection: 'new' },
    gathering: { elapsedMs: null, verdicts: [] },
    nat: null,
    peerNat: null,
    prediction: null,
    verdict: null,
    pairs: [],
    turnErrors: [],
    peerReport: null,
    joint: null,
    error: null,
    events: [],
    service: [],
    peerClock: null,
  };
}

/** What a browser can say about its NAT: nothing measured, and why. */
export function pageNat(relayOnly: boolean, turn: boolean): NatMessage {
  return {
    mapping: 'unknown',
    filtering: 'unknown',
    hairpin: null,
    publicAddresses: [],
    method: 'none',
    notes: ['a browser page cannot send STUN requests of its own'],
    asked: 0,
    turn: turn ? 'udp' : null,
    relayOnly,
  };
}

/** Sets `ok`, the `incomplete` error with what was missed, and the verdict; returns the `report` summary. */
export function judge(report: PageReport, expect: Expectation, hadTurn: boolean): ReportSummary {
  const missed = shortfalls(report, expect);
  if (report.error === null && missed.length > 0) report.error = { code: 'incomplete', message: missed.join('; ') };
  report.ok = report.error === null;
  report.verdict = judgeCall({
    role: report.role,
    ok: report.ok,
    error: report.error,
    selectedPair: report.selectedPair,
    relayProtocol: undefined,
    candidates: report.candidates,
    pairs: report.pairs,
    prediction: report.prediction,
    turnErrors: report.turnErrors,
    credential: undefined,
    hadTurn,
  });
  const brief = (c: ReportCandidate) => ({ type: c.type, protocol: c.protocol, address: c.address, port: c.port });
  return {
    role: report.role,
    ok: report.ok,
    error: report.error,
    timingsMs: { ...report.timingsMs },
    candidates: { local: report.candidates.local.map(brief), remote: report.candidates.remote.map(brief) },
    selectedPair: report.selectedPair
      ? { local: brief(report.selectedPair.local), remote: brief(report.selectedPair.remote) }
      : null,
    pairs: report.pairs,
    nat: report.nat,
    prediction: report.prediction,
    verdict: report.verdict,
    turnErrors: report.turnErrors,
  };
}
