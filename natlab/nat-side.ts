import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUB_CORE, PUB_PREFIX_LEN, sidePlan, type Side, type SidePlan } from './addresses.js';
import type { Behaviour } from './behaviour.js';
import { probe, run } from './command.js';
import type { Lab } from './lab.js';
import { routerRules } from './router-rules.js';

/**
 * One side of the lab: router natX (wan0 on the pub bridge, lan0 to the LAN)
 * and peerX behind it. Veths are created directly inside the namespaces, so
 * nothing ever appears in the root namespace.
 */
export async function buildSide(lab: Lab, side: Side, behaviour: Behaviour): Promise<SidePlan> {
  const plan = sidePlan(side, behaviour);
  const router = await lab.addNamespace(side === 'A' ? 'natA' : 'natB');
  const peer = await lab.addNamespace(side === 'A' ? 'peerA' : 'peerB');
  const pub = lab.ns('pub');
  const uplink = `to-nat${side}`;

  await run(['ip', 'link', 'add', 'wan0', 'netns', router, 'type', 'veth', 'peer', 'name', uplink, 'netns', pub]);
  await run(['ip', '-n', pub, 'link', 'set', uplink, 'master', 'br0', 'up']);
  await run(['ip', '-n', router, 'addr', 'add', `${plan.wan}/${PUB_PREFIX_LEN}`, 'dev', 'wan0']);
  if (behaviour === 'adm') await run(['ip', '-n', router, 'addr', 'add', `${plan.wanSecond}/32`, 'dev', 'wan0']);
  await run(['ip', '-n', router, 'link', 'set', 'wan0', 'up']);

  await run(['ip', 'link', 'add', 'lan0', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer]);
  await run(['ip', '-n', router, 'addr', 'add', `${plan.routerLan}/${plan.lanPrefixLen}`, 'dev', 'lan0']);
  await run(['ip', '-n', router, 'link', 'set', 'lan0', 'up']);
  await run(['ip', '-n', router, 'route', 'add', 'default', 'via', PUB_CORE]);
  await run(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);

  const rulesFile = join(lab.logDir, `router-${side}-${behaviour}.rules`);
  writeFileSync(rulesFile, routerRules(behaviour, plan.peer, { primary: plan.wan, second: plan.wanSecond }));
  await run(['ip', 'netns', 'exec', router, 'iptables-restore', rulesFile]);

  await run(['ip', '-n', peer, 'addr', 'add', `${plan.peer}/${plan.lanPrefixLen}`, 'dev', 'eth0']);
  await run(['ip', '-n', peer, 'link', 'set', 'eth0', 'up']);
  await run(['ip', '-n', peer, 'route', 'add', 'default', 'via', plan.routerLan]);
  return plan;
}

/**
 * Deletes the uplink first: a deleted namespace frees its links asynchronously,
 * so the next cell's uplink of the same name could still find the old one.
 */
export async function removeSide(lab: Lab, side: Side): Promise<void> {
  await probe(['ip', '-n', lab.ns('pub'), 'link', 'del', `to-nat${side}`]);
  await lab.removeNamespaces(side === 'A' ? ['peerA', 'natA'] : ['peerB', 'natB']);
}
