/**
 * The median of samples: the middle one, or the mean of the two in the
 * middle when their number is even; NaN when there are none. The one
 * definition: the report's round trips (chat-message.ts) and the benchmarks
 * (bench/stats.ts) use it.
 */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
