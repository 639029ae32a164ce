import { describe, expect, it } from 'vitest';
import type { PathRecord } from '../../src/results/path-record.js';
import { encodeBatches, rowEnds } from '../../src/sinks/questdb/ilp-encoder.js';

const hop: PathRecord = {
  tsUs: 1_795_000_000_123_456,
  src: 'c1',
  srcLoc: 'Frankfurt,DE',
  dst: 'virginia',
  dstIp: '198.18.0.2',
  flow: 1,
  hop: 2,
  addr: '10.0.1.1',
  sent: 3,
  received: 2,
  rttMsMin: 40.5,
  rttMsAvg: 41.25,
  rttMsMax: 42,
  loss: 1 / 3,
  rttJumpMs: 40.25,
  slowHop: true,
  reached: false,
  pathChange: true,
  reason: 'change',
};

describe('path rows in ILP', () => {
  it('writes a hop with its RTTs, flags and reason, and a silent hop without addr or RTTs (NULL)', () => {
    const silent: PathRecord = {
      ...hop,
      hop: 3,
      addr: null,
      received: 0,
      rttMsMin: null,
      rttMsAvg: null,
      rttMsMax: null,
      loss: 1,
      rttJumpMs: null,
      slowHop: false,
      pathChange: false,
      reason: 'scheduled',
    };
    const text = encodeBatches([{ family: 'path', results: [hop, silent] }]).toString();
    expect(text).toBe(
      'path,src=c1,src_loc=Frankfurt\\,DE,reason=change dst="virginia",dst_ip="198.18.0.2",flow=1i,hop=2i,addr="10.0.1.1",' +
        `sent=3i,received=2i,rtt_min=40.5,rtt_avg=41.25,rtt_max=42,loss=${1 / 3},rtt_jump_ms=40.25,slow_hop=t,reached=f,path_change=t 1795000000123456000\n` +
        'path,src=c1,src_loc=Frankfurt\\,DE,reason=scheduled dst="virginia",dst_ip="198.18.0.2",flow=1i,hop=3i,' +
        'sent=3i,received=0i,loss=1,slow_hop=f,reached=f,path_change=f 1795000000123456000\n',
    );
    expect(rowEnds(Buffer.from(text))).toHaveLength(2);
  });

  it('escapes a quote in an HTTP peer host so the row stays one row', () => {
    const text = encodeBatches([{ family: 'path', results: [{ ...hop, dst: 'a"b\nc' }] }]).toString();
    expect(text).toContain('dst="a\\"b\\\nc"');
    expect(rowEnds(Buffer.from(text))).toHaveLength(1);
  });
});
