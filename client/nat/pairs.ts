import type { PairSummary } from '../../signaling/protocol.js';

/** The fields of werift's getStats() records this reads (the W3C names). */
interface StatsRecord {
  id: string;
  type: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  state?: string;
  nominated?: boolean;
  requestsSent?: number;
  retransmissionsSent?: number;
  responsesReceived?: number;
  requestsReceived?: number;
  packetsSent?: number;
  packetsReceived?: number;
  currentRoundTripTime?: number;
  candidateType?: string;
  protocol?: string;
  address?: string;
  port?: number;
}

/** At most this many pairs go into a report (a `report` message must stay well under 64 KiB). */
export const MAX_PAIRS = 40;

/**
 * Every candidate pair ICE formed, with its checks: requests sent, answers
 * received (a pair with requests out and nothing back was filtered on the
 * way), requests received from the peer; and the data packets each carried,
 * counted by the socket and the source address they arrived from
 * (patches/werift+0.24.4+009+wire-counted-pairs.patch). Nominated pairs first.
 */
export function pairsFromStats(records: Iterable<unknown>): PairSummary[] {
  const byId = new Map<string, StatsRecord>();
  const pairs: StatsRecord[] = [];
  for (const raw of records) {
    const record = raw as StatsRecord;
    byId.set(record.id, record);
    if (record.type === 'candidate-pair') pairs.push(record);
  }
  const out: PairSummary[] = [];
  for (const pair of pairs.slice(0, MAX_PAIRS)) {
    const local = pair.localCandidateId !== undefined ? byId.get(pair.localCandidateId) : undefined;
    const remote = pair.remoteCandidateId !== undefined ? byId.get(pair.remoteCandidateId) : undefined;
    if (!local || !remote) continue;
    const rtt = pair.currentRoundTripTime;
    out.push({
      local: candidateOf(local),
      remote: candidateOf(remote),
      state: pair.state ?? 'unknown',
      nominated: pair.nominated === true,
      requestsSent: pair.requestsSent ?? 0,
      retransmissionsSent: pair.retransmissionsSent ?? 0,
      responsesReceived: pair.responsesReceived ?? 0,
      requestsReceived: pair.requestsReceived ?? 0,
      packetsSent: pair.packetsSent ?? 0,
      packetsReceived: pair.packetsReceived ?? 0,
      rttMs: typeof rtt === 'number' && Number.isFinite(rtt) ? Math.round(rtt * 10_000) / 10 : null,
    });
  }
  return out;
}

function candidateOf(s: StatsRecord): PairSummary['local'] {
  return {
    type: s.candidateType ?? 'host',
    protocol: s.protocol ?? 'udp',
    address: s.address ?? '',
    port: s.port ?? 0,
  };
}

/** Checks out, answers back, over every pair: the figures an explanation quotes. */
export function checkTotals(pairs: readonly PairSummary[]): {
  pairs: number;
  sent: number;
  answered: number;
  received: number;
  silent: number;
} {
  let sent = 0;
  let answered = 0;
  let received = 0;
  let silent = 0;
  for (const pair of pairs) {
    const out = pair.requestsSent + (pair.retransmissionsSent ?? 0);
    sent += out;
    answered += pair.responsesReceived;
    received += pair.requestsReceived ?? 0;
    if (out > 0 && pair.responsesReceived === 0) silent++;
  }
  return { pairs: pairs.length, sent, answered, received, silent };
}
