import { describe, expect, it } from 'vitest';
import { traceOf } from '../../test/fixtures/traces.js';
import type { TraceResult } from './trace-types.js';
import { hopJumps, PathHistory, pathsDiffer } from './path-history.js';

/** A trace of 198.18.9.1 whose hop i answers from addrs[i] (null: silent) with avg RTT rtts[i], min/max ± 0.5 ms. */
function trace(addrs: (string | null)[], rtts: (number | null)[], startedAtUs = 1_000, flow = 0): TraceResult {
  return traceOf('198.18.9.1', addrs, rtts, { startedAtUs, flow, spreadMs: 0.5 });
}

const context = { src: 'c1', srcLoc: 'Frankfurt,DE', dst: '198.18.9.1', reason: 'change' as const };

describe('hopJumps', () => {
  it("marks the hop whose RTT rises most over the previous answering hop, a silent hop's rise going to the next", () => {
    expect(hopJumps(trace(['a', 'b', null, 'd'], [1, 3, null, 45]).hops)).toEqual({
      jumpMs: [1, 2, null, 42],
      slowest: 3,
    });
    // A hop faster than the one before (a router that answers slowly itself) rises by a negative amount.
    expect(hopJumps(trace(['a', 'b', 'c'], [10, 8, 9]).hops)).toEqual({ jumpMs: [10, -2, 1], slowest: 0 });
    expect(hopJumps(trace([null, null], [null, null]).hops)).toEqual({ jumpMs: [null, null], slowest: -1 });
  });
});

describe('pathsDiffer', () => {
  it('sees another router at a hop, or a path that ends elsewhere; a silent hop matches any router', () => {
    expect(pathsDiffer(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe(true);
    expect(pathsDiffer(['a', 'b', 'c'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(pathsDiffer(['a', 'b', 'c'], ['a', null, 'c'])).toBe(false);
    expect(pathsDiffer(['a', 'b', 'c', null, null], ['a', 'b', 'c'])).toBe(false);
  });
});

describe('PathHistory', () => {
  it('makes one row per hop with the jump and slow hop, and flags the trace whose hop list changed', () => {
    const history = new PathHistory();
    const first = history.records(trace(['10.0.0.1', '10.0.1.1', '198.18.9.1'], [1, 2, 3], 1_000), context);
    expect(first.map((r) => [r.hop, r.addr, r.rttJumpMs, r.slowHop, r.pathChange, r.reached])).toEqual([
      [1, '10.0.0.1', 1, true, false, false],
      [2, '10.0.1.1', 1, false, false, false],
      [3, '198.18.9.1', 1, false, false, true],
    ]);
    expect(first[0]).toMatchObject({
      tsUs: 1_000,
      src: 'c1',
      srcLoc: 'Frankfurt,DE',
      dst: '198.18.9.1',
      dstIp: '198.18.9.1',
    });
    expect(first[0]).toMatchObject({
      sent: 3,
      received: 3,
      loss: 0,
      rttMsMin: 0.5,
      rttMsAvg: 1,
      rttMsMax: 1.5,
      reason: 'change',
    });
    // Same routers, 40 ms more from hop 2 on: no path change, hop 2 marked.
    const slower = history.records(trace(['10.0.0.1', '10.0.1.1', '198.18.9.1'], [1, 42, 43], 2_000), context);
    expect(slower.map((r) => [r.slowHop, r.pathChange])).toEqual([
      [false, false],
      [true, false],
      [false, false],
    ]);
    // Another router at hop 2: a path change, on every row of the trace.
    const moved = history.records(trace(['10.0.0.1', '10.0.2.1', '198.18.9.1'], [1, 2, 3], 3_000), context);
    expect(moved.map((r) => r.pathChange)).toEqual([true, true, true]);
    // Another flow, or another pair's name for the address, has a history of its own.
    expect(
      history.records(trace(['10.0.0.1', '10.0.1.1', '198.18.9.1'], [1, 2, 3], 4_000, 1), context)[0]!.pathChange,
    ).toBe(false);
    expect(history.size).toBe(2);
  });

  it('counts a silent hop as lost probes and sorts hops by number', () => {
    const t = trace(['10.0.0.1', null, '198.18.9.1'], [1, null, 3]);
    t.hops.reverse();
    const rows = new PathHistory().records(t, context);
    expect(rows.map((r) => [r.hop, r.addr, r.loss, r.rttJumpMs])).toEqual([
      [1, '10.0.0.1', 0, 1],
      [2, null, 1, null],
      [3, '198.18.9.1', 0, 2],
    ]);
  });
});
