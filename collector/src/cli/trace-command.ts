// `pingsphere trace`: flow-stable (Paris-style) traceroute of many targets in one engine run,
// printed like `mtr --report`, or as NDJSON per hop with --json. Progress and the summary go to
// stderr.
import { parseArgs } from 'node:util';
import { runTracesOn } from '../trace/trace-cli-run.js';
import type { TraceOptions } from '../trace/trace-types.js';
import { validateTraceOptions } from '../trace/run-trace.js';
import { loadTargets } from './icmp-command.js';
import { UsageError } from './usage-error.js';
import { write } from './write-with-backpressure.js';

const help = `Usage: pingsphere trace TARGET… [-f FILE] [--json] [-q N] [--max-hops N] [--flows N] [--rate PPS]

Traces the path to each target with TTL-scoped ICMP echo probes, every target in parallel in one
run (like mtr --report, one table per target). Each flow keeps one ICMP id and checksum for all
its probes (Paris traceroute), so ECMP routers keep it on one path; --flows N traces N flows per
target and lists the distinct paths. Needs raw sockets (CAP_NET_RAW).

Options:
  -f, --file FILE     read targets from FILE (the targets-file format of \`pingsphere icmp\`); repeatable
  -q, --queries N     probes per hop (default 3, at most 16)
  -m, --max-hops N    last TTL / hop limit probed (default 30)
      --first-ttl N   first TTL probed (default 1)
      --flows N       flows per target (default 1, at most 64)
      --rate PPS      global send rate in probes per second (default 1000)
  -t, --timeout MS    a reply later than this counts as lost (default 2000)
      --json          one NDJSON line per hop: {"target","flow","hop","addr","sent","received",
                      "rtt_ms_min","rtt_ms_avg","rtt_ms_max"} (addr null for a silent hop)
  -h, --help          this help

Exit status: 0 when the traces ran, 2 on bad input or missing privileges, 130 when interrupted.
`;

const optionSpec = {
  file: { type: 'string', short: 'f', multiple: true },
  queries: { type: 'string', short: 'q' },
  'max-hops': { type: 'string', short: 'm' },
  'first-ttl': { type: 'string' },
  flows: { type: 'string' },
  rate: { type: 'string' },
  timeout: { type: 'string', short: 't' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const defaultTraceOptions: TraceOptions = {
  maxHops: 30,
  probesPerHop: 3,
  flows: 1,
  ratePps: 1000,
  timeoutMs: 2000,
  firstTtl: 1,
};

/** Parses `pingsphere trace` arguments (throws UsageError on anything wrong). */
export function parseTraceArgs(argv: string[]): {
  help: boolean;
  targets: string[];
  files: string[];
  options: TraceOptions;
  json: boolean;
} {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see \`pingsphere trace --help\`)`);
  }
  const { values, positionals } = parsed;
  const number = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`${flag} needs a number, got "${text}"`);
    return Number(text);
  };
  const options: TraceOptions = {
    maxHops: number('-m/--max-hops', values['max-hops'], defaultTraceOptions.maxHops),
    probesPerHop: number('-q/--queries', values.queries, defaultTraceOptions.probesPerHop),
    flows: number('--flows', values.flows, defaultTraceOptions.flows),
    ratePps: number('--rate', values.rate, defaultTraceOptions.ratePps),
    timeoutMs: number('-t/--timeout', values.timeout, defaultTraceOptions.timeoutMs),
    firstTtl: number('--first-ttl', values['first-ttl'], 1),
  };
  if (!values.help) validateTraceOptions(options);
  return {
    help: values.help ?? false,
    targets: positionals,
    files: values.file ?? [],
    options,
    json: values.json ?? false,
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseTraceArgs(argv);
  if (args.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.targets.length === 0 && args.files.length === 0) {
    throw new UsageError('no targets: give addresses or hostnames as arguments, or a file with -f FILE');
  }
  const { targets, unresolved, badLines } = await loadTargets(args.targets, args.files, 'trace');
  if (targets.size === 0) {
    throw new UsageError(
      unresolved > 0 ? 'no targets left: none of the hostnames resolved' : 'no targets: the target list is empty',
    );
  }
  const outcome = await runTracesOn(targets, args.options, {
    progress: process.stderr,
    write: (text) => write(process.stdout, text),
    json: args.json,
  });
  process.stderr.write(outcome.summary);
  if (badLines > 0)
    process.stderr.write(`pingsphere trace: ${badLines} bad target lines were skipped (listed above)\n`);
  return outcome.interrupted ? 130 : badLines > 0 ? 2 : 0;
}
