import type { AudioReport } from './audio/types.js';
import type { ClientOptions } from './cli.js';
import type { DataChannelReport } from './chat-message.js';
import { ClientError, type FailureCode } from './errors.js';
import type { ReportCandidate } from './ice-log.js';
import { noNatFields, type NatFields } from './nat/exchange.js';
import type { SelectedPair } from './stats-pair.js';
import { shortfalls, type Expectation } from './verdict.js';
import { redactUrl } from '../signaling/redact.js';

// The summary line is pure (the browser page prints it too); run.ts takes it from here.
export { exitCodeOf, summaryLine } from './summary-line.js';

/** The `--json` report of CLI.md, plus `states` and `gathering` (what was learned on the way). */
export interface Report extends NatFields {
  ok: boolean;
  role: ClientOptions['role'];
  id: string;
  peer: string;
  room: string;
  signalingAddr: string;
  timingsMs: Timings;
  candidates: { local: ReportCandidate[]; remote: ReportCandidate[] };
  selectedPair: SelectedPair | null;
  dataChannel: DataChannelReport | null;
  audio: AudioReport | null;
  /** The last state each state machine reached. */
  states: { gathering: string; ice: string; dtls: string; connection: string };
  /** The gathering summary's verdicts, in plain words. */
  gathering: { elapsedMs: number | null; verdicts: string[] };
  error: { code: FailureCode; message: string } | null;
}

export interface Timings {
  registered: number | null;
  gatheringComplete: number | null;
  iceConnected: number | null;
  dtlsConnected: number | null;
  dataChannelOpen: number | null;
  done: number | null;
}

export function emptyReport(options: Pick<ClientOptions, 'role' | 'id' | 'peer' | 'room' | 'signalingAddr'>): Report {
  return {
    ok: false,
    role: options.role,
    id: options.id,
    peer: options.peer,
    room: options.room,
    // As printed: credentials in the URL never reach a report.
    signalingAddr: redactUrl(options.signalingAddr),
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
    ...noNatFields(),
    error: null,
  };
}

/**
 * CLI.md: `ok` only when the data channel carried every ping and pong, the
 * peer said done and, when audio is required, at least a second of it
 * arrived with under 10 % loss (client/verdict.ts names what is missing).
 */
export function isOk(report: Report, expect: Expectation): boolean {
  return report.error === null && shortfalls(report, expect).length === 0;
}

/**
 * The verdict on a call that is not ok: with no error yet, `incomplete` and
 * the criteria it missed; an `incomplete` error (a deadline in the exchange)
 * gets them too, ahead of what ran out of time. Other errors stand as they are.
 */
export function judgeIncomplete(report: Report, expect: Expectation): void {
  const missed = shortfalls(report, expect).join('; ');
  if (report.error === null) {
    report.error = { code: 'incomplete', message: missed || 'the exchange was incomplete' };
  } else if (report.error.code === 'incomplete' && missed && !report.error.message.startsWith(missed)) {
    report.error = { code: 'incomplete', message: `${missed} (${report.error.message})` };
  }
}

/** Records why the run failed (the first reason wins: later ones are consequences). */
export function recordFailure(report: Report, error: unknown): void {
  if (report.error !== null) return;
  const failure = toFailure(error);
  report.error = failure;
  report.ok = false;
}

export function toFailure(error: unknown): { code: FailureCode; message: string } {
  if (error instanceof ClientError) return { code: error.code, message: error.message };
  return { code: 'incomplete', message: error instanceof Error ? error.message : String(error) };
}
