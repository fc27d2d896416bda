/**
 * Summaries of latency samples for the benchmarks. Nearest-rank percentiles:
 * with 1,000 samples, p99 is the 990th smallest, a value that was measured.
 * The median is the client's (client/median.ts): the mean of the two middle
 * samples when their number is even.
 */
export { median } from '../client/median.js';

/** The p-th percentile (0 < p <= 100) of samples, by nearest rank; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
