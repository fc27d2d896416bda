import type { CallVerdict, PairSummary, TurnError } from '../../signaling/protocol.js';
import { checkTotals } from './pairs.js';
import type { Prediction } from './predict.js';
import { formatTurnError, isCredentialError } from './turn-errors.js';

type Role = 'offerer' | 'answerer';

/** What one side knows when its call ends. */
export interface CallFacts {
  role: Role;
  ok: boolean;
  error: { code: string; message: string } | null;
  selectedPair: { local: { type: string; protocol: string }; remote: { type: string; protocol: string } } | null;
  /** The transport to our own TURN server (udp, tcp, tls), when our end is a relay. */
  relayProtocol: string | undefined;
  candidates: { local: ReadonlyArray<{ type: string }>; remote: ReadonlyArray<{ type: string }> };
  pairs: readonly PairSummary[];
  prediction: Prediction | null;
  turnErrors: readonly TurnError[];
  /** The TURN REST credential's expiry against the local clock, in words (turn-errors.ts). */
  credential: string | undefined;
  /** Whether this side had a TURN server with credentials. */
  hadTurn: boolean;
}

/**
 * The verdict after the call: the path taken (whose relay), whether it is
 * the one predicted, and when the call failed, the most likely cause from
 * everything this side saw, with its figures.
 */
export function judgeCall(facts: CallFacts): CallVerdict {
  const peer: Role = facts.role === 'offerer' ? 'answerer' : 'offerer';
  const path = facts.selectedPair ? pathOf(facts, peer) : null;
  const actual = path === null ? 'none' : path.relayedBy !== null ? 'relay' : 'direct';
  const matchesPrediction = matches(facts.prediction, actual);
  const predicted =
    matchesPrediction === null
      ? ''
      : matchesPrediction
        ? ', as predicted'
        : `, not as predicted (${predictionHead(facts.prediction)})`;
  if (path !== null && facts.ok) {
    return { path, matchesPrediction, explanation: `${describePath(path, facts.role)}${predicted}` };
  }
  const causes = failureCauses(facts, path);
  const head = facts.error ? facts.error.message : 'the exchange was incomplete';
  return {
    path,
    matchesPrediction,
    explanation: `${head}${path ? ` (on ${describePath(path, facts.role)})` : ''}${predicted}: ${causes.join('; ')}`,
  };
}

function pathOf(facts: CallFacts, peer: Role): NonNullable<CallVerdict['path']> {
  const pair = facts.selectedPair!;
  const ours = pair.local.type === 'relay';
  const theirs = pair.remote.type === 'relay';
  return {
    local: pair.local.type,
    remote: pair.remote.type,
    protocol: ours ? (facts.relayProtocol ?? pair.local.protocol) : pair.local.protocol,
    relayedBy: ours && theirs ? 'both' : ours ? facts.role : theirs ? peer : null,
  };
}

export function describePath(path: NonNullable<CallVerdict['path']>, role: Role): string {
  const pair = `${path.local} -> ${path.remote}`;
  if (path.relayedBy === null) return `direct, ${pair} over ${path.protocol}`;
  const whose = path.relayedBy === 'both' ? "both sides' TURN servers" : `the ${path.relayedBy}'s TURN server`;
  const over = path.relayedBy === role || path.relayedBy === 'both' ? ` (TURN over ${path.protocol})` : '';
  return `relayed by ${whose}${over}, ${pair}`;
}

/** The prediction is about the direct path: right when it formed as said (a failed relay is a cause, not a miss). */
export function matches(prediction: Prediction | null, actual: 'none' | 'relay' | 'direct'): boolean | null {
  if (prediction === null || prediction.direct === 'unknown') return null;
  return (prediction.direct === 'likely') === (actual === 'direct');
}

export function predictionHead(prediction: Prediction | null): string {
  if (!prediction) return 'no prediction';
  return prediction.direct === 'likely'
    ? 'predicted direct likely'
    : prediction.direct === 'unlikely'
      ? 'predicted direct unlikely, relay needed'
      : 'nothing predicted';
}

/** The causes in the order a person should read them: refused relays first, then what the checks show. */
function failureCauses(facts: CallFacts, path: CallVerdict['path']): string[] {
  const causes: string[] = [];
  for (const error of facts.turnErrors) {
    const credential = isCredentialError(error.code) && facts.credential ? ` (${facts.credential})` : '';
    causes.push(`TURN refused: ${formatTurnError(error)}${credential}`);
  }
  const local = counts(facts.candidates.local);
  const remote = counts(facts.candidates.remote);
  if (facts.candidates.local.length === 0) causes.push('this side gathered no candidate');
  if (facts.candidates.remote.length === 0) causes.push("none of the peer's candidates arrived");
  const totals = checkTotals(facts.pairs);
  if (path === null && facts.candidates.local.length > 0 && facts.candidates.remote.length > 0) {
    if (totals.pairs === 0) causes.push('no candidate pair was formed');
    else if (totals.answered === 0 && totals.sent > 0) {
      causes.push(
        `${totals.pairs} pair${totals.pairs > 1 ? 's' : ''} checked, ${totals.sent} checks sent, none answered, ${totals.received} received from the peer: the checks were filtered on the way (a NAT that filters by address and port, or a firewall)`,
      );
    } else if (totals.sent === 0) {
      causes.push(`${totals.pairs} pairs formed but no check was sent`);
    } else {
      causes.push(
        `${totals.pairs} pairs checked, ${totals.sent} checks sent, ${totals.answered} answered (${totals.silent} pairs got no answer at all), yet no pair was selected`,
      );
    }
  }
  const relayNeeded = facts.prediction?.direct === 'unlikely';
  const anyRelay = local.relay > 0 || remote.relay > 0;
  if (relayNeeded && !anyRelay && path === null)
    causes.push(
      facts.hadTurn
        ? 'a relay was needed and no relay candidate was gathered'
        : 'a relay was needed and neither side had one',
    );
  causes.push(`candidates: this side ${formatCounts(local)}; the peer ${formatCounts(remote)}`);
  return causes;
}

function counts(candidates: ReadonlyArray<{ type: string }>): Record<'host' | 'srflx' | 'prflx' | 'relay', number> {
  const out = { host: 0, srflx: 0, prflx: 0, relay: 0 };
  for (const c of candidates) if (c.type in out) out[c.type as keyof typeof out]++;
  return out;
}

function formatCounts(c: Record<string, number>): string {
  return Object.entries(c)
    .filter(([type, n]) => n > 0 || type !== 'prflx')
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}
