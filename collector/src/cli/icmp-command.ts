// `pingsphere icmp`: a one-shot, fping-like sweep. Arguments → targets + options → the native
// engine → NDJSON (--json) or fping-style lines on stdout, progress and the summary on stderr.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { startSweep } from '../icmp/run-sweep.js';
import { defaultSweepOptions, validateSweepOptions, type SweepOptions } from '../icmp/sweep-options.js';
import { probeLines, summaryText } from '../icmp/sweep-output.js';
import { SweepTally } from '../icmp/sweep-tally.js';
import { describeProblem, readTargetsFile, readTargetsStream } from '../icmp/target-file.js';
import { InvalidTargetError, maxSweepTargets, parseTargetSpec } from '../icmp/target-spec.js';
import { TargetTable } from '../icmp/target-table.js';
import { TargetList } from '../icmp/target-list.js';
import { UsageError } from './usage-error.js';
import { write } from './write-with-backpressure.js';

const help = `Usage: pingsphere icmp [targets…] [-f FILE] [-c COUNT] [-p PERIOD_MS] [-t TIMEOUT_MS] [--rate PPS] [--json]

One ICMP echo sweep, like fping. Targets are IPv4/IPv6 addresses, hostnames (resolved once, up
front; failures are listed and skipped) or CIDR ranges (network and broadcast left out, as fping -g).

Options:
  -f, --file FILE       read targets from FILE, one per line: ADDRESS|HOSTNAME|CIDR [name=…]
                        [group=…] [loc=City,CC|loc=LAT,LON] [key=value…], # comments; "-" reads
                        stdin; repeatable. A bad line is reported (file and line) and skipped
  -c, --count N         probes per target (default 1)
  -p, --period MS       time between probes to one target (default 1000)
  -t, --timeout MS      a reply later than this counts as lost (default 500)
      --rate PPS        global send rate in probes per second (default 10000)
      --unlimited-rate  send as fast as the host can (only on networks you own)
  -b, --size BYTES      ICMP data bytes (default 56, at least 24)
      --ttl N           IPv4 TTL / IPv6 hop limit (default: the system's)
  -S, --src ADDR        source address to send from
  -I, --iface NAME      interface to send through
      --socket MODE     auto (default), raw (needs CAP_NET_RAW) or ping (needs net.ipv4.ping_group_range)
      --senders N       sender threads, each with its own sockets and share of the targets and rate;
                        auto (default): one per CPU when unlimited, one per 100,000 probes/s otherwise
      --timestamps MODE where RTTs are timed: auto (default), hardware (the -I NIC's clock),
                        software (kernel TX and RX stamps, Linux 6.13+) or user (send time read
                        before sending); the summary says which ran
      --flows N         fixed flows per target (default 1): each flow keeps one ICMP id and
                        checksum, so ECMP routers keep its probes on one path; probes take the
                        flows in turn (--json adds "flow" when N > 1)
      --json            one NDJSON line per probe: {"target","seq","rtt_ms","ts"} (rtt_ms null when lost)
  -q, --quiet           no per-probe lines, only the summary
  -h, --help            this help

Progress goes to stderr every second when stderr is a terminal or the sweep is large; the summary
goes to stderr. Exit status: 0 when the sweep ran (losses included), 2 on bad input or missing
privileges (bad lines in a file: after sweeping the good ones, as fping does), 130 when interrupted.
`;

/** Sweeps at least this big report progress even when stderr is not a terminal. */
const bigSweepProbes = 100_000;

