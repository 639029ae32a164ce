// The small C programs the tests and benchmarks run inside a namespace (the TUN responder, the
// wire capture): compiled with gcc into .cache/ when missing or older than their source, started
// with a "ready" handshake on stdout, stopped with SIGTERM and read back as `name=N` counters.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cacheDir, type NetworkNamespace } from '@pingsphere/testbed';

const sourceDir = dirname(fileURLToPath(import.meta.url));

/** Where the compiled tools and their scratch files go. */
export const testToolDir = join(cacheDir, 'native-testing');

/** Compiles native/testing/NAME.c unless an up-to-date binary exists; returns its path. */
export function buildTestTool(name: string): string {
  const source = join(sourceDir, `${name}.c`);
  const binary = join(testToolDir, name);
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(testToolDir, { recursive: true });
    execFileSync('gcc', ['-O2', '-Wall', '-o', binary, source]);
  }
  return binary;
}

/** A started tool: the process and everything it prints after "ready". */
export interface RunningTool {
  child: ChildProcess;
  output: Promise<string>;
}

/** Starts the tool in `ns` and waits (at most 10 s) until it prints "ready". */
export async function startTestTool(ns: NetworkNamespace, name: string, args: string[]): Promise<RunningTool> {
  const child = ns.spawn(buildTestTool(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    iterator.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} did not start within 10 s: ${stderr}`)), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (first.done || first.value !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`${name} failed to start: ${stderr}`);
  }
  const output = (async () => {
    let rest = '';
    for (;;) {
      const next = await iterator.next();
      if (next.done) return rest;
      rest += `${next.value}\n`;
    }
  })();
  return { child, output };
}

/** Stops the tool (SIGTERM, SIGKILL after 5 s) and returns the `name=N` counters it printed. */
export async function stopTestTool(tool: RunningTool): Promise<Record<string, number>> {
  const exited = new Promise((resolve) => tool.child.once('exit', resolve));
  if (tool.child.exitCode === null) tool.child.kill('SIGTERM');
  const timer = setTimeout(() => tool.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  const text = await tool.output;
  return Object.fromEntries([...text.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}
