import type { Expectation, Role } from './expectation.js';
import type { PeerSummary } from './peer-report.js';

export interface Verdict {
  met: boolean;
  /** Why the cell missed its expectation; empty when met. */
  misses: string[];
  /** What a reader should know although the cell met its expectation. */
  notes: string[];
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
export function judge(
  expect: Expectation,
  peers: Record<Role, PeerSummary>,
  hostAddress: Record<Role, string>,
): Verdict {
  const misses: string[] = [];
  const roles: Role[] = ['answerer', 'offerer'];
  const connected = roles.every((r) => peers[r].ok);

  if (!expect.connected) {
    for (const r of roles)
      if (peers[r].dataChannelOpenMs !== null) misses.push(`${r} connected, but this cell must not`);
    return { met: misses.length === 0, misses, notes: [] };
  }
  for (const r of roles) {
    if (!peers[r].ok) misses.push(`${r} did not complete the exchange (${peers[r].errorCode ?? 'no report'})`);
  }
  if (!connected) return { met: false, misses, notes: [] };

  const notes: string[] = [];
  const relayedOn = (r: Role): boolean => peers[r].local?.type === 'relay' || peers[r].remote?.type === 'relay';
  // A side's selected pair is one whose check succeeded both ways, so one side
  // on a direct pair proves the direct path. werift's controlling side puts
  // USE-CANDIDATE on every check (aggressive nomination) and each side keeps
  // the first nominated pair that succeeds, so on a busy machine the two sides
  // can settle on different pairs, one of them through its relay: noted, not a
  // miss. A relay where no direct path can exist is still checked strictly.
  // want: the path that proves the expectation; fine: what the other side may show.
  const directPath = (want: (r: Role) => boolean, fine: (r: Role) => boolean, what: string): void => {
    if (!roles.some(want)) {
      misses.push(`want ${what}, got ${pathText(peers)}`);
      return;
    }
    for (const r of roles.filter((x) => !fine(x))) {
      if (relayedOn(r))
        notes.push(
          `${r} settled on its relay (${pathText(peers)}) although ${what} worked: werift nominates aggressively and each side keeps the first pair to succeed`,
        );
      else
        misses.push(
          `want ${what} on both sides, ${r} has ${peers[r].local?.type ?? '?'}->${peers[r].remote?.type ?? '?'}`,
        );
    }
  };
  switch (expect.path) {
    case 'host':
      directPath(
        (r) => hostToHost(r, peers, hostAddress),
        (r) => hostToHost(r, peers, hostAddress),
        'host to host',
      );
      break;
    case 'direct':
      directPath(
        (r) => !relayedOn(r) && DIRECT_REMOTE.has(peers[r].remote?.type ?? ''),
        (r) => !relayedOn(r),
        'a direct path through a NAT mapping (srflx/prflx)',
      );
      break;
    case 'relay':
      if (!roles.some(relayedOn)) misses.push(`want a relay, got ${pathText(peers)}`);
      break;
    case 'none':
      break;
  }
  for (const r of expect.relayOn) {
    if (peers[r].local?.type !== 'relay')
      misses.push(`${r} must use its own relay candidate, got ${peers[r].local?.type ?? 'none'}`);
  }
  for (const r of expect.tcpRelayOn) {
    if (peers[r].local?.relayProtocol !== 'tcp')
      misses.push(`${r} must reach TURN over TCP, got ${peers[r].local?.relayProtocol ?? 'unknown'}`);
  }
  return { met: misses.length === 0, misses, notes };
}

function pathText(peers: Record<Role, PeerSummary>): string {
  return (['answerer', 'offerer'] as const)
    .map((r) => `${r} ${peers[r].local?.type ?? '?'}->${peers[r].remote?.type ?? '?'}`)
    .join(', ');
}
