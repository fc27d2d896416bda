import { PUB_PRIMARY, TURN_PORT } from './addresses.js';
import { probe } from './command.js';
import type { Lab } from './lab.js';
import type { NamespaceRole } from './lab-id.js';

/** Connections a router has tracked from its LAN to coturn's primary address. */
export interface TurnFlows {
  udp: number;
  tcp: number;
}

/**
 * Reads the router's conntrack table: which transports its peer really used
 * to reach coturn. Packets a router dropped never become entries, so behind
 * udpblock only TCP flows can appear. Read before the router is deleted.
 */
export async function turnFlows(lab: Lab, router: NamespaceRole): Promise<TurnFlows> {
  const count = async (proto: 'udp' | 'tcp'): Promise<number> => {
    const r = await probe([
      'ip',
      'netns',
      'exec',
      lab.ns(router),
      'conntrack',
      '-L',
      '-p',
      proto,
      '-d',
      PUB_PRIMARY,
      '--dport',
      String(TURN_PORT),
    ]);
    return r.stdout.split('\n').filter((line) => line.trim() !== '').length;
  };
  return { udp: await count('udp'), tcp: await count('tcp') };
}

/** The relay transport the flows prove, or null when they do not decide it. */
export function relayTransportFrom(flows: TurnFlows): 'udp' | 'tcp' | null {
  if (flows.tcp > 0 && flows.udp === 0) return 'tcp';
  if (flows.udp > 0 && flows.tcp === 0) return 'udp';
  return null;
}
