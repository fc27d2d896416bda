/**
 * The parts of a bin/client --json report (CLI.md "The report") that the
 * matrix judges. The whole report is kept verbatim in the natlab report.
 */
export interface CandidateSummary {
  type: string;
  protocol: string | null;
  address: string | null;
  /** Transport between the peer and its TURN server, for relay candidates. */
  relayProtocol: string | null;
  /**
   * report: the client said so. Otherwise router-conntrack: the peer's router
   * tracked flows to coturn over that transport only; or, when the flows do not
   * decide, first-turn-url: the transport of the first TURN URL the lab gave
   * that peer (the only one werift uses).
   */
  relayProtocolSource: RelayProtocolSource | null;
  url: string | null;
}

export interface PeerSummary {
  ok: boolean;
  errorCode: string | null;
  dataChannelOpenMs: number | null;
  local: CandidateSummary | null;
  remote: CandidateSummary | null;
  pairRttMs: number | null;
  pingRttMedianMs: number | null;
  /** The side's own NAT measurement (report.nat), its prediction and the joint line (client/nat/). */
  nat: { mapping: string | null; filtering: string | null; hairpin: boolean | null; seen: number } | null;
  prediction: string | null;
  joint: string | null;
}

export type RelayProtocolSource = 'report' | 'router-conntrack' | 'first-turn-url';

/** What the lab knows about a peer's TURN transport when the report does not say. */
export interface RelayTransportHint {
  protocol: string;
  source: Exclude<RelayProtocolSource, 'report'>;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function candidate(v: unknown): CandidateSummary | null {
  const c = obj(v);
  const type = str(c?.['type']);
  if (!c || type === null) return null;
  const url = str(c['url']) ?? str(c['server']) ?? str(c['iceServer']);
  const relayProtocol =
    str(c['relayProtocol']) ??
    (type === 'relay' && url ? (/transport=(udp|tcp)/i.exec(url)?.[1]?.toLowerCase() ?? null) : null);
  return {
    type,
    protocol: str(c['protocol']),
    address: str(c['address']),
    relayProtocol,
    relayProtocolSource: relayProtocol !== null ? 'report' : null,
    url,
  };
}

/** `hint` fills in the relay transport when the report leaves it out. */
export function summarise(report: unknown, hint: RelayTransportHint | null = null): PeerSummary {
  const r = obj(report);
  const local = candidate(obj(r?.['selectedPair'])?.['local']);
  if (local?.type === 'relay' && local.relayProtocol === null && hint !== null) {
    local.relayProtocol = hint.protocol;
    local.relayProtocolSource = hint.source;
  }
  const pair = obj(r?.['selectedPair']);
  const dc = obj(r?.['dataChannel']);
  return {
    ok: r?.['ok'] === true,
    errorCode: str(obj(r?.['error'])?.['code']),
    dataChannelOpenMs: num(obj(r?.['timingsMs'])?.['dataChannelOpen']),
    local,
    remote: candidate(pair?.['remote']),
    pairRttMs: num(pair?.['rttMs']),
    pingRttMedianMs: num(obj(dc?.['rttMs'])?.['median']),
    nat: natOf(obj(r?.['nat'])),
    prediction: str(obj(r?.['prediction'])?.['direct']),
    joint: str(r?.['joint']),
  };
}

function natOf(n: Json | null): PeerSummary['nat'] {
  if (!n) return null;
  const seen = n['publicAddresses'];
  const hairpin = n['hairpin'];
  return {
    mapping: str(n['mapping']),
    filtering: str(n['filtering']),
    hairpin: typeof hairpin === 'boolean' ? hairpin : null,
    seen: Array.isArray(seen) ? seen.length : 0,
  };
}

/** The report is one JSON object on stdout; take the last line that parses as one. */
export function parseReportOutput(stdout: string): unknown {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const v: unknown = JSON.parse(line);
      if (obj(v)) return v;
    } catch {
      // not the report line
    }
  }
  try {
    const v: unknown = JSON.parse(stdout);
    return obj(v) ? v : null;
  } catch {
    return null;
  }
}
