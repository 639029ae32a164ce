import { describe, expect, it } from 'vitest';
import { toIcmpResults } from './run-sweep.js';
import { defaultSweepOptions } from './sweep-options.js';
import { TargetList } from './target-list.js';
import { parseIpv6 } from './target-spec.js';

describe('toIcmpResults', () => {
  it('maps an engine batch to the shared IcmpResult shape, lost probes with rttMs null', () => {
    const targets = new TargetList();
    targets.addIpv4(0xc6120101);
    targets.addIpv6(parseIpv6('::1'));
    const results = toIcmpResults(
      {
        targetIndex: Uint32Array.from([1, 0]),
        seq: Uint32Array.from([0, 2]),
        rttNs: Float64Array.from([21_040_000, -1]),
        sendTimeUs: Float64Array.from([1_795_000_000_000_001, 1_795_000_000_000_002]),
      },
      targets,
      { ...defaultSweepOptions, src: 'collector-a', srcLoc: 'Berlin,DE' },
    );
    expect(results).toEqual([
      {
        tsUs: 1_795_000_000_000_001,
        src: 'collector-a',
        srcLoc: 'Berlin,DE',
        dst: '::1',
        seq: 0,
        rttMs: 21.04,
        flow: 0,
      },
      {
        tsUs: 1_795_000_000_000_002,
        src: 'collector-a',
        srcLoc: 'Berlin,DE',
        dst: '198.18.1.1',
        seq: 2,
        rttMs: null,
        flow: 0,
      },
    ]);
  });
});
