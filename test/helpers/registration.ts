import type { RegisterOutcome } from '../../signaling/store/store.js';

/** The token a store's registration handed out (the store tests send with it). */
export function tokenOf(outcome: RegisterOutcome): string {
  if (!outcome.ok) throw new Error(`registration refused: ${outcome.error}`);
  return outcome.token;
}
