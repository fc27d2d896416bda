import { PUB_ALTERNATE, PUB_CORE, PUB_PREFIX_LEN, PUB_PRIMARY, sidePlan } from './addresses.js';
import { run } from './command.js';
import type { Lab } from './lab.js';

/**
 * The lab's "internet": namespace pub with bridge br0. pub also routes the
 * public LANs of routers in mode "none" (they are not on the bridge), and
 * sends no ICMP redirects, so the routers keep using it as their gateway.
 *
 * Everything else (the peers' private addresses) goes to a device that
 * silently drops it, as the real internet does. Without that default route
 * coturn's sends to a peer's host candidate fail with ENETUNREACH, and coturn
 * closes the whole allocation on that error: every relayed path then dies as
 * soon as ICE pairs a relay candidate with a private host candidate.
 */
export async function buildPublicSegment(lab: Lab): Promise<void> {
  const ns = await lab.addNamespace('pub');
  await run(['ip', '-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
  await run(['ip', '-n', ns, 'link', 'set', 'br0', 'up']);
  for (const addr of [PUB_CORE, PUB_PRIMARY, PUB_ALTERNATE]) {
    await run(['ip', '-n', ns, 'addr', 'add', `${addr}/${PUB_PREFIX_LEN}`, 'dev', 'br0']);
  }
  await lab.exec('pub', [
    'sysctl',
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.send_redirects=0',
    'net.ipv4.conf.br0.send_redirects=0',
  ]);
  // A veth whose other end stays down drops what it is given without an error
  // (this kernel has no dummy driver; a blackhole route makes sends fail with EINVAL).
  await run(['ip', '-n', ns, 'link', 'add', 'nowhere0', 'type', 'veth', 'peer', 'name', 'nowhere1']);
  await run(['ip', '-n', ns, 'link', 'set', 'nowhere0', 'arp', 'off', 'up']);
  await run(['ip', '-n', ns, 'route', 'add', 'default', 'dev', 'nowhere0']);
  for (const side of ['A', 'B'] as const) {
    const plan = sidePlan(side, 'none');
    await run(['ip', '-n', ns, 'route', 'add', `${plan.lanPrefix}/${plan.lanPrefixLen}`, 'via', plan.wan]);
  }
}
