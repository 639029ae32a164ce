import { describe, expect, it } from 'vitest';
import { encodeBatches, escapeSymbol } from '../../src/sinks/questdb/ilp-encoder.js';
import { httpResult } from '../fixtures/results.js';

describe('encodeBatches', () => {
  it('writes an ICMP probe as one ILP row with a nanosecond timestamp, a lost probe without rtt_ms', () => {
    const text = encodeBatches([
      {
        family: 'icmp',
        results: [
          {
            tsUs: 1_795_000_000_123_456,
            src: 'c1',
            srcLoc: 'Frankfurt,DE',
            dst: '198.18.0.1',
            seq: 3,
            flow: 0,
            rttMs: 1.25,
          },
          { tsUs: 1_795_000_000_123_457, src: 'c1', srcLoc: '', dst: '::1', seq: 4, flow: 0, rttMs: null },
        ],
      },
    ]).toString();
    expect(text).toBe(
      'icmp,src=c1,src_loc=Frankfurt\\,DE,dst=198.18.0.1 seq=3i,rtt_ms=1.25 1795000000123456000\n' +
        'icmp,src=c1,dst=::1 seq=4i 1795000000123457000\n',
    );
  });

  it('writes an HTTP result with every timing column and leaves empty symbols out', () => {
    const text = encodeBatches([{ family: 'http', results: [httpResult({ dstIp: '', error: '' })] }]).toString();
    expect(text).toBe(
      'http,src=collector-a,src_loc=Frankfurt\\,DE,dst=http://127.0.0.2:8080/v1/ping,dst_host=127.0.0.2,dst_loc=Virginia\\,US ' +
        `status=200i,size_bytes=93i,ok=t,dns_ms=0,connect_ms=0.21,tls_ms=0,ttfb_ms=0.8,close_ms=0.1,total_ms=1.2 ${httpResult().tsUs}000\n`,
    );
  });

  it('escapes spaces, commas, equals signs, backslashes and newlines in symbols', () => {
    expect(escapeSymbol('a b,c=d\\e\nf')).toBe('a\\ b\\,c\\=d\\\\e\\\nf');
    expect(escapeSymbol('plain')).toBe('plain');
  });
});
