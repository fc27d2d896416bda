/**
 * ICE candidates and states as people read them (the Trickle ICE page's
 * columns) and as the report stores them. Pure functions: no werift here, so
 * this module loads before werift does and is tested on its own.
 */

export type CandidateKind = 'host' | 'srflx' | 'prflx' | 'relay';

/** One candidate as the report stores it. */
export interface CandidateInfo {
  type: CandidateKind;
  protocol: string;
  address: string;
  port: number;
  relatedAddress?: string;
  relatedPort?: number;
  priority: number;
  foundation: string;
  component: number;
  tcpType?: string;
}

export class CandidateParseError extends Error {
  override name = 'CandidateParseError';
}

export const KINDS: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

/**
 * Parses an RFC 8839 candidate attribute (`candidate:` prefix optional):
 * `foundation component transport priority address port typ type [raddr a rport p] [ext...]`.
 */
export function parseCandidate(text: string): CandidateInfo {
  const body = text
    .trim()
    .replace(/^a=/, '')
    .replace(/^candidate:/, '');
  const parts = body.split(/\s+/);
  const [foundation, component, protocol, priority, address, port, typ, type] = parts;
  if (type === undefined || typ !== 'typ')
    throw new CandidateParseError(`not an ICE candidate: ${JSON.stringify(text)}`);
  if (!KINDS.includes(type))
    throw new CandidateParseError(`unknown candidate type ${JSON.stringify(type)} in ${JSON.stringify(text)}`);
  const info: CandidateInfo = {
    type: type as CandidateKind,
    protocol: (protocol ?? '').toLowerCase(),
    address: address ?? '',
    port: toInteger(port, text),
    priority: toInteger(priority, text),
    foundation: foundation ?? '',
    component: toInteger(component, text),
  };
  for (let i = 8; i + 1 < parts.length; i += 2) {
    const key = parts[i];
    const value = parts[i + 1] ?? '';
    if (key === 'raddr') info.relatedAddress = value;
    else if (key === 'rport') info.relatedPort = toInteger(value, text);
    else if (key === 'tcptype') info.tcpType = value;
  }
  return info;
}

function toInteger(value: string | undefined, text: string): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0)
    throw new CandidateParseError(`bad number ${JSON.stringify(value)} in ${JSON.stringify(text)}`);
  return n;
}

/** RFC 8445 5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 - component). */
export interface PrioritySplit {
  typePreference: number;
  localPreference: number;
  componentPart: number;
}

export function splitPriority(priority: number): PrioritySplit {
  return {
    typePreference: Math.floor(priority / 2 ** 24) & 0xff,
    localPreference: Math.floor(priority / 2 ** 8) & 0xffff,
    componentPart: priority & 0xff,
  };
}

export function formatPriority(priority: number): string {
  const { typePreference, localPreference, componentPart } = splitPriority(priority);
  return `${typePreference} | ${localPreference} | ${componentPart}`;
}

/** Where a candidate came from, for the log's last columns. */
export interface CandidateSource {
  url?: string | undefined;
  relayProtocol?: string | undefined;
}

/**
 * One candidate as a log line, in the Trickle ICE page's column order:
 * type, foundation, protocol, address, port, priority split, server URL, relay protocol.
 */
export function formatCandidate(side: 'local' | 'remote', c: CandidateInfo, source: CandidateSource = {}): string {
  const address = c.address.includes(':') ? `[${c.address}]` : c.address;
  const related = c.relatedAddress !== undefined ? `  from ${c.relatedAddress}:${c.relatedPort ?? '?'}` : '';
  const server =
    source.url !== undefined ? `  via ${source.url}${source.relayProtocol ? ` (${source.relayProtocol})` : ''}` : '';
  return (
    `${side.padEnd(6)} candidate  ${c.type.padEnd(5)}  ${c.protocol}  ${address}:${c.port}` +
    `  priority ${formatPriority(c.priority)}  foundation ${c.foundation}${related}${server}`
  );
}

/** The candidate as the report stores it (without the component, which is always 1 with rtcp-mux). */
export function candidateForReport(c: CandidateInfo): ReportCandidate {
  const out: ReportCandidate = { type: c.type, protocol: c.protocol, address: c.address, port: c.port };
  if (c.relatedAddress !== undefined) out.relatedAddress = c.relatedAddress;
  if (c.relatedPort !== undefined) out.relatedPort = c.relatedPort;
  out.priority = c.priority;
  out.foundation = c.foundation;
  return out;
}

