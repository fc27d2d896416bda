import type { Behaviour } from './behaviour.js';

/**
 * The lab's address plan. Everything lives inside the lab's own namespaces, so
 * two runs use the same addresses without meeting. The "internet" is
 * 203.0.113.0/25 (documentation range) on the pub bridge; a peer without NAT
 * gets a routed slice of the upper half, a peer behind NAT a private /24.
 */
export const PUB_PREFIX_LEN = 25;
/** pub's own router address: the default gateway of both NAT routers. */
export const PUB_CORE = '203.0.113.1';
/** coturn's primary address; the signaling service listens here too. */
export const PUB_PRIMARY = '203.0.113.10';
/** coturn's second address, which switches on its RFC 5780 behaviour tests. */
export const PUB_ALTERNATE = '203.0.113.11';
export const TURN_PORT = 3478;
export const SIGNALING_PORT = 8080;

export type Side = 'A' | 'B';

export interface SidePlan {
  /** The router's address on the pub bridge: the NAT's public address. */
  wan: string;
  /** A second public address (only `adm` uses it: its mapping toward everything but coturn's primary address). */
  wanSecond: string;
  /** The LAN between router and peer. */
  lanPrefix: string;
  lanPrefixLen: number;
  routerLan: string;
  peer: string;
}

const SIDE_INDEX: Record<Side, number> = { A: 1, B: 2 };

export function sidePlan(side: Side, behaviour: Behaviour): SidePlan {
  const i = SIDE_INDEX[side];
  const wan = `203.0.113.${100 + i}`;
  const wanSecond = `203.0.113.${110 + i}`;
  if (behaviour === 'none') {
    // 203.0.113.128/26 behind router A, 203.0.113.192/26 behind router B.
    const base = 64 + 64 * i;
    return {
      wan,
      wanSecond,
      lanPrefix: `203.0.113.${base}`,
      lanPrefixLen: 26,
      routerLan: `203.0.113.${base + 1}`,
      peer: `203.0.113.${base + 2}`,
    };
  }
  return { wan, wanSecond, lanPrefix: `10.0.${i}.0`, lanPrefixLen: 24, routerLan: `10.0.${i}.1`, peer: `10.0.${i}.2` };
}
