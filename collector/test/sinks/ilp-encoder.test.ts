import { describe, expect, it } from 'vitest';
import { nativeIcmpIlpEncoder } from '@pingsphere/native';
import { icmpBatchOf } from '../../src/icmp/icmp-batches.js';
import {
  encodeBatches,
  encodeIcmpRows,
  escapeSymbol,
  IlpBuffer,
  rowEnds,
} from '../../src/sinks/questdb/ilp-encoder.js';
import { httpResult } from '../fixtures/results.js';

const probe = { tsUs: 1_795_000_000_123_456, src: 'c1', srcLoc: 'Frankfurt,DE', dst: '198.18.0.1', seq: 3, flow: 0 };

describe('encodeBatches', () => {
  it('writes an ICMP probe as one ILP row with a nanosecond timestamp, a lost probe without rtt_ms', () => {
    const text = encodeBatches([
      icmpBatchOf([
        { ...probe, rttMs: 1.25 },
        { ...probe, tsUs: probe.tsUs + 1, dst: '::1', seq: 4, rttMs: null },
      ]),
    ]).toString();
    expect(text).toBe(
      'icmp,src=c1,src_loc=Frankfurt\\,DE dst="198.18.0.1",seq=3i,rtt_ms=1.25 1795000000123456000\n' +
        'icmp,src=c1,src_loc=Frankfurt\\,DE dst="::1",seq=4i 1795000000123457000\n',
    );
  });

  it('writes RTTs from nanoseconds exactly, the flow when there is one, and every octet and digit count', () => {
    const rows = [
      { rttMs: 0.000001, dst: '0.0.0.0', seq: 0, flow: 0 },
      { rttMs: 0.02, dst: '9.10.99.100', seq: 99, flow: 3 },
      { rttMs: 12.345678, dst: '255.254.200.1', seq: 4_294_967_295, flow: 65_535 },
      { rttMs: 1000, dst: '127.0.0.1', seq: 123_456, flow: 0 },
    ];
    const text = encodeBatches([icmpBatchOf(rows.map((r, i) => ({ ...probe, ...r, tsUs: 7 + i })))]).toString();
    expect(text.split('\n').slice(0, -1)).toEqual([
      'icmp,src=c1,src_loc=Frankfurt\\,DE dst="0.0.0.0",seq=0i,rtt_ms=0.000001 7000',
      'icmp,src=c1,src_loc=Frankfurt\\,DE dst="9.10.99.100",seq=99i,rtt_ms=0.02,flow=3i 8000',
      'icmp,src=c1,src_loc=Frankfurt\\,DE dst="255.254.200.1",seq=4294967295i,rtt_ms=12.345678,flow=65535i 9000',
      'icmp,src=c1,src_loc=Frankfurt\\,DE dst="127.0.0.1",seq=123456i,rtt_ms=1000.0 10000',
    ]);
    // Every value reads back as the number it was, as QuestDB will parse it.
    expect(text.match(/rtt_ms=[\d.]+/g)!.map((f) => Number(f.slice(7)))).toEqual(rows.map((r) => r.rttMs));
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

  it('finds where rows end, not where an escaped newline or a quote in a symbol is', () => {
    const text = encodeBatches([
      {
        family: 'http',
        results: [httpResult({ error: 'line\nbreak "quoted' }), httpResult({ error: 'x' }), httpResult()],
      },
    ]);
    const ends = rowEnds(text);
    expect(ends).toHaveLength(3);
    expect(ends.at(-1)).toBe(text.length);
    expect(text.subarray(0, ends[0]).toString()).toMatch(/^http,.*error=line\\\nbreak\\ "quoted status=.*\n$/s);
  });
});

describe('the native ICMP encoder', () => {
  it('writes exactly the bytes of the JavaScript encoder, and hands it the rows it leaves (IPv6, fractional RTTs)', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      ...probe,
      tsUs: probe.tsUs + i * 7919,
      dst:
        i % 97 === 5 ? `2001:db8::${(i % 50).toString(16)}` : `${i % 256}.${(i * 7) % 256}.${(i * 13) % 256}.${i % 3}`,
      seq: (i * 104_729) % 2 ** 32,
      rttMs: i % 11 === 0 ? null : ((i * 7_654_321) % 9_000_000_001) / 1e6,
      flow: i % 4 === 0 ? 0 : (i * 31) % 65_536,
    }));
    const batch = icmpBatchOf(rows);
    // A fractional RTT (not from the engine, which measures whole nanoseconds) goes to JavaScript.
    batch.rttNs[7] = 123.5;
    const js = new IlpBuffer();
    const auto = new IlpBuffer();
    encodeIcmpRows(js, batch, 0, batch.length, 'js');
    encodeIcmpRows(auto, batch, 0, 1234, 'auto');
    encodeIcmpRows(auto, batch, 1234, batch.length, 'auto');
    expect(nativeIcmpIlpEncoder()).toBeTypeOf('function');
    expect(auto.rows).toBe(3000);
    expect(auto.view().toString()).toBe(js.view().toString());
    expect(rowEnds(js.view())).toHaveLength(3000);
    expect(js.view().toString()).toContain('dst="2001:db8::5",');
    expect(js.view().toString()).toContain(',rtt_ms=0.0001235,flow=217i ');
  });

  it('writes every timestamp width, a sweep crossing a 100 s boundary, and round RTTs as the JavaScript encoder does', () => {
    // The native encoder keeps a 16-digit time's leading eight digits from the row before: rows
    // that cross from one 10^8 µs block to the next (and back, out of order) must still be exact.
    const boundary = 1_795_000_100_000_000;
    const times = [
      0,
      9,
      10,
      99_999_999,
      100_000_000,
      999_999_999_999_999,
      1_000_000_000_000_000,
      boundary - 1,
      boundary,
      boundary + 1,
      boundary - 2,
      boundary + 100_000_000,
      9_007_199_254_740_000,
      2 ** 53 - 1,
    ];
    const rttsMs = [0, 1, 5, 10.5, 100, 0.000001, 0.00001, 999.999999, 1000, 12_345.6];
    const rows = times.flatMap((tsUs, i) =>
      rttsMs.map((rttMs, k) => ({
        ...probe,
        tsUs,
        rttMs,
        dst: `10.${i}.${k}.${(i * k) % 256}`,
        seq: i * k,
        flow: k * 11,
      })),
    );
    const batch = icmpBatchOf(rows);
    const js = new IlpBuffer();
    const native = new IlpBuffer();
    encodeIcmpRows(js, batch, 0, batch.length, 'js');
    encodeIcmpRows(native, batch, 0, batch.length, 'auto');
    expect(native.view().toString()).toBe(js.view().toString());
    const text = js.view().toString();
    expect(text).toContain(',rtt_ms=5.0,flow=22i 1795000099999999000\n');
    expect(text).toContain(',rtt_ms=0.0 1795000100000000000\n');
    expect(text).toContain(' 9000\n');
  });
});