/** A candidate as the report shows it: priority and foundation only where known. */
export type ReportCandidate = Pick<
  CandidateInfo,
  'type' | 'protocol' | 'address' | 'port' | 'relatedAddress' | 'relatedPort'
> &
  Partial<Pick<CandidateInfo, 'priority' | 'foundation'>>;

/** What gathering was given to work with, for the verdict. */
export interface GatheringSetup {
  /** The STUN URL werift uses (the first one), if any. */
  stunUrl: string | undefined;
  /** The TURN URL werift uses (the first one with credentials), if any. */
  turnUrl: string | undefined;
  relayOnly: boolean;
}

export interface GatheringSummary {
  counts: Record<CandidateKind, number>;
  elapsedMs: number;
  /** Plain-words conclusions, most important first. */
  verdicts: Verdict[];
}

export interface Verdict {
  level: 'info' | 'warn';
  text: string;
}

/** werift gives up on a STUN server after this long (ice.ts getCandidatePromises). */
export const STUN_TIMEOUT_S = 5;

export function countByType(candidates: readonly CandidateInfo[]): Record<CandidateKind, number> {
  const counts: Record<CandidateKind, number> = { host: 0, srflx: 0, prflx: 0, relay: 0 };
  for (const c of candidates) counts[c.type] += 1;
  return counts;
}

/** The gathering summary and its verdict, from what was gathered and what was configured. */
export function summarizeGathering(
  setup: GatheringSetup,
  local: readonly CandidateInfo[],
  elapsedMs: number,
): GatheringSummary {
  const counts = countByType(local);
  const verdicts: Verdict[] = [];
  const stunSilent = setup.stunUrl !== undefined && !setup.relayOnly && counts.srflx === 0;
  const turnSilent = setup.turnUrl !== undefined && counts.relay === 0;
  if (!setup.relayOnly && counts.host === 0) {
    verdicts.push({ level: 'warn', text: 'no host candidates: no usable network interface' });
  }
  if (stunSilent && turnSilent) {
    verdicts.push({ level: 'warn', text: 'no srflx and no relay: the ICE servers are not reachable' });
  } else {
    if (stunSilent) {
      verdicts.push({
        level: 'warn',
        text:
          elapsedMs >= STUN_TIMEOUT_S * 1000 - 250
            ? `STUN server ${setup.stunUrl} did not answer in ${STUN_TIMEOUT_S} s`
            : `STUN server ${setup.stunUrl} gave no address: unreachable, or no IPv4 interface to ask from`,
      });
    }
    if (turnSilent) {
      verdicts.push({
        level: 'warn',
        text:
          counts.srflx > 0
            ? 'srflx candidates but no relay: TURN authentication failed?'
            : `TURN server ${setup.turnUrl} gave no relay candidate: unreachable or authentication failed?`,
      });
    }
  }
  if (setup.relayOnly && counts.relay === 0) {
    verdicts.push({ level: 'warn', text: '--relay-only and no relay candidate: this peer cannot connect' });
  }
  if (verdicts.length === 0) {
    if (setup.stunUrl === undefined && setup.turnUrl === undefined) {
      verdicts.push({
        level: 'info',
        text: 'no STUN or TURN server: host candidates only, enough on one network but not across NATs',
      });
    } else {
      verdicts.push({ level: 'info', text: 'every ICE server answered' });
    }
  }
  return { counts, elapsedMs, verdicts };
}

export function formatCounts(counts: Record<CandidateKind, number>): string {
  return (['host', 'srflx', 'prflx', 'relay'] as const)
    .filter((k) => k !== 'prflx' || counts.prflx > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
}

/** The selected pair as one line: `host udp 10.0.0.1:5000 <-> srflx udp 203.0.113.2:40001, rtt 1.4 ms`. */
export function formatPair(local: ReportCandidate, remote: ReportCandidate, rttMs: number | null): string {
  const side = (c: ReportCandidate): string =>
    `${c.type} ${c.protocol} ${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
  return `selected pair  ${side(local)}  <->  ${side(remote)}${rttMs !== null ? `  rtt ${rttMs.toFixed(1)} ms` : ''}`;
}
