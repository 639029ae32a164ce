// Starts tun-responder.c inside a test namespace: compiles it (gcc, into .cache/), creates the
// TUN device, routes 198.18.0.0/16 to it, and stops it with its counters.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cacheDir, type NetworkNamespace } from '@pingsphere/testbed';

export type HostBehaviour = 'reply' | 'drop' | 'forge' | 'duplicate' | 'forge-then-reply';

/** One simulated host in 198.18.0.0/16. */
export interface TunHost {
  address: string;
  delayUs: number;
  behaviour: HostBehaviour;
}

/** What the responder saw and did (printed by it when stopped). */
export interface ResponderCounters {
  requests: number;
  replies: number;
  dropped: number;
  forged: number;
  duplicates: number;
  unknown: number;
}

const sourcePath = join(dirname(fileURLToPath(import.meta.url)), 'tun-responder.c');
const binaryDir = join(cacheDir, 'native-testing');
const binaryPath = join(binaryDir, 'tun-responder');

/** The TUN device's own address: outside the simulated hosts, so the kernel has a source to use. */
export const tunLocalAddress = '198.19.255.254';

/** Compiles the responder if its binary is missing or older than its source. */
export function buildTunResponder(): string {
  if (!existsSync(binaryPath) || statSync(binaryPath).mtimeMs < statSync(sourcePath).mtimeMs) {
    mkdirSync(binaryDir, { recursive: true });
    execFileSync('gcc', ['-O2', '-Wall', '-o', binaryPath, sourcePath]);
  }
  return binaryPath;
}

/** `n` consecutive addresses from 198.18.0.1 (a.k.a. host offsets 1 … n). */
export function tunAddresses(n: number, firstOffset = 1): string[] {
  return Array.from({ length: n }, (_, i) => {
    const offset = firstOffset + i;
    return `198.18.${offset >>> 8}.${offset & 255}`;
  });
}

/** A running responder inside a namespace. */
export class TunResponder {
  private constructor(
    private readonly child: ChildProcess,
    private readonly output: Promise<string>,
  ) {}

  /** Starts the responder with these hosts and routes 198.18.0.0/16 through its device. */
  static async start(ns: NetworkNamespace, hosts: readonly TunHost[], device = 'pstun0'): Promise<TunResponder> {
    const binary = buildTunResponder();
    const table = join(binaryDir, `hosts-${process.pid}-${Date.now()}.txt`);
    writeFileSync(table, hosts.map((h) => `${h.address} ${Math.round(h.delayUs)} ${h.behaviour}\n`).join(''));
    const child = ns.spawn(binary, [device, table], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const iterator = lines[Symbol.asyncIterator]();
    const first = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('tun-responder did not start within 10 s')), 10_000),
      ),
    ]);
    if (first.done || first.value !== 'ready') throw new Error(`tun-responder failed to start: ${stderr}`);
    const output = (async () => {
      let rest = '';
      for (;;) {
        const next = await iterator.next();
        if (next.done) return rest;
        rest += `${next.value}\n`;
      }
    })();
    for (const args of [
      ['link', 'set', device, 'up'],
      ['addr', 'add', `${tunLocalAddress}/32`, 'dev', device],
      ['route', 'add', '198.18.0.0/16', 'dev', device],
    ]) {
      const result = await ns.exec('ip', args);
      if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
    }
    return new TunResponder(child, output);
  }

  /** Stops the responder and returns its counters. */
  async stop(): Promise<ResponderCounters> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    const text = await this.output;
    const counters = Object.fromEntries(
      [...text.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
    ) as unknown as ResponderCounters;
    return counters;
  }
}
