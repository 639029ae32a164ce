import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { icmpBatchOf } from '../icmp/icmp-batches.js';
import type { HttpResult } from '../results/http-result.js';
import { httpResult } from '../../test/fixtures/results.js';
import { hhmmss, StdoutSink } from './stdout-sink.js';

/** The shared fixture, with the figures these formatting tests print. */
function result(overrides: Partial<HttpResult> = {}): HttpResult {
  return httpResult({
    tsUs: 1_764_000_000_000_000,
    src: 'a',
    connectMs: 0.5,
    ttfbMs: 1.25,
    closeMs: 0.25,
    totalMs: 2,
    sizeBytes: 120,
    ...overrides,
  });
}

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return { out, err, text: () => ({ stdout, stderr }) };
}

describe('StdoutSink', () => {
  it("prints pingmesh's tab-separated line per request", () => {
    const io = capture();
    const sink = new StdoutSink({ format: 'text', verbosity: 1, out: io.out, err: io.err });
    sink.write({ family: 'http', results: [result()] });
    expect(io.text().stdout).toBe(
      '1 1764000000\t0.000\t0.500\t0.000\t1.250\t0.250\t2.000\t200\t120\tVirginia,US\t127.0.0.2\thttp://127.0.0.2:8080/v1/ping\n',
    );
  });

  it('prints the column header first with -v, and nothing per request with -q', () => {
    const verbose = capture();
    new StdoutSink({ format: 'text', verbosity: 2, out: verbose.out, err: verbose.err }).write({
      family: 'http',
      results: [result()],
    });
    expect(verbose.text().stdout.split('\n')[0]).toBe(
      '# timestamp\tDNS\tTCP\tTLS\tFirst\tLastB\tTotal\tHTTP\tSize\tFrom_Location\tRemote_Addr\tproto://uri',
    );
    const quiet = capture();
    new StdoutSink({ format: 'text', verbosity: 0, out: quiet.out, err: quiet.err }).write({
      family: 'http',
      results: [result()],
    });
    expect(quiet.text().stdout).toBe('');
  });

  it("prints one NDJSON object per result with the store's field names", () => {
    const io = capture();
    const sink = new StdoutSink({ format: 'json', verbosity: 1, out: io.out, err: io.err });
    sink.write({ family: 'http', results: [result(), result({ ok: false, status: 0, error: 'ECONNREFUSED' })] });
    const lines = io
      .text()
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      ts: '2025-11-24T16:00:00.000000Z',
      src: 'a',
      src_loc: 'Frankfurt,DE',
      dst: 'http://127.0.0.2:8080/v1/ping',
      dst_host: '127.0.0.2',
      dst_ip: '127.0.0.2',
      dst_loc: 'Virginia,US',
      status: 200,
      dns_ms: 0,
      connect_ms: 0.5,
      tls_ms: 0,
      ttfb_ms: 1.25,
      close_ms: 0.25,
      total_ms: 2,
      size_bytes: 120,
      ok: true,
      error: '',
    });
    expect(lines[1]).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
  });

  it('prints averages per endpoint when closed (to stderr in JSON mode, keeping stdout pure)', async () => {
    const io = capture();
    const sink = new StdoutSink({ format: 'json', verbosity: 1, out: io.out, err: io.err });
    sink.write({
      family: 'http',
      results: [
        result(),
        result({ tsUs: 1_764_000_016_000_000, totalMs: 4, connectMs: 1.5 }),
        result({ ok: false, status: 503, error: 'http_503' }),
      ],
    });
    await sink.close();
    const { stderr } = io.text();
    expect(stderr).toContain('Recorded 2 samples in 16s, average values:');
    expect(stderr).toContain(
      '2 16s   \t0.000\t1.000\t0.000\t1.250\t0.250\t3.000\t\t120\t\thttp://127.0.0.2:8080/v1/ping',
    );
    expect(stderr).toContain('# loss 33.3% (1 of 3 failed)');
    expect(sink.stats()).toEqual({ delivered: 3, pending: 0, dropped: 0 });
  });

  it("prints ICMP results handed to it in `pingsphere icmp --json`'s shape", () => {
    const io = capture();
    const sink = new StdoutSink({ format: 'json', verbosity: 1, out: io.out, err: io.err });
    sink.write(
      icmpBatchOf([
        { tsUs: 1_764_000_000_123_456, src: 'a', srcLoc: 'A', dst: '198.18.1.1', seq: 0, rttMs: 21.04, flow: 0 },
        { tsUs: 1_764_000_001_000_000, src: 'a', srcLoc: 'A', dst: '198.18.1.1', seq: 1, rttMs: null, flow: 0 },
      ]),
    );
    expect(io.text().stdout).toBe(
      '{"target":"198.18.1.1","seq":0,"rtt_ms":21.04,"ts":"2025-11-24T16:00:00.123456Z"}\n' +
        '{"target":"198.18.1.1","seq":1,"rtt_ms":null,"ts":"2025-11-24T16:00:01.000000Z"}\n',
    );
  });

  it('formats elapsed time as pingmesh does', () => {
    expect(hhmmss(16)).toBe('16s');
    expect(hhmmss(65)).toBe('1m05s');
    expect(hhmmss(7389)).toBe('2h03m09s');
  });
});
