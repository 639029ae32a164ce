// Starts quote-forger.py (see there) in a namespace: an on-path router that answers probes with
// forged time-exceeded and echo-reply messages a tracer must count and not report.
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NetworkNamespace } from './netns.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'quote-forger.py');

/** What the forger sent: per forged kind, one message for each probe it answered. */
export interface ForgerCounts {
  probes: number;
  'quote-payload': number;
  'quote-header': number;
  'echo-payload': number;
}

export class QuoteForger {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lastLine: Promise<string>,
  ) {}

  /**
   * Listens on `device` in `ns` and forges answers to at most `maxProbes` probes, for at most
   * `seconds`. Forged time-exceeded messages come from `fakeSource4` / `fakeSource6`.
   */
  static async start(
    ns: NetworkNamespace,
    device: string,
    options: { fakeSource4: string; fakeSource6: string; maxProbes: number; seconds: number },
  ): Promise<QuoteForger> {
    const child = ns.spawn('python3', [
      script,
      device,
      options.fakeSource4,
      options.fakeSource6,
      String(options.maxProbes),
      String(options.seconds),
    ]);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done || first.value !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`quote-forger did not start in ${ns.name}: ${stderr.trim() || 'no output'}`);
    }
    const lastLine = (async () => {
      let last = '';
      for (;;) {
        const next = await lines.next();
        if (next.done) return last;
        last = next.value;
      }
    })();
    return new QuoteForger(child, lastLine);
  }

  /** Waits for the forger to finish (its probe or time bound) and returns what it sent. */
  async done(): Promise<ForgerCounts> {
    const line = await this.lastLine;
    try {
      return JSON.parse(line) as ForgerCounts;
    } catch {
      throw new Error(`quote-forger ended without its counts (exit ${this.child.exitCode}): "${line}"`);
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
