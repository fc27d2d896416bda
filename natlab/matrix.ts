import { isBehaviour, type Behaviour } from './behaviour.js';
import type { SameRouter } from './same-router.js';

/**
 * How the peers may connect: `default` hands them STUN and TURN, `relay-only`
 * adds --relay-only (ICE policy relay), `no-turn` leaves TURN out, so only
 * direct paths exist and the cells that need a relay must fail.
 */
export const MODES = ['default', 'relay-only', 'no-turn'] as const;
export type Mode = (typeof MODES)[number];

export interface Cell {
  /** Behaviour of router A, the answerer's side. */
  answerer: Behaviour;
  /** Behaviour of router B, the offerer's side. */
  offerer: Behaviour;
  mode: Mode;
  /** Both peers behind router A (easy), on two LANs: the hairpin cells. */
  sameRouter?: SameRouter;
}

/** The hairpin cells: two peers behind one easy router, which hairpins or not. */
export const SAME_ROUTER_CELLS: readonly Cell[] = [
  { answerer: 'easy', offerer: 'easy', mode: 'default', sameRouter: 'hairpin' },
  { answerer: 'easy', offerer: 'easy', mode: 'default', sameRouter: 'no-hairpin' },
];

/** The pairs that tell the behaviours apart (answerer × offerer). */
export const DEFAULT_PAIRS: ReadonlyArray<readonly [Behaviour, Behaviour]> = [
  ['none', 'none'],
  ['none', 'hard'],
  ['easy', 'easy'],
  ['easy', 'hard'],
  ['adm', 'easy'],
  ['full', 'adm'],
  ['hard', 'hard'],
  ['full', 'hard'],
  ['udpblock', 'easy'],
  ['udpblock', 'hard'],
];
export const DEFAULT_MODES: readonly Mode[] = ['default', 'relay-only'];

/** The reduced matrix that CI runs. */
export const REDUCED_PAIRS: ReadonlyArray<readonly [Behaviour, Behaviour]> = [
  ['easy', 'easy'],
  ['hard', 'hard'],
  ['udpblock', 'easy'],
];

export function buildCells(pairs: ReadonlyArray<readonly [Behaviour, Behaviour]>, modes: readonly Mode[]): Cell[] {
  return modes.flatMap((mode) => pairs.map(([answerer, offerer]) => ({ answerer, offerer, mode })));
}

/** Parses "easy:hard" (answerer:offerer) or "easy" (both sides). */
export function parsePair(text: string): readonly [Behaviour, Behaviour] {
  const parts = text.split(/[:x×]/);
  const a = parts[0] ?? '';
  const b = parts[1] ?? a;
  if (parts.length > 2 || !isBehaviour(a) || !isBehaviour(b)) {
    throw new Error(`bad pair "${text}": want answerer:offerer, each one of none, easy, adm, hard, full, udpblock`);
  }
  return [a, b];
}

export function cellName(cell: Cell): string {
  if (cell.sameRouter) return `samenat-${cell.sameRouter}-${cell.mode}`;
  return `${cell.answerer}x${cell.offerer}-${cell.mode}`;
}
