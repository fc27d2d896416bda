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
