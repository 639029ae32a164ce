// Order statistics for tests, benchmarks and the demo's checks: one definition, so that a
// "median" in a test's bound and in a RESULTS table mean the same thing.

function sortedCopy(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new Error(`${what} of no values: the measurement produced none`);
  return [...values].sort((a, b) => a - b);
}

/** The q-quantile by nearest rank: the value at rank ⌊q·n⌋ of the sorted values (the largest for q = 1). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = sortedCopy(values, `the ${q} quantile`);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values, 'the median');
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
