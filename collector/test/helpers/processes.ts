// Real processes for the collector's tests: the `pingsphere collect` CLI itself, a paced target
// server, and a self-signed certificate made with the openssl CLI at test time.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@pingsphere/testbed';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A child process whose whole output is kept, for assertions on what it printed. */
export class RecordedProcess {
  stdout = '';
  stderr = '';
  /** When stdout grew: wall-clock ms and the length of `stdout` after that chunk. */
  readonly stdoutArrivals: { atMs: number; length: number }[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      this.stdoutArrivals.push({ atMs: Date.now(), length: this.stdout.length });
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      }),
    );
  }

  get output(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Polls until `condition` holds, failing with the output if the process dies or time runs out. */
  async waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await Promise.resolve(condition()).catch(() => false)) return;
      if (this.hasExited) throw new Error(`process exited before ${what}\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.output}`);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** SIGTERM (SIGKILL after 5 s) and wait for the exit. */
  async stop(): Promise<number | null> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }
}

/**
 * Runs `body`, then stops every process in `processes` (whatever the body did) and expects each to
 * exit with 0. A failure of the body is the one reported: a bad exit code after it (a collector
 * that fails its test often also fails to stop cleanly) is added to its message instead of
 * replacing it, which `finally { expect(await p.stop()).toBe(0) }` would do.
 */
export async function runThenStop<T>(processes: readonly RecordedProcess[], body: () => Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const codes = await Promise.all(processes.map((child) => child.stop()));
  const unclean = processes
    .map((child, i) => ({ child, code: codes[i] }))
    .filter(({ code }) => code !== 0)
    .map(({ child, code }) => `pid ${child.pid} exited with ${code} when stopped\n${child.output}`);
  if (!outcome.ok) {
    if (unclean.length > 0 && outcome.error instanceof Error) {
      outcome.error.message += `\n(also, once the test had failed: ${unclean.join('\n')})`;
    }
    throw outcome.error;
  }
  if (unclean.length > 0) throw new Error(`a process did not stop cleanly: ${unclean.join('\n')}`);
  return outcome.value;
}

/**
 * How long a test waits for a collector to get somewhere (start, answer, ping, discover) before it
 * fails. A hang guard, not a measurement: a 2-core machine shared with other test runs can take
 * tens of seconds to start a Node process, and a healthy run passes long before this.
 */
export const hangGuardMs = 60_000;

const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

/** Starts `pingsphere collect ARGS…`. */
export function startCollector(args: readonly string[], env: NodeJS.ProcessEnv = {}): RecordedProcess {
  return new RecordedProcess(process.execPath, [cli, 'collect', ...args], env);
}

/**
 * Runs `pingsphere collect ARGS…` to completion. `timeoutMs` only guards against a hung run (a
 * loaded 2-core machine can take many seconds to start one), so it is generous; a killed run says
 * so at the end of its stderr instead of showing only an exit code of null.
 */
export async function runCollector(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = hangGuardMs,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const collector = startCollector(args, env);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    collector.signal('SIGKILL');
  }, timeoutMs);
  const code = await collector.exited;
  clearTimeout(timer);
  const note = killed ? `\n[killed by the test after ${timeoutMs} ms: the run did not end by itself]\n` : '';
  return { code, stdout: collector.stdout, stderr: collector.stderr + note };
}

/** Options of the paced target server (collector/test/fixtures/paced-server.mjs). */
export interface PacedServerOptions {
  hosts?: string[];
  port?: number;
  headerDelayMs?: number;
  bodyDelayMs?: number;
  status?: number;
  location?: string;
  tls?: { cert: string; key: string };
  /** Do not log each request (benchmarks). */
  quiet?: boolean;
  /** Serve these URLs as a pingmesh peer list on GET /v1/peers (a fake mesh peer). */
  peers?: string[];
}

/** One request a paced server received. */
export interface ReceivedRequest {
  method: string;
  sni: string;
  host: string;
  path: string;
  /** The server address the request came in on. */
  local: string;
  bodyBytes: number;
}

/** A running paced server: its port and the requests it saw. */
export interface PacedServer {
  port: number;
  requests(): ReceivedRequest[];
  stop(): Promise<void>;
}

/** Starts a paced target server (inside `ns` when given) and waits until it listens. */
export async function startPacedServer(options: PacedServerOptions, ns?: { name: string }): Promise<PacedServer> {
  const command = [
    process.execPath,
    join(repoRoot, 'collector/test/fixtures/paced-server.mjs'),
    JSON.stringify(options),
  ];
  const server = ns
    ? new RecordedProcess('ip', ['netns', 'exec', ns.name, ...command])
    : new RecordedProcess(command[0]!, command.slice(1));
  await server.waitFor(() => /ready \d+/.test(server.stdout), 10_000, 'the paced server to listen');
  const port = Number(/ready (\d+)/.exec(server.stdout)![1]);
  return {
    port,
    requests: () =>
      server.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as ReceivedRequest),
    stop: async () => {
      await server.stop();
    },
  };
}

/** A throw-away CA-less self-signed certificate for `names` (DNS names), in a temp folder. */
export async function makeCertificate(names: string[]): Promise<{ cert: string; key: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'pingsphere-cert-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses NDJSON output into objects (ignoring blank lines). */
export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Starts `pingsphere collect ARGS…` inside a network namespace (`ip netns exec` execs it, same pid). */
export function startCollectorIn(
  ns: { name: string },
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): RecordedProcess {
  return new RecordedProcess('ip', ['netns', 'exec', ns.name, process.execPath, cli, 'collect', ...args], env);
}
