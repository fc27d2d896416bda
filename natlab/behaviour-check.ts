import type { Behaviour } from './behaviour.js';
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
  hard: { reachable: true, mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
  full: { reachable: true, mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  udpblock: { reachable: false, mapping: null, filtering: null },
};

export interface BehaviourCheck {
  behaviour: Behaviour;
  expected: ExpectedDiscovery;
  measured: NatDiscovery;
  met: boolean;
}

export function judgeDiscovery(behaviour: Behaviour, measured: NatDiscovery): BehaviourCheck {
  const expected = EXPECTED_DISCOVERY[behaviour];
  const met =
    measured.reachable === expected.reachable &&
    measured.mapping === expected.mapping &&
    measured.filtering === expected.filtering;
  return { behaviour, expected, measured, met };
}

/** Builds side A with each behaviour in turn (fresh router, so no stale conntrack) and measures it. */
export async function checkBehaviours(lab: Lab, behaviours: readonly Behaviour[]): Promise<BehaviourCheck[]> {
  const out: BehaviourCheck[] = [];
  for (const behaviour of behaviours) {
    const plan = await buildSide(lab, 'A', behaviour);
    try {
      out.push(judgeDiscovery(behaviour, await discoverNat(lab, 'peerA', plan.peer)));
    } finally {
      await removeSide(lab, 'A');
    }
  }
  return out;
}
