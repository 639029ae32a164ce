import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const setpriv = '/usr/bin/setpriv';

/**
 * The command wrapped so that the kernel sends it SIGTERM when its parent (this process) dies,
 * even by SIGKILL, where no exit hook runs (util-linux setpriv --pdeathsig; the setting survives
 * the exec). Unwrapped where setpriv is missing: then only a later run's clean-up stops it.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  return existsSync(setpriv) ? [setpriv, ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, [...args]];
}

/** The last lines a service printed, kept so start-up failures can show them. */
class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly maxLines = 60) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  toString(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// A crashed or interrupted test run must not leave QuestDB or moto_server behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** A child process the testbed started and must stop: output tail, exit tracking, graceful stop. */
export class ServiceProcess {
  readonly output = new OutputTail();
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  /** `dieWithParent`: stopped by the kernel if this process is killed (see withParentDeathSignal). */
  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    { dieWithParent = false, ...options }: SpawnOptions & { dieWithParent?: boolean } = {},
  ) {
    installExitHook();
    const [file, argv] = dieWithParent ? withParentDeathSignal(command, args) : [command, args];
    this.child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    running.add(this.child);
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.exited = new Promise((resolve) => {
      const done = (code: number | null) => {
        this.exitCode = code;
        running.delete(this.child);
        resolve();
      };
      this.child.once('exit', done);
      this.child.once('error', (error) => {
        this.output.push(Buffer.from(`spawn failed: ${error.message}\n`));
        done(-1);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Polls `ready` until it resolves true, failing early (with the output tail) if the process dies. */
  async waitUntilReady(ready: () => Promise<boolean>, timeoutMs: number, hint: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.hasExited) {
        throw new Error(
          `${this.name} exited (code ${this.exitCode}) before it was ready. ${hint}\n--- last output ---\n${this.output}`,
        );
      }
      if (await ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms. ${hint}\n--- last output ---\n${this.output}`);
  }

  /** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Sends SIGKILL and waits for the exit, as a crash would. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
