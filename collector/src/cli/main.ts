// Entry point of the `pingsphere` command: dispatches to one module per subcommand, prints user
// errors without a stack trace and turns them into a non-zero exit code. Only this module and
// the chosen subcommand's are loaded: `--version`, `--help` and `icmp` never load the HTTP stack.
import packageJson from '../../package.json' with { type: 'json' };
import { isUsageError, UsageError } from './usage-error.js';

/** A subcommand: parses its own arguments, returns the process exit code. */
type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  collect: {
    summary: 'run a collector: HTTP mesh pinger, ICMP sweeps, API server and sinks (pingmesh flags)',
    // The daemon's V8 flags first: loading the collector's modules is start-up too (daemon-v8-flags.ts).
    load: async () => {
      (await import('./daemon-v8-flags.js')).applyDaemonV8Flags();
      return import('./collect-command.js');
    },
  },
  icmp: {
    summary: 'one ICMP echo sweep of addresses, hostnames or CIDR ranges (fping-like; --json for NDJSON)',
    load: () => import('./icmp-command.js'),
  },
  trace: {
    summary: 'flow-stable traceroute of many targets at once (mtr --report-like; --flows N, --json per hop)',
    load: () => import('./trace-command.js'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: pingsphere <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`pingsphere <command> --help\` for a command's options, \`pingsphere --version\` for the version.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`pingsphere ${packageJson.version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}". ${usage()}`);
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isUsageError(error)) {
      process.stderr.write(`pingsphere: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`pingsphere: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
