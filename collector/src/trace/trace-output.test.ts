import { describe, expect, it } from 'vitest';
import { distinctPaths, distinctPathsText, hopJsonLines, reportText } from './trace-output.js';
import type { HopResult, TraceResult } from './trace-types.js';

const hop = (flow: number, n: number, addr: string | null, rtt: number | null, reached = false): HopResult => ({
  target: '198.19.0.1',
  flow,
  hop: n,
  addr,
  sent: 3,
  received: addr === null ? 0 : 3,
  rttMsMin: rtt,
  rttMsAvg: rtt,
  rttMsMax: rtt,
  reached,
});
const trace = (flow: number, middle: string): TraceResult => ({
  target: '198.19.0.1',
  flow,
  hops: [
    hop(flow, 1, '198.18.100.2', 0.2),
    hop(flow, 2, middle, 1.5),
    hop(flow, 3, null, null),
    hop(flow, 4, '198.19.0.1', 2, true),
  ],
  reached: true,
  startedAtUs: 0,
});

describe('trace output', () => {
  it('writes one NDJSON line per hop with the contract keys, null for a silent hop', () => {
    const lines = hopJsonLines(trace(0, '198.18.103.2'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0]!)).toEqual([
      'target',
      'flow',
      'hop',
      'addr',
      'sent',
      'received',
      'rtt_ms_min',
      'rtt_ms_avg',
      'rtt_ms_max',
    ]);
    expect(lines[2]).toMatchObject({ hop: 3, addr: null, received: 0, rtt_ms_avg: null });
  });

  it('prints an mtr-like report with ??? for the silent hop', () => {
    const text = reportText(trace(1, '198.18.104.2'), 2);
    expect(text).toContain('trace to 198.19.0.1 (flow 1): reached in 4 hops');
    expect(text).toMatch(/ {2}3\.\|-- \?\?\? +100\.0% +3 +- +- +-\n/);
    expect(text).toMatch(/ {2}2\.\|-- 198\.18\.104\.2 +0\.0% +3 +1\.5 +1\.5 +1\.5\n/);
  });

  it('groups flows by the path they took', () => {
    const results = [trace(0, 'a'), trace(1, 'b'), trace(2, 'a')];
    expect(distinctPaths(results).map((p) => p.flows)).toEqual([[0, 2], [1]]);
    expect(distinctPathsText('198.19.0.1', results)).toContain('2 distinct paths to 198.19.0.1 over 3 flows');
  });
});
