import { PUB_PRIMARY } from './addresses.js';
import type { Behaviour } from './behaviour.js';

/**
 * The ruleset of one lab router, in iptables-restore format so it is applied
 * in one atomic step. Interfaces: wan0 on the pub bridge, lan0 to the peer.
 *
 * Every behaviour shares the firewall skeleton: FORWARD drops by default,
 * replies (established/related) pass, the LAN may go out. Unsolicited packets
 * to the router itself on wan0 are dropped: otherwise an early packet from the
 * other peer makes conntrack claim the public port first and MASQUERADE picks
 * another one for the peer's own flow, which breaks "easy" mapping.
 */
export function routerRules(
  behaviour: Behaviour,
  peerAddress: string,
  wan: { primary: string; second: string },
): string {
  const filter: string[] = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    `:FORWARD ${behaviour === 'none' ? 'ACCEPT' : 'DROP'} [0:0]`,
    ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -i wan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -i wan0 -j DROP',
    '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  ];
  const nat: string[] = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
  ];

  switch (behaviour) {
    case 'none':
      // A plain router in front of a public host: nothing translated, nothing filtered.
      break;
    case 'easy':
      nat.push('-A POSTROUTING -o wan0 -j MASQUERADE');
      break;
    case 'adm':
      // Netfilter maps per connection and keeps the source port where it can; a mapping that
      // depends on the destination address only comes from the source address: SNAT to the
      // primary toward coturn's primary address (STUN, TURN, the service), to a second one
      // toward every other address (coturn's alternate, the other peer).
      nat.push(`-A POSTROUTING -o wan0 -d ${PUB_PRIMARY} -j SNAT --to-source ${wan.primary}`);
      nat.push(`-A POSTROUTING -o wan0 -j SNAT --to-source ${wan.second}`);
      break;
    case 'hard':
      // --random-fully picks a fresh source port per connection (per destination).
      nat.push('-A POSTROUTING -o wan0 -j MASQUERADE --random-fully');
      break;
    case 'full':
      // MASQUERADE keeps the source port, so DNAT of any inbound UDP port to the
      // one LAN host maps public:port back to the same private port.
      nat.push('-A POSTROUTING -o wan0 -j MASQUERADE');
      nat.push(`-A PREROUTING -i wan0 -p udp -j DNAT --to-destination ${peerAddress}`);
      filter.push('-A FORWARD -i wan0 -o lan0 -m conntrack --ctstate DNAT -j ACCEPT');
      break;
    case 'udpblock':
      nat.push('-A POSTROUTING -o wan0 -j MASQUERADE');
      filter.push('-A FORWARD -i lan0 -o wan0 -p udp -j DROP');
      break;
  }
  filter.push('-A FORWARD -i lan0 -o wan0 -j ACCEPT');
  return [...filter, 'COMMIT', ...nat, 'COMMIT', ''].join('\n');
}
