import type { Expectation, Role } from './expectation.js';
import type { PeerSummary } from './peer-report.js';

export interface Verdict {
  met: boolean;
  /** Why the cell missed its expectation; empty when met. */
  misses: string[];
}

const DIRECT_REMOTE = new Set(['srflx', 'prflx']);

const OTHER: Record<Role, Role> = { answerer: 'offerer', offerer: 'answerer' };

/**
 * A host-to-host path: both ends host candidates. The remote end may be
 * peer-reflexive when the other side's check arrived before its candidate
 * did; it is still the other peer's own address.
 */
function hostToHost(role: Role, peers: Record<Role, PeerSummary>, hostAddress: Record<Role, string>): boolean {
  const { local, remote } = peers[role];
  if (local?.type !== 'host') return false;
  return remote?.type === 'host' || (remote?.type === 'prflx' && remote.address === hostAddress[OTHER[role]]);
}

/** Compares what both peers reported with the cell's expectation; hostAddress: each peer's own address. */
export function judge(expect: Expectation, peers: Record<Role, PeerSummary>, hostAddress: Record<Role, string>): Verdict {
  const misses: string[] = [];
  const roles: Role[] = ['answerer', 'offerer'];
  const connected = roles.every((r) => peers[r].ok);

  if (!expect.connected) {
    for (const r of roles) if (peers[r].dataChannelOpenMs !== null) misses.push(`${r} connected, but this cell must not`);
    return { met: misses.length === 0, misses };
  }
  for (const r of roles) {
    if (!peers[r].ok) misses.push(`${r} did not complete the exchange (${peers[r].errorCode ?? 'no report'})`);
  }
  if (!connected) return { met: false, misses };

  const types = roles.flatMap((r) => [peers[r].local?.type, peers[r].remote?.type]);
  const relayed = types.includes('relay');
  switch (expect.path) {
    case 'host':
      if (!roles.every((r) => hostToHost(r, peers, hostAddress))) misses.push(`want host on both ends, got ${pathText(peers)}`);
      break;
    case 'direct':
      if (relayed) misses.push(`want a direct path, got a relay: ${pathText(peers)}`);
      else if (!roles.some((r) => DIRECT_REMOTE.has(peers[r].remote?.type ?? ''))) misses.push(`want a path through a NAT mapping (srflx/prflx), got ${pathText(peers)}`);
      break;
    case 'relay':
      if (!relayed) misses.push(`want a relay, got ${pathText(peers)}`);
      break;
    case 'none':
      break;
  }
  for (const r of expect.relayOn) {
    if (peers[r].local?.type !== 'relay') misses.push(`${r} must use its own relay candidate, got ${peers[r].local?.type ?? 'none'}`);
  }
  for (const r of expect.tcpRelayOn) {
    if (peers[r].local?.relayProtocol !== 'tcp') misses.push(`${r} must reach TURN over TCP, got ${peers[r].local?.relayProtocol ?? 'unknown'}`);
  }
  return { met: misses.length === 0, misses };
}

function pathText(peers: Record<Role, PeerSummary>): string {
  return (['answerer', 'offerer'] as const).map((r) => `${r} ${peers[r].local?.type ?? '?'}->${peers[r].remote?.type ?? '?'}`).join(', ');
}
