// The collector's tracing flags (--trace-on-change, --trace-interval and their thresholds), kept
// beside collector-config.ts, which merges them into `pingsphere collect`'s flags.
import { UsageError } from '../cli/usage-error.js';
import { defaultChangeThresholds, type ChangeThresholds } from '../trace/pair-watch.js';
import type { TraceOptions } from '../trace/trace-types.js';
import type { FlagSpecs } from './go-flags.js';

/** How the collector traces (null in CollectorConfig when neither --trace-on-change nor --trace-interval is given). */
export interface TraceConfig {
  /** --trace-on-change and its thresholds, or null. */
  onChange: ChangeThresholds | null;
  /** --trace-interval: seconds between scheduled traces of every pair, or null (the default: off). */
  intervalSeconds: number | null;
  trace: TraceOptions;
  /** --trace-batch: targets per engine run. */
  batchTargets: number;
}

const d = defaultChangeThresholds;

export const traceFlags: FlagSpecs = {
  'trace-on-change': {
    kind: 'boolean',
    help: 'trace a pair when its RTT p50 over --trace-window moves away from its --trace-baseline, or its loss passes --trace-loss',
  },
  'trace-interval': {
    kind: 'string',
    valueName: 'SECONDS',
    help: 'also trace every pair every SECONDS (default: off)',
  },
  'trace-window': {
    kind: 'string',
    valueName: 'SECONDS',
    help: `window whose RTT p50 and loss are judged (default ${d.windowSeconds})`,
  },
  'trace-baseline': {
    kind: 'string',
    valueName: 'SECONDS',
    help: `span of the baseline p50 the window is compared with (default ${d.baselineSeconds})`,
  },
  'trace-rtt-change': {
    kind: 'string',
    valueName: 'PCT',
    help: `a p50 that moves by more than PCT % of the baseline… (default ${d.rttChangePct})`,
  },
  'trace-rtt-change-ms': {
    kind: 'string',
    valueName: 'MS',
    help: `…and by more than MS milliseconds is a change (default ${d.rttChangeMs})`,
  },
  'trace-loss': {
    kind: 'string',
    valueName: 'PCT',
    help: `a window with at least PCT % of its probes lost calls for a trace (default ${d.lossPct})`,
  },
  'trace-holdoff': {
    kind: 'string',
    valueName: 'SECONDS',
    help: `at most one triggered trace per pair in SECONDS (default ${d.holdoffSeconds})`,
  },
  'trace-max-hops': { kind: 'string', valueName: 'N', help: 'hops a trace goes out to at most (default 30)' },
  'trace-probes': { kind: 'string', valueName: 'N', help: 'probes per hop (default 3)' },
  'trace-flows': { kind: 'string', valueName: 'N', help: 'flows traced per target (default 1)' },
  'trace-rate': { kind: 'string', valueName: 'PPS', help: 'trace probes per second (default 1000)' },
  'trace-timeout': {
    kind: 'string',
    valueName: 'MS',
    help: "a hop's probe is lost after MS milliseconds (default 1000)",
  },
  'trace-batch': { kind: 'string', valueName: 'N', help: 'targets traced together in one engine run (default 256)' },
};

type Number = (
  name: string,
  fallback: number,
  rule: { integer: boolean; min: number; max?: number; what: string },
) => number;

/** Reads the --trace-* flags; `number` is collector-config's checked number reader. */
export function parseTraceConfig(values: Map<string, string | boolean>, number: Number): TraceConfig | null {
  const onChange = values.get('trace-on-change') === true;
  const interval = values.has('trace-interval');
  if (!onChange && !interval) {
    const stray = Object.keys(traceFlags).find((name) => values.has(name) && name !== 'trace-on-change');
    if (stray) {
      throw new UsageError(
        `--${stray} only applies with --trace-on-change or --trace-interval: add one or drop --${stray}`,
      );
    }
    return null;
  }
  const seconds = { integer: false, min: 0.1, what: 'use a number of seconds >= 0.1' };
  const percent = { integer: false, min: 0, max: 100, what: 'use a percentage from 0 to 100' };
  const thresholds: ChangeThresholds = {
    windowSeconds: number('trace-window', d.windowSeconds, seconds),
    baselineSeconds: number('trace-baseline', d.baselineSeconds, seconds),
    rttChangePct: number('trace-rtt-change', d.rttChangePct, {
      ...percent,
      max: 10_000,
      what: 'use a percentage >= 0',
    }),
    rttChangeMs: number('trace-rtt-change-ms', d.rttChangeMs, {
      integer: false,
      min: 0,
      what: 'use milliseconds >= 0',
    }),
    lossPct: number('trace-loss', d.lossPct, { ...percent, min: 0.01, what: 'use a percentage above 0, up to 100' }),
    holdoffSeconds: number('trace-holdoff', d.holdoffSeconds, {
      ...seconds,
      min: 0,
      what: 'use a number of seconds >= 0',
    }),
  };
  if (thresholds.baselineSeconds < thresholds.windowSeconds) {
    throw new UsageError(
      `--trace-baseline ${thresholds.baselineSeconds} is shorter than --trace-window ${thresholds.windowSeconds}: the baseline spans many windows (default ${d.baselineSeconds} s vs ${d.windowSeconds} s)`,
    );
  }
  /** A whole number of `unit` from 1 to `max`. */
  const whole = (name: string, fallback: number, max: number, unit: string) =>
    number(name, fallback, { integer: true, min: 1, max, what: `use a whole number of ${unit} from 1 to ${max}` });
  return {
    onChange: onChange ? thresholds : null,
    intervalSeconds: interval ? number('trace-interval', 0, seconds) : null,
    trace: {
      maxHops: whole('trace-max-hops', 30, 255, 'hops'),
      probesPerHop: whole('trace-probes', 3, 16, 'probes per hop'),
      flows: whole('trace-flows', 1, 64, 'flows'),
      ratePps: whole('trace-rate', 1000, 1_000_000, 'probes per second'),
      timeoutMs: whole('trace-timeout', 1000, 60_000, 'milliseconds'),
    },
    batchTargets: whole('trace-batch', 256, 100_000, 'targets'),
  };
}
