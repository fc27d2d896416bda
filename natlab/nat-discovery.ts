import { PUB_PRIMARY } from './addresses.js';
import { probe } from './command.js';
import type { Lab } from './lab.js';
import type { NamespaceRole } from './lab-id.js';

export type MappingBehaviour = 'no-nat' | 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
export type FilteringBehaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

export interface NatDiscovery {
  /** False when no STUN answer came back before the timeout (UDP blocked). */
  reachable: boolean;
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
  /** Every distinct public address:port the STUN server saw. */
  reflexive: string[];
  timedOut: boolean;
}

const MAPPING: ReadonlyArray<[string, MappingBehaviour]> = [
  ['No NAT! (Endpoint Independent Mapping)', 'no-nat'],
  ['NAT with Endpoint Independent Mapping!', 'endpoint-independent'],
  ['NAT with Address Dependent Mapping!', 'address-dependent'],
  ['NAT with Address and Port Dependent Mapping!', 'address-and-port-dependent'],
];
const FILTERING: ReadonlyArray<[string, FilteringBehaviour]> = [
  ['NAT with Endpoint Independent Filtering!', 'endpoint-independent'],
  ['NAT with Address Dependent Filtering!', 'address-dependent'],
  ['NAT with Address and Port Dependent Filtering!', 'address-and-port-dependent'],
];

/** Reads the verdict lines of `turnutils_natdiscovery -m -f` (coturn 4.6). */
export function parseNatDiscovery(output: string, timedOut: boolean): NatDiscovery {
  const lines = output.split('\n').map((l) => l.trim());
  const find = <T>(table: ReadonlyArray<[string, T]>): T | null =>
    table.find(([text]) => lines.includes(text))?.[1] ?? null;
  const reflexive = [...new Set(lines.flatMap((l) => /UDP reflexive addr: (\S+)/.exec(l)?.[1] ?? []))];
  return { reachable: reflexive.length > 0, mapping: find(MAPPING), filtering: find(FILTERING), reflexive, timedOut };
}

/**
 * Runs coturn's RFC 5780 behaviour discovery from a peer's namespace against
 * the lab's coturn. The tool waits forever when UDP is blocked, hence timeout(1).
 */
export async function discoverNat(
  lab: Lab,
  peer: NamespaceRole,
  localAddress: string,
  timeoutS = 12,
): Promise<NatDiscovery> {
  // -L: bound to 0.0.0.0 the tool cannot tell "no NAT" from endpoint-independent mapping.
  const argv = [
    'ip',
    'netns',
    'exec',
    lab.ns(peer),
    'timeout',
    String(timeoutS),
    'turnutils_natdiscovery',
    '-m',
    '-f',
    '-L',
    localAddress,
    PUB_PRIMARY,
  ];
  const r = await probe(argv, (timeoutS + 5) * 1000);
  return parseNatDiscovery(r.stdout, r.code === 124);
}
