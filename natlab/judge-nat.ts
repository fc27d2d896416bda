import type { Behaviour } from './behaviour.js';
import { EXPECTED_DISCOVERY } from './behaviour-check.js';
import type { Expectation, Role } from './expectation.js';
import type { PeerSummary } from './peer-report.js';
import type { SameRouter } from './same-router.js';

const ROLES: readonly Role[] = ['answerer', 'offerer'];

/**
 * The CLI's own view of a cell (client/nat/): each side measured its router
 * as the lab built it, predicted what the cell must show, and both printed
 * one joint line, the same on both sides, that found the path as predicted.
 */
export function judgeNat(
  expect: Expectation,
  behaviours: Record<Role, Behaviour>,
  peers: Record<Role, PeerSummary>,
  sameRouter?: SameRouter,
): string[] {
  const misses: string[] = [];
  for (const role of ROLES) {
    const nat = peers[role].nat;
    if (sameRouter && nat !== null && nat.hairpin !== (sameRouter === 'hairpin'))
      misses.push(
        `${role}: measured hairpin ${String(nat.hairpin)} behind a router that ${sameRouter === 'hairpin' ? 'hairpins' : 'does not'}`,
      );
    const lab = EXPECTED_DISCOVERY[behaviours[role]];
    if (nat === null) {
      misses.push(`${role}: no NAT measurement in its report`);
    } else if (!lab.reachable) {
      if (nat.seen > 0) misses.push(`${role}: measured a public address behind a UDP block`);
    } else {
      if (nat.mapping !== lab.mapping)
        misses.push(`${role}: measured mapping ${nat.mapping ?? '-'}, the router's is ${lab.mapping ?? '-'}`);
      if (nat.filtering !== lab.filtering)
        misses.push(`${role}: measured filtering ${nat.filtering ?? '-'}, the router's is ${lab.filtering ?? '-'}`);
    }
    if (peers[role].prediction !== expect.prediction)
      misses.push(
        `${role}: predicted direct ${peers[role].prediction ?? '(nothing)'}, the cell needs ${expect.prediction}`,
      );
  }
  const [a, o] = [peers.answerer.joint, peers.offerer.joint];
  if (a === null || o === null) misses.push(`no joint line from the ${a === null ? 'answerer' : 'offerer'}`);
  else if (a !== o) misses.push(`the joint lines differ: answerer "${a}", offerer "${o}"`);
  else if (expect.prediction !== 'unknown' && !/, as predicted/.test(a))
    misses.push(`the joint line does not find the path as predicted: ${a}`);
  return misses;
}

/** The table's cell: the joint line's judgement of the prediction, or what is missing. */
export function jointWords(peers: Record<Role, PeerSummary>): string {
  const [a, o] = [peers.answerer.joint, peers.offerer.joint];
  if (a === null && o === null) return '-';
  if (a !== o) return 'differ';
  const line = a ?? '';
  if (/, as predicted/.test(line)) return 'as predicted';
  if (/not as predicted/.test(line)) return 'NOT as predicted';
  return /sent no report/.test(line) ? 'one side' : 'no prediction';
}
