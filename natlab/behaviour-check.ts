import type { Behaviour } from './behaviour.js';
import { measureWithClient, type ClientNat } from './client-nat.js';
import { buildSide, removeSide } from './nat-side.js';
import type { Lab } from './lab.js';
import { discoverNat, type FilteringBehaviour, type MappingBehaviour, type NatDiscovery } from './nat-discovery.js';

export interface ExpectedDiscovery {
  reachable: boolean;
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
}

/** What coturn's RFC 5780 discovery must report behind each router behaviour. */
export const EXPECTED_DISCOVERY: Record<Behaviour, ExpectedDiscovery> = {
  none: { reachable: true, mapping: 'no-nat', filtering: 'endpoint-independent' },
  easy: { reachable: true, mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' },
  adm: { reachable: true, mapping: 'address-dependent', filtering: 'address-and-port-dependent' },
  hard: { reachable: true, mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
  full: { reachable: true, mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  udpblock: { reachable: false, mapping: null, filtering: null },
};

export interface BehaviourCheck {
  behaviour: Behaviour;
  expected: ExpectedDiscovery;
  measured: NatDiscovery;
  /** The peer CLI's own measurement (`bin/client --nat-only`), null when not run. */
  client: ClientNat | null;
  /** Why the CLI's measurement differs from the lab's; empty when it agrees. */
  clientMisses: string[];
  met: boolean;
}

export function judgeDiscovery(
  behaviour: Behaviour,
  measured: NatDiscovery,
  client: ClientNat | null = null,
): BehaviourCheck {
  const expected = EXPECTED_DISCOVERY[behaviour];
  const clientMisses = client === null ? [] : judgeClient(expected, client);
  const met =
    measured.reachable === expected.reachable &&
    measured.mapping === expected.mapping &&
    measured.filtering === expected.filtering &&
    clientMisses.length === 0;
  return { behaviour, expected, measured, client, clientMisses, met };
}

/**
 * The CLI must find the lab's mapping and, since the lab's coturn offers
 * RFC 5780, its filtering too; behind udpblock it must say that nothing
 * answered (mapping unknown, no public address, exit 1).
 */
export function judgeClient(expected: ExpectedDiscovery, client: ClientNat): string[] {
  const misses: string[] = [];
  if (!expected.reachable) {
    if (client.publicAddresses.length > 0)
      misses.push(`the CLI saw ${client.publicAddresses.join(' ')} behind a UDP block`);
    if (client.exitCode !== 1)
      misses.push(`the CLI exited ${client.exitCode ?? 'by a signal'}, not 1 (nothing measured)`);
    return misses;
  }
  if (client.mapping !== expected.mapping)
    misses.push(`the CLI measured mapping ${client.mapping ?? '-'}, the lab ${expected.mapping ?? '-'}`);
  if (client.filtering !== expected.filtering)
    misses.push(`the CLI measured filtering ${client.filtering ?? '-'}, the lab ${expected.filtering ?? '-'}`);
  if (client.method !== 'rfc5780') misses.push(`the CLI measured by ${client.method ?? '-'}, not RFC 5780`);
  if (client.exitCode !== 0) misses.push(`the CLI exited ${client.exitCode ?? 'by a signal'}`);
  return misses;
}

/** Builds side A with each behaviour in turn (fresh router, so no stale conntrack) and measures it. */
export async function checkBehaviours(
  lab: Lab,
  behaviours: readonly Behaviour[],
  clientPath?: string,
): Promise<BehaviourCheck[]> {
  const out: BehaviourCheck[] = [];
  for (const behaviour of behaviours) {
    const plan = await buildSide(lab, 'A', behaviour);
    try {
      const measured = await discoverNat(lab, 'peerA', plan.peer);
      const client = clientPath !== undefined ? await measureWithClient(lab, 'peerA', clientPath) : null;
      out.push(judgeDiscovery(behaviour, measured, client));
    } finally {
      await removeSide(lab, 'A');
    }
  }
  return out;
}
