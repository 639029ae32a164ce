// Command-line parsing in the syntax of Go's `flag` package, because pingmesh users write
// `-d 5`, `-d=5`, `--d 5`, `-v` and `-listen 127.0.0.2` interchangeably. Node's util.parseArgs
// reads `-d=5` as the value "=5" and rejects single-dash long names, so it cannot be used here.
import { UsageError } from '../cli/usage-error.js';

/** One flag: a boolean switch or a flag that takes a value. */
export interface FlagSpec {
  kind: 'boolean' | 'string';
  /** Shown by --help, after the flag name. */
  help: string;
  /** Placeholder for the value in --help (string flags). */
  valueName?: string;
}

/** The flags a command accepts, by name (without dashes). */
export type FlagSpecs = Record<string, FlagSpec>;

/** What the command line said: flag values (last one wins) and the remaining arguments in order. */
export interface ParsedFlags {
  values: Map<string, string | boolean>;
  positionals: string[];
}

const goBooleanValues: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

/**
 * Parses Go-style flags. Unlike Go, flags may also follow the endpoints (a pingmesh user's
 * `pingmesh url -v` would silently ping "-v" in Go); `--` ends flag parsing.
 */
export function parseGoFlags(args: readonly string[], specs: FlagSpecs): ParsedFlags {
  const values = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(`flag provided but not defined: -${name} (run \`pingsphere collect --help\` for the flags)`);
    }
    if (spec.kind === 'boolean') {
      if (inline === undefined) {
        values.set(name, true);
      } else {
        const parsed = goBooleanValues[inline];
        if (parsed === undefined) {
          throw new UsageError(`invalid boolean value "${inline}" for -${name}: use -${name} or -${name}=false`);
        }
        values.set(name, parsed);
      }
      continue;
    }
    if (inline !== undefined) {
      values.set(name, inline);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) {
      throw new UsageError(`flag needs an argument: -${name} ${spec.valueName ?? 'VALUE'}`);
    }
    values.set(name, next);
    i++;
  }
  return { values, positionals };
}

/** The flag list for --help, one line per flag, in the order the specs were declared. */
export function describeFlags(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const dashes = name.length === 1 ? '-' : '--';
      const left = `${dashes}${name}${spec.kind === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
      return `  ${left.padEnd(24)} ${spec.help}`;
    })
    .join('\n');
}
