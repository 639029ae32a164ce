import { describe, expect, it } from 'vitest';
import { collectUsage, resolveCollectorConfig } from './collector-config.js';

const trace = (args: string[]) => resolveCollectorConfig(args, {}).config.trace;

describe('--trace-* flags of pingsphere collect', () => {
  it('are off unless --trace-on-change or --trace-interval is given', () => {
    expect(trace([])).toBeNull();
  });

  it('take the documented defaults: p50 over 60 s vs a 1 h baseline, ±30 % and 5 ms, 20 % loss, 10 min holdoff', () => {
    expect(trace(['--trace-on-change'])).toEqual({
      onChange: {
        windowSeconds: 60,
        baselineSeconds: 3600,
        rttChangePct: 30,
        rttChangeMs: 5,
        lossPct: 20,
        holdoffSeconds: 600,
      },
      intervalSeconds: null,
      trace: { maxHops: 30, probesPerHop: 3, flows: 1, ratePps: 1000, timeoutMs: 1000 },
      batchTargets: 256,
    });
  });

  it('schedule traces of every pair with --trace-interval alone, and read every threshold', () => {
    const config = trace(['--trace-interval', '900', '--trace-max-hops=12', '--trace-flows', '4'])!;
    expect(config.onChange).toBeNull();
    expect(config.intervalSeconds).toBe(900);
    expect(config.trace).toMatchObject({ maxHops: 12, flows: 4 });
    const tuned = trace([
      '--trace-on-change',
      '--trace-window',
      '2',
      '--trace-baseline',
      '20',
      '--trace-rtt-change',
      '50',
    ])!;
    expect(tuned.onChange).toMatchObject({ windowSeconds: 2, baselineSeconds: 20, rttChangePct: 50 });
  });

  it('say what is wrong and how to fix it', () => {
    expect(() => trace(['--trace-loss', '5'])).toThrow(
      '--trace-loss only applies with --trace-on-change or --trace-interval: add one or drop --trace-loss',
    );
    expect(() => trace(['--trace-on-change', '--trace-loss', '0'])).toThrow(/-trace-loss: use a percentage above 0/);
    expect(() => trace(['--trace-on-change', '--trace-window', '120', '--trace-baseline', '60'])).toThrow(
      /--trace-baseline 60 is shorter than --trace-window 120/,
    );
    expect(() => trace(['--trace-interval', 'often'])).toThrow(/invalid value "often" for flag -trace-interval/);
  });

  it('are listed in --help', () => {
    expect(collectUsage()).toMatch(/--trace-on-change\s/);
    expect(collectUsage()).toMatch(/--trace-interval SECONDS/);
  });
});