const optionSpec = {
  file: { type: 'string', short: 'f', multiple: true },
  count: { type: 'string', short: 'c' },
  period: { type: 'string', short: 'p' },
  timeout: { type: 'string', short: 't' },
  rate: { type: 'string' },
  'unlimited-rate': { type: 'boolean' },
  size: { type: 'string', short: 'b' },
  ttl: { type: 'string' },
  src: { type: 'string', short: 'S' },
  iface: { type: 'string', short: 'I' },
  socket: { type: 'string' },
  senders: { type: 'string' },
  timestamps: { type: 'string' },
  flows: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `pingsphere icmp` arguments into sweep options (throws UsageError on anything wrong). */
export function parseIcmpArgs(argv: string[]): {
  help: boolean;
  targets: string[];
  files: string[];
  options: SweepOptions;
  json: boolean;
  quiet: boolean;
} {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see \`pingsphere icmp --help\`)`);
  }
  const { values, positionals } = parsed;
  const number = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`${flag} needs a number, got "${text}"`);
    return Number(text);
  };
  if (values.rate !== undefined && values['unlimited-rate']) {
    throw new UsageError('give either --rate PPS or --unlimited-rate, not both');
  }
  const options: SweepOptions = {
    ...defaultSweepOptions,
    src: hostname(),
    count: number('-c/--count', values.count, defaultSweepOptions.count),
    periodMs: number('-p/--period', values.period, defaultSweepOptions.periodMs),
    timeoutMs: number('-t/--timeout', values.timeout, defaultSweepOptions.timeoutMs),
    ratePps: values['unlimited-rate']
      ? 'unlimited'
      : number('--rate', values.rate, defaultSweepOptions.ratePps as number),
    payloadBytes: number('-b/--size', values.size, defaultSweepOptions.payloadBytes),
    socketMode: (values.socket ?? 'auto') as SweepOptions['socketMode'],
    senders:
      values.senders === undefined || values.senders === 'auto' ? 'auto' : number('--senders', values.senders, 0),
    timestamps: (values.timestamps ?? 'auto') as SweepOptions['timestamps'],
    flows: number('--flows', values.flows, 1),
    ...(values.ttl !== undefined ? { ttl: number('--ttl', values.ttl, 0) } : {}),
    ...(values.src !== undefined ? { sourceAddress: values.src } : {}),
    ...(values.iface !== undefined ? { interfaceName: values.iface } : {}),
  };
  validateSweepOptions(options);
  return {
    help: values.help ?? false,
    targets: positionals,
    files: values.file ?? [],
    options,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

/** Runs the sweep; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const args = parseIcmpArgs(argv);
  if (args.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.targets.length === 0 && args.files.length === 0) {
    throw new UsageError('no targets: give addresses, hostnames or CIDR ranges as arguments, or a file with -f FILE');
  }
  const { targets, unresolved, badLines } = await loadTargets(args.targets, args.files);
  if (targets.size === 0) {
    throw new UsageError(
      unresolved > 0
        ? 'no targets left: none of the hostnames resolved'
        : badLines > 0
          ? `no targets left: every target line was bad (${badLines} skipped)`
          : 'no targets: the target list is empty (give addresses, hostnames or CIDR ranges)',
    );
  }

  const run = startSweep(targets, args.options);
  const tally = new SweepTally(targets.size);
  const probesTotal = targets.size * args.options.count;
  const packetBytes = args.options.payloadBytes + 8;
  // The NDJSON contract grows a "flow" key only when there is more than one flow to tell apart.
  const flowKey = (args.options.flows ?? 1) > 1;

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const showProgress = process.stderr.isTTY || probesTotal >= bigSweepProbes;
  const startedAt = Date.now();
  const progressTimer = showProgress
    ? setInterval(() => {
        const p = run.progress();
        const line = `[progress] ${p.sent}/${p.probesTotal} probes sent, ${p.resolved} done, ${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
        process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
      }, 1000)
    : undefined;

  try {
    for await (const batch of run.batches()) {
      tally.add(batch);
      if (args.quiet && !args.json) continue;
      await write(process.stdout, probeLines(batch, targets, args.json ? 'json' : 'text', packetBytes, flowKey));
    }
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    if (showProgress && process.stderr.isTTY) process.stderr.write('\n');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stderr.write(summaryText(tally.summary(), run.stats(), run.mode, interrupted));
  if (badLines > 0) process.stderr.write(`pingsphere icmp: ${badLines} bad target lines were skipped (listed above)\n`);
  return interrupted ? 130 : badLines > 0 ? 2 : 0;
}

/**
 * Arguments (a bad one stops the run) and files (a bad line is reported and skipped) → one packed
 * address list. Plain address lines go straight into it, as listed (fping's way); ranges, hostnames
 * and labelled lines go through the inventory's plan (each of their addresses once; hostnames
 * resolved once). A list of plain addresses only never loads the inventory, the resolver or
 * node:crypto (~15 ms of a 60,000-target run's start-up).
 */
export async function loadTargets(
  argumentsGiven: readonly string[],
  files: readonly string[],
  command = 'icmp',
): Promise<{ targets: TargetList; unresolved: number; badLines: number }> {
  const table = new TargetTable();
  for (const text of argumentsGiven) {
    try {
      table.put(parseTargetSpec(text));
    } catch (error) {
      if (error instanceof InvalidTargetError) throw new InvalidTargetError(`${error.message} (argument)`);
      throw error;
    }
  }
  const plain = new TargetList();
  const addPlain = (address: number) => plain.addIpv4(address);
  let badLines = 0;
  for (const file of files) {
    const read =
      file === '-'
        ? await readTargetsStream(process.stdin, 'stdin', table, addPlain)
        : await readTargetsFile(file, table, addPlain, (addresses) => plain.addIpv4List(addresses));
    for (const problem of read.problems) process.stderr.write(`pingsphere ${command}: ${describeProblem(problem)}\n`);
    const unlisted = read.errors + read.warnings - read.problems.length;
    if (unlisted > 0) process.stderr.write(`pingsphere ${command}: … and ${unlisted} more in ${file}\n`);
    badLines += read.errors;
  }
  const tooMany = () =>
    new UsageError(`too many targets: one sweep holds at most ${maxSweepTargets.toLocaleString('en')}; split the list`);
  if (table.size === 0) {
    if (plain.size > maxSweepTargets) throw tooMany();
    return { targets: plain, unresolved: 0, badLines };
  }
  const [{ HostnameResolver }, { buildSweepPlan, inventoryHostnames }, { TargetInventory }] = await Promise.all([
    import('../icmp/hostname-resolver.js'),
    import('../inventory/sweep-plan.js'),
    import('../inventory/target-inventory.js'),
  ]);
  const inventory = new TargetInventory();
  inventory.replaceFile(table, { file: files.join(', '), errors: badLines, warnings: 0, problems: [] });
  const resolver = new HostnameResolver({ dualStack: false });
  const report = await resolver.refresh(inventoryHostnames(inventory));
  for (const failure of report.failed) {
    process.stderr.write(`pingsphere ${command}: cannot resolve ${failure.name}: ${failure.reason} (skipped)\n`);
  }
  const plan = buildSweepPlan(inventory, resolver, { maxTargets: maxSweepTargets - plain.size });
  if (plan.skips.overLimit > 0 || plain.size > maxSweepTargets) throw tooMany();
  if (plan.size === 0) return { targets: plain, unresolved: report.failed.length, badLines };
  plain.addIpv4List(plan.targets.ipv4Addresses());
  plain.addIpv6List(plan.targets.ipv6Addresses());
  return { targets: plain, unresolved: report.failed.length, badLines };
}
