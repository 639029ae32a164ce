import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../results/http-result.js';
import { PeerStats, RecentSamples } from './peer-stats.js';

function result(totalMs: number, ok = true): HttpResult {
  return {
    tsUs: 1_000_000,
    src: 'a',
    srcLoc: 'A',
    dst: 'http://b/',
    dstHost: 'b',
    dstIp: '127.0.0.2',
    dstLoc: 'B',
    status: ok ? 200 : 503,
    dnsMs: 0,
    connectMs: totalMs / 4,
    tlsMs: 0,
    ttfbMs: totalMs / 2,
    closeMs: totalMs / 4,
    totalMs,
    sizeBytes: 100,
    ok,
    error: ok ? '' : 'http_503',
  };
}

describe('RecentSamples', () => {
  it('gives nearest-rank percentiles of what it holds', () => {
    const samples = new RecentSamples(100);
    for (let i = 1; i <= 100; i++) samples.push(i);
    expect(samples.quantiles([0.5, 0.9, 0.99, 1])).toEqual([50, 90, 99, 100]);
  });

  it('forgets the oldest samples once full', () => {
    const samples = new RecentSamples(3);
    for (const v of [100, 1, 2, 3]) samples.push(v);
    expect(samples.size).toBe(3);
    expect(samples.quantiles([1])).toEqual([3]);
  });

  it('keeps exactly the last `capacity` samples while its storage grows', () => {
    const samples = new RecentSamples(20);
    for (let i = 1; i <= 50; i++) samples.push(i);
    expect(samples.size).toBe(20);
    expect(samples.quantiles([0, 1])).toEqual([31, 50]);
    expect(samples.mean()).toBe(40.5);
  });

  it('has no percentiles before the first sample', () => {
    expect(new RecentSamples(4).quantiles([0.5])[0]).toBeNaN();
  });
});

describe('PeerStats', () => {
  it('sums timings of successful pings only, as pingmesh does for its averages', () => {
    const stats = new PeerStats();
    stats.record(result(10));
    stats.record(result(30));
    stats.record(result(999, false));
    expect(stats.pings).toBe(2);
    expect(stats.fails).toBe(1);
    expect(stats.totals.totalMs).toBe(40);
    expect(stats.totals.sizeBytes).toBe(200);
  });

  it('reports loss as the share of failed pings', () => {
    const stats = new PeerStats();
    for (let i = 0; i < 3; i++) stats.record(result(5));
    stats.record(result(5, false));
    expect(stats.lossPct()).toBe(25);
    expect(stats.recentLossPct()).toBe(25);
  });

  it('reports percentiles of total and connect time over the recent window', () => {
    const stats = new PeerStats();
    for (let i = 1; i <= 10; i++) stats.record(result(i * 4));
    expect(stats.totalPercentiles()).toEqual({ P50: 20, P90: 36, P99: 40 });
    expect(stats.connectPercentiles()).toEqual({ P50: 5, P90: 9, P99: 10 });
    expect(stats.windowSamples).toBe(10);
  });
});
