// Reading a collector's /metrics (OpenMetrics text) in tests.

/** The value of one sample ("name" or 'name{label="x"}') in an exposition text; NaN when absent. */
export function metricSample(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}
