// docker-compose.yml as compose itself resolves it (`docker-compose config`: defaults filled in,
// anchors merged, relative paths made absolute), for the tests that check or run its services.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@pingsphere/testbed';

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: ComposeHealthcheck;
  cap_drop?: string[];
  cap_add?: string[];
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  hostname?: string;
  restart?: string;
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The file as `docker-compose config` resolves it, with none of the optional variables set. */
export function resolvedCompose(): ComposeFile {
  const env = { ...process.env };
  for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'PINGSPHERE_TOKEN']) delete env[name];
  const text = execFileSync('docker-compose', ['-f', join(repoRoot, 'docker-compose.yml'), 'config'], {
    cwd: repoRoot,
    env,
  }).toString();
  return parse(text) as ComposeFile;
}

/** The services built from collector/Dockerfile, in the file's order. */
export function collectorServices(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, s]) => s.build?.dockerfile === 'collector/Dockerfile')
    .map(([name]) => name);
}

/** The `-L` location a collector service is started with. */
export function locationOf(compose: ComposeFile, service: string): string {
  const command = compose.services[service]!.command!;
  return command[command.indexOf('-L') + 1]!;
}

/** Compose's `$$` (a literal dollar sign that compose does not interpolate), as the container sees it. */
export function unescapeDollars(text: string): string {
  return text.replaceAll('$$', '$');
}

/**
 * How long the mesh-bootstrap job may run: each import retries for up to curl's
 * `--retry-max-time`, plus one attempt's `--max-time`, and the script runs them one after another.
 */
export function bootstrapBudgetMs(compose: ComposeFile): number {
  const script = compose.services['mesh-bootstrap']!.command!.join(' ');
  const seconds = (flag: string) => {
    const match = new RegExp(`${flag} (\\d+)`).exec(script);
    if (!match) throw new Error(`mesh-bootstrap's curl has no ${flag}: its run time would be unbounded`);
    return Number(match[1]);
  };
  const imports = [...script.matchAll(/^\s*add \S+ \S+\s*$/gm)].length;
  if (imports === 0) throw new Error("mesh-bootstrap's script has no `add <collector> <peer>` line");
  return imports * 1000 * (seconds('--retry-max-time') + seconds('--max-time'));
}
