// Runs `npm run demo`'s command as a user would, in its own process group, and follows its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@pingsphere/testbed';

/** The package.json "demo" script as argv, with this Node for `node`. */
export function demoCommand(): [string, string[]] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = scripts.demo!.split(' ');
  if (node !== 'node') throw new Error(`the demo script should start with node: ${scripts.demo}`);
  return [process.execPath, args];
}

export class DemoRun {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  // Exactly what `npm run demo` runs, in its own process group, so SIGINT to the group reaches
  // every process as a terminal's Ctrl-C would. (It once ran under tsx's CLI, a wrapper process
  // that relays signals to the demo and SIGKILLs it, exiting 130, unless the demo confirms each
  // signal within 30 ms, which a busy machine often cannot: Node with tsx as a loader is one process.)
  constructor(env: Record<string, string>) {
    const [command, args] = demoCommand();
    this.child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until the output contains `text`; throws with the output if the demo exits first or time runs out. */
  async waitFor(text: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.running || Date.now() > deadline) {
        throw new Error(`demo ${this.running ? 'did not print' : 'exited before printing'} "${text}":\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGINT to the whole process group, as Ctrl-C in a terminal. */
  interrupt(): void {
    process.kill(-this.pid, 'SIGINT');
  }

  /** SIGKILL to the demo process alone (a crash): its children are left to their own fate. */
  async killHard(): Promise<void> {
    process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }

  /** Last resort after a failed test: the whole group. */
  killGroup(): void {
    if (!this.running) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
