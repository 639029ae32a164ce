// Drives wan-emulator.c (testbed/native): compiles it into .cache when missing or older than its
// source, starts it inside a namespace on TUN devices it creates, and changes its model at run
// time through its command channel (stdin, one reply line per command).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NetworkNamespace } from '../netns.js';
import { cacheDir } from '../repo-paths.js';
import { withParentDeathSignal } from '../service-process.js';
import type { BusyClock, LinkModel, PathModel } from './wan-model.js';

const sourcePath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'wan-emulator.c');
const binaryPath = join(cacheDir, 'testbed-native', 'wan-emulator');

/** Sites are numbered 0 … 63 in the emulator. */
export const maxWanSites = 64;

/** The emulator's counters and its own lateness (write time − due time) over recent packets. */
export interface WanStats {
  packets: number;
  held: number;
  dropped: number;
  inFlight: number;
  /** Packets outside every defined site pair (they get the link delay alone). */
  unclassified: number;
  oversize: number;
  writeErrors: number;
  flowsOpened: number;
  flowsLive: number;
  flowsUntracked: number;
  lateP50Ns: number;
  lateP99Ns: number;
  lateMaxNs: number;
}

/** Compiles the emulator if its binary is missing or older than its source; returns the binary. */
export function buildWanEmulator(): string {
  if (!existsSync(binaryPath) || statSync(binaryPath).mtimeMs < statSync(sourcePath).mtimeMs) {
    mkdirSync(dirname(binaryPath), { recursive: true });
    // Built beside and renamed: a parallel test never runs a half-written binary.
    const partial = `${binaryPath}.${process.pid}`;
    execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', partial, sourcePath, '-lm']);
    renameSync(partial, binaryPath);
  }
  return binaryPath;
}

function parseStats(line: string): WanStats {
  const value = (key: string) => Number(new RegExp(`\\b${key}=(-?\\d+)`).exec(line)?.[1] ?? NaN);
  return {
    packets: value('packets'),
    held: value('held'),
    dropped: value('dropped'),
    inFlight: value('in_flight'),
    unclassified: value('unclassified'),
    oversize: value('oversize'),
    writeErrors: value('write_errors'),
    flowsOpened: value('flows_opened'),
    flowsLive: value('flows_live'),
    flowsUntracked: value('flows_untracked'),
    lateP50Ns: value('late_p50_ns'),
    lateP99Ns: value('late_p99_ns'),
    lateMaxNs: value('late_max_ns'),
  };
}

const format = (n: number) => String(Math.round(n * 1000) / 1000);

/** The emulator's `path` command for a model (what setPath sends; also for a model file). */
export function pathCommand(from: number, to: number, path: PathModel): string {
  const options = [
    `there=${format(path.thereUs)}`,
    `back=${format(path.backUs)}`,
    `jitter=${format(path.jitterUs ?? 0)}`,
    `loss=${path.loss ?? 0}`,
    `busy=${format(path.busyUs ?? 0)}`,
    ...(path.busyPeak === undefined ? [] : [`peak=${Number(path.busyPeak.toFixed(6))}`]),
    ...(path.busyWidth === undefined ? [] : [`width=${Number(path.busyWidth.toFixed(6))}`]),
  ];
  return `path ${from} ${to} ${options.join(' ')}`;
}

/**
 * A running wan-emulator. It holds each packet its devices receive for the modelled delay and
 * writes it back into the same device; which packets reach a device is the caller's routing.
 */
export class WanEmulator {
  private readonly replies: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly exited: Promise<string>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: AsyncIterator<string>,
    readonly devices: readonly string[],
  ) {
    this.exited = (async () => {
      let last = '';
      for (;;) {
        const next = await this.lines.next();
        if (next.done) {
          for (const reply of this.replies.splice(0)) reply('error: wan-emulator exited');
          return last;
        }
        const reply = this.replies.shift();
        if (reply) reply(next.value);
        else last = next.value;
      }
    })();
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdin?.on('error', () => undefined); // it exited: the pending command fails through `exited`
  }

  /** Starts the emulator in `ns` on new TUN devices of these names (brought up, no address). */
  static async start(ns: NetworkNamespace, devices: readonly string[]): Promise<WanEmulator> {
    if (devices.length === 0) throw new Error('the WAN emulator needs at least one device');
    const [command, args] = withParentDeathSignal(buildWanEmulator(), devices);
    // Its own process group, so a Ctrl-C to the owner's group leaves the owner to stop it in order.
    const child = ns.spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`wan-emulator did not start within 10 s: ${stderr}`)), 10_000),
      ),
    ]);
    if (first.done || first.value !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`wan-emulator failed to start in ${ns.name}: ${stderr.trim() || 'no output'}`);
    }
    const emulator = new WanEmulator(child, lines, devices);
    for (const device of devices) {
      const up = await ns.exec('ip', ['link', 'set', device, 'up']);
      if (up.exitCode !== 0) throw new Error(`ip link set ${device} up failed: ${up.stderr}`);
    }
    return emulator;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Addresses in these prefixes (e.g. "198.18.3.0/24") belong to site `id` (0 … 63). */
  async defineSite(id: number, prefixes: readonly string[]): Promise<void> {
    for (const prefix of prefixes) await this.command(`site ${id} ${prefix}`);
  }

  /** The model of flows opened from site `from` toward site `to`; takes effect at once. */
  async setPath(from: number, to: number, path: PathModel): Promise<void> {
    await this.command(pathCommand(from, to, path));
  }

  /** Delay, jitter and loss for every packet through one device (a hop of a router chain). */
  async setLink(device: string, link: LinkModel): Promise<void> {
    await this.command(
      `link ${device} delay=${format(link.delayUs ?? 0)} jitter=${format(link.jitterUs ?? 0)} loss=${link.loss ?? 0}`,
    );
  }

  async setClock(clock: BusyClock): Promise<void> {
    await this.command(`clock period=${clock.periodMs} epoch=${clock.epochMs}`);
  }

  /** Seeds jitter and loss for a reproducible run. */
  async seed(seed: number): Promise<void> {
    await this.command(`seed ${Math.trunc(seed)}`);
  }

  async stats(): Promise<WanStats> {
    return parseStats(await this.command('stats'));
  }

  /** Stops the emulator (held packets are dropped) and returns its final counters. */
  async stop(): Promise<WanStats> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.kill('SIGTERM');
      const last = await this.exited;
      clearTimeout(timer);
      return parseStats(last);
    }
    return parseStats(await this.exited);
  }

  private command(line: string): Promise<string> {
    const run = async () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`wan-emulator has exited; cannot run "${line}". ${this.stderr.trim()}`);
      }
      const reply = new Promise<string>((resolve) => this.replies.push(resolve));
      this.child.stdin!.write(`${line}\n`);
      const answer = await reply;
      if (!answer.startsWith('ok')) throw new Error(`wan-emulator refused "${line}": ${answer}`);
      return answer;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
