import { PUB_CORE, sidePlan, type SidePlan } from './addresses.js';
import { run } from './command.js';
import type { Lab } from './lab.js';
import { buildSide, removeSide } from './nat-side.js';

/** Both peers behind one router, each on a LAN of its own, with the router hairpinning or not. */
export type SameRouter = 'hairpin' | 'no-hairpin';

/**
 * Router A (easy) gets a second LAN, lan1 (10.0.3.0/24), with the offerer
 * on it. The two LANs may not reach each other (FORWARD drops lan0<->lan1),
 * so host candidates are useless and only the router's public address
 * connects them: a packet from a LAN to that address must come back in.
 *
 * Netfilter cannot look a mapping up by its public port, so the hairpin is
 * built by going round: packets from the LANs to the router's own public
 * address are routed out to the "internet" (pub) and come back on wan0,
 * where conntrack finds the other peer's mapping like for any outside
 * sender (accept_local lets a packet from our own address in). Without it
 * they are delivered to the router itself, which has nothing listening.
 */
export async function buildSameRouter(lab: Lab, mode: SameRouter): Promise<{ answerer: SidePlan; offerer: SidePlan }> {
  const answerer = await buildSide(lab, 'A', 'easy');
  const offerer: SidePlan = {
    ...sidePlan('A', 'easy'),
    lanPrefix: '10.0.3.0',
    routerLan: '10.0.3.1',
    peer: '10.0.3.2',
  };
  const router = lab.ns('natA');
  const peer = await lab.addNamespace('peerB');
  await run(['ip', 'link', 'add', 'lan1', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer]);
  await run(['ip', '-n', router, 'addr', 'add', `${offerer.routerLan}/24`, 'dev', 'lan1']);
  await run(['ip', '-n', router, 'link', 'set', 'lan1', 'up']);
  await run(['ip', 'netns', 'exec', router, 'iptables', '-A', 'FORWARD', '-i', 'lan1', '-o', 'wan0', '-j', 'ACCEPT']);
  await run(['ip', '-n', peer, 'addr', 'add', `${offerer.peer}/24`, 'dev', 'eth0']);
  await run(['ip', '-n', peer, 'link', 'set', 'eth0', 'up']);
  await run(['ip', '-n', peer, 'route', 'add', 'default', 'via', offerer.routerLan]);
  if (mode === 'hairpin') {
    const wan = `${answerer.wan}/32`;
    for (const lan of ['lan0', 'lan1']) {
      await run(['ip', '-n', router, 'rule', 'add', 'pref', '10', 'iif', lan, 'to', wan, 'lookup', '100']);
    }
    await run(['ip', '-n', router, 'route', 'add', 'default', 'via', PUB_CORE, 'dev', 'wan0', 'table', '100']);
    // The local table comes first by default: move it behind the hairpin rules.
    await run(['ip', '-n', router, 'rule', 'add', 'pref', '100', 'lookup', 'local']);
    await run(['ip', '-n', router, 'rule', 'del', 'pref', '0', 'lookup', 'local']);
    await run([
      'ip',
      'netns',
      'exec',
      router,
      'sysctl',
      '-qw',
      'net.ipv4.conf.all.accept_local=1',
      'net.ipv4.conf.wan0.accept_local=1',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.wan0.rp_filter=0',
    ]);
  }
  return { answerer, offerer };
}

export async function removeSameRouter(lab: Lab): Promise<void> {
  await lab.removeNamespaces(['peerB']);
  await removeSide(lab, 'A');
}
