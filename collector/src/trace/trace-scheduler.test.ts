// The scheduler with a runner passed in (a model network that answers from a table of paths; the
// engine's runner is exercised by collector/test/trace/trace-on-change.test.ts in a namespace bed).
import { describe, expect, it } from 'vitest';
import { icmpBatchOf } from '../icmp/icmp-batches.js';
import type { PathBatch, ResultBatch } from '../results/result-batch.js';
import { TraceScheduler, type TraceSchedulerOptions } from './trace-scheduler.js';
import { traceOf } from '../../test/fixtures/traces.js';
import type { TraceOptions, TraceRunner } from './trace-types.js';

const traceOptions: TraceOptions = { maxHops: 8, probesPerHop: 3, flows: 1, ratePps: 100, timeoutMs: 100 };

/** Answers every target with the routers 10.0.0.1, 10.0.<n>.1 and then the target, 1 ms per hop plus `extraMs` at hop 2. */
function modelRunner(
  calls: string[][],
  state: { extraMs: number; secondRouter: number } = { extraMs: 0, secondRouter: 1 },
): TraceRunner {
  return (targets: string[], options: TraceOptions) => {
    calls.push([...targets]);
    expect(options).toEqual(traceOptions);
    return Promise.resolve(
      targets.map((target) =>
        traceOf(
          target,
          ['10.0.0.1', `10.0.${state.secondRouter}.1`, target],
          [1, 2 + state.extraMs, 3 + state.extraMs],
          { startedAtUs: 1_700_000_000_000_000 + calls.length },
        ),
      ),
    );
  };
}

function scheduler(runner: TraceRunner, overrides: Partial<TraceSchedulerOptions> = {}) {
  const batches: ResultBatch[] = [];
  const log: string[] = [];
  const tracing = new TraceScheduler({
    runner,
    trace: traceOptions,
    onChange: {
      windowSeconds: 60,
      baselineSeconds: 600,
      rttChangePct: 30,
      rttChangeMs: 5,
      lossPct: 20,
      holdoffSeconds: 600,
    },
    intervalSeconds: null,
    batchTargets: 2,
    maxQueued: 3,
    src: 'c1',
    srcLoc: 'Frankfurt,DE',
    deliver: (batch) => batches.push(batch),
    log: (line) => log.push(line),
    ...overrides,
  });
  const paths = () => batches.filter((b): b is PathBatch => b.family === 'path').flatMap((b) => b.results);
  return { tracing, paths, log };
}

const probe = (dst: string, rttMs: number | null) => ({ tsUs: 1, src: 'c1', srcLoc: '', dst, seq: 0, flow: 0, rttMs });

describe('TraceScheduler', () => {
  it('traces the pair that degraded and writes its path with the slow hop marked', async () => {
    const calls: string[][] = [];
    const network = { extraMs: 0, secondRouter: 1 };
    const { tracing, paths, log } = scheduler(modelRunner(calls, network));
    const t0 = Date.now();
    for (let w = 0; w < 7; w++) {
      const slow = w === 6 ? 40 : 0;
      // The network slows down at hop 2 in the last window; the trace starts as the window closes.
      network.extraMs = slow;
      tracing.observe(icmpBatchOf([probe('198.18.0.1', 10), probe('198.18.0.2', 10 + slow)]));
      tracing.watch.closeWindow(t0 + (w + 1) * 60_000);
    }
    await tracing.idle();
    expect(calls).toEqual([['198.18.0.2']]);
    expect(paths().map((r) => [r.dst, r.hop, r.addr, r.rttJumpMs, r.slowHop, r.reason, r.pathChange])).toEqual([
      ['198.18.0.2', 1, '10.0.0.1', 1, false, 'change', false],
      ['198.18.0.2', 2, '10.0.1.1', 41, true, 'change', false],
      ['198.18.0.2', 3, '198.18.0.2', 1, false, 'change', false],
    ]);
    expect(
      log.some((l) =>
        /198\.18\.0\.2 \(198\.18\.0\.2, flow 0, change\): 3 hops, reached, latency added at hop 2 \(10\.0\.1\.1, \+41\.00 ms\)/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(tracing.stats()).toMatchObject({ runs: 1, traces: 1, hops: 3, triggers: 1, pairs: 2 });
  });

  it('runs scheduled rounds over every pair in batches, triggered traces first, and flags a changed path', async () => {
    const calls: string[][] = [];
    const network = { extraMs: 0, secondRouter: 1 };
    const { tracing, paths } = scheduler(modelRunner(calls, network), { onChange: null, intervalSeconds: 3600 });
    tracing.observe(icmpBatchOf(['198.18.0.1', '198.18.0.2', '198.18.0.3'].map((d) => probe(d, 5))));
    // The same address as an HTTP peer: traced once, stored for both names.
    tracing.observe({
      family: 'http',
      results: [{ ...httpLike, dstHost: 'virginia', dstIp: '198.18.0.3' }],
    });
    tracing.request({ dst: '198.18.0.9', address: '198.18.0.9' }, 'manual');
    tracing.startRound();
    await tracing.idle();
    // The manual request ran alone (the round began after it had started); then the round, two at a time.
    expect(calls).toEqual([['198.18.0.9'], ['198.18.0.1', '198.18.0.2'], ['198.18.0.3']]);
    expect(
      new Set(
        paths()
          .filter((r) => r.dstIp === '198.18.0.3')
          .map((r) => r.dst),
      ),
    ).toEqual(new Set(['198.18.0.3', 'virginia']));
    expect(paths().filter((r) => r.reason === 'scheduled')).toHaveLength(4 * 3);
    network.secondRouter = 2;
    tracing.startRound();
    await tracing.idle();
    const second = paths().slice(5 * 3);
    expect(second.every((r) => r.pathChange)).toBe(true);
    expect(tracing.stats()).toMatchObject({ runs: 5, traces: 7, pathChanges: 4, roundsSkipped: 0 });
  });

  it('bounds the queue of triggered traces, says a failing runner once, and stops within its grace time', async () => {
    let release: () => void = () => {};
    const runs: string[][] = [];
    const stuck: TraceRunner = (targets) => {
      runs.push(targets);
      if (runs.length === 1) return Promise.reject(new Error('raw ICMP needs CAP_NET_RAW'));
      return new Promise((resolve) => (release = () => resolve([])));
    };
    const { tracing, log } = scheduler(stuck, { stopGraceMs: 50 });
    tracing.request({ dst: 'a', address: '198.18.0.1' }, 'manual');
    await tracing.idle();
    tracing.request({ dst: 'a', address: '198.18.0.1' }, 'manual');
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 2; i <= 6; i++) tracing.request({ dst: `d${i}`, address: `198.18.0.${i}` }, 'manual');
    expect(tracing.stats()).toMatchObject({ failedRuns: 1, queued: 3, dropped: 2 });
    expect(log.filter((l) => l.includes('CAP_NET_RAW'))).toHaveLength(1);
    const started = Date.now();
    await tracing.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(log.at(-1)).toBe('trace: a trace still running at shutdown was abandoned');
    release();
  });
});

const httpLike = {
  tsUs: 1,
  src: 'c1',
  srcLoc: '',
  dst: 'http://virginia:8080/v1/ping',
  dstHost: 'virginia',
  dstIp: '198.18.0.3',
  dstLoc: '',
  status: 200,
  dnsMs: 0,
  connectMs: 5,
  tlsMs: 0,
  ttfbMs: 6,
  closeMs: 0,
  totalMs: 12,
  sizeBytes: 10,
  ok: true,
  error: '',
};
