/**
 * The selected pair as getStats() reports it, from werift or a browser: the
 * pair that carries the traffic, read from the stats, not from a field that
 * can name another pair.
 */
import { KINDS, type CandidateKind, type ReportCandidate } from './ice-log.js';

/** The fields of werift's stats records that the selected pair needs. */
interface StatsRecord {
  type: string;
  id: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  currentRoundTripTime?: number;
  packetsSent?: number;
  packetsReceived?: number;
  address?: string;
  port?: number;
  protocol?: string;
  candidateType?: string;
  priority?: number;
  foundation?: string;
  relatedAddress?: string;
  relatedPort?: number;
}

export interface SelectedPair {
  local: ReportCandidate;
  remote: ReportCandidate;
  rttMs: number | null;
  /** Data packets (not ICE checks) sent on the pair and received on it, as counted on the wire. */
  packetsSent?: number;
  packetsReceived?: number;
  /** Data packets that arrived on another pair: a path the report would otherwise not name. */
  packetsElsewhere?: number;
}

/**
 * The pair that carries traffic, as getStats() names it in
 * `transport.selectedCandidatePairId`: werift's `connection.nominated`, the
 * pair whose socket and remote address every outgoing packet goes through
 * (not getSelectedCandidatePair(), the first nominated pair of the check
 * list, which can be one that carries nothing). Its local address is the one
 * packets leave from only because each host socket is bound to its
 * candidate's address (patches/werift+0.24.4+001+bind-host-sockets.patch).
 */
export function selectedPairFromStats(records: Iterable<unknown>): SelectedPair | null {
  const byId = new Map<string, StatsRecord>();
  let pairId: string | undefined;
  for (const raw of records) {
    const record = raw as StatsRecord;
    byId.set(record.id, record);
    if (record.type === 'transport' && record.selectedCandidatePairId) pairId ??= record.selectedCandidatePairId;
  }
  const pair = pairId !== undefined ? byId.get(pairId) : undefined;
  const local = pair?.localCandidateId !== undefined ? byId.get(pair.localCandidateId) : undefined;
  const remote = pair?.remoteCandidateId !== undefined ? byId.get(pair.remoteCandidateId) : undefined;
  if (!pair || !local || !remote) return null;
  const rtt = pair.currentRoundTripTime;
  const selected: SelectedPair = {
    local: candidateFromStats(local),
    remote: candidateFromStats(remote),
    rttMs: typeof rtt === 'number' && Number.isFinite(rtt) ? Math.round(rtt * 10_000) / 10 : null,
  };
  if (typeof pair.packetsSent === 'number') selected.packetsSent = pair.packetsSent;
  if (typeof pair.packetsReceived === 'number') {
    selected.packetsReceived = pair.packetsReceived;
    let elsewhere = 0;
    for (const record of byId.values()) {
      if (record.type === 'candidate-pair' && record !== pair) elsewhere += record.packetsReceived ?? 0;
    }
    selected.packetsElsewhere = elsewhere;
  }
  return selected;
}

/**
 * The remote end of a pair as the report names it. werift learns a remote
 * candidate as peer-reflexive when the peer's check arrives before the
 * trickled candidate does (on a busy host, often); once that candidate has
 * been signalled, the prflx is the same transport address and is reported as
 * the signalled candidate, as browsers do. Without a signalled twin it stays
 * prflx: then the peer's packets truly came from an address it never named.
 */
export function signalledTwin(remote: ReportCandidate, signalled: readonly ReportCandidate[]): ReportCandidate {
  if (remote.type !== 'prflx') return remote;
  const twin = signalled.find(
    (c) => c.protocol === remote.protocol && c.address === remote.address && c.port === remote.port,
  );
  return twin ?? remote;
}

function candidateFromStats(s: StatsRecord): ReportCandidate {
  const type = KINDS.includes(s.candidateType ?? '') ? (s.candidateType as CandidateKind) : 'host';
  const out: ReportCandidate = { type, protocol: s.protocol ?? 'udp', address: s.address ?? '', port: s.port ?? 0 };
  if (s.relatedAddress) out.relatedAddress = s.relatedAddress;
  if (s.relatedPort) out.relatedPort = s.relatedPort;
  if (s.priority !== undefined) out.priority = s.priority;
  if (s.foundation !== undefined) out.foundation = s.foundation;
  return out;
}
