/**
 * The NAT behaviours a lab router can have, and what each one means in
 * RFC 4787 / RFC 5780 terms. The iptables rules that produce them live in
 * router-rules.ts; nat-discovery.ts measures them.
 */
export const BEHAVIOURS = ['none', 'easy', 'adm', 'hard', 'full', 'udpblock'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export function isBehaviour(s: string): s is Behaviour {
  return (BEHAVIOURS as readonly string[]).includes(s);
}

export const BEHAVIOUR_MEANING: Record<Behaviour, string> = {
  none: 'no NAT, no firewall: the peer has a public address',
  easy: 'endpoint-independent mapping, address-and-port-dependent filtering (a typical home router)',
  adm: 'address-dependent mapping: one public address toward the STUN/TURN server, a second toward everything else (ports kept), address-and-port-dependent filtering',
  hard: 'address-and-port-dependent mapping ("symmetric"): a new public port for every destination',
  full: 'endpoint-independent mapping and filtering ("full cone"): anyone may send to the mapped port',
  udpblock: 'easy NAT whose firewall drops all UDP leaving the LAN: only TCP gets out',
};
