import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * A fresh network namespace that holds only an `lo` interface (brought up), so whatever a test
 * sends inside it can reach nothing but the namespace itself. Created with `ip netns add`;
 * commands run in it through `ip netns exec`.
 */
export class NetworkNamespace {
  private constructor(readonly name: string) {}

  /** Creates the namespace and brings its loopback interface up. Needs root (CAP_SYS_ADMIN). */
  static async create(prefix = 'pingsphere'): Promise<NetworkNamespace> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error('network namespaces need root (CAP_SYS_ADMIN): run the tests as root, e.g. `sudo npm test`.');
    }
    const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
    await ip(['netns', 'add', name]);
    const ns = new NetworkNamespace(name);
    try {
      await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    } catch (error) {
      await ns.dispose();
      throw error;
    }
    return ns;
  }

  /** Runs a command inside the namespace and collects its output; never throws on exit code. */
  async exec(
    command: string,
    args: readonly string[] = [],
    options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(command, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, exitCode: code ?? (signal ? 128 : -1) });
      });
      // A command that exits without reading its stdin (ip, sysctl) must not turn into an EPIPE crash.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
  }

  /** Starts a long-running command inside the namespace (a responder, a collector). */
  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, command, ...args], options);
  }

  /**
   * Makes a service on the host's 127.0.0.1:`port` (QuestDB, say) reachable at
   * 127.0.0.1:`insidePort` (the same port by default) inside the namespace, without giving the namespace any network link: the two sides meet on a
   * Unix socket (those live in the file system, not in a network namespace). TCP only.
   */
  async forwardHostPort(port: number, insidePort = port): Promise<{ close(): Promise<void> }> {
    const unixPath = join(tmpdir(), `${this.name}-${port}-${insidePort}.sock`);
    const open = new Set<Socket>();
    const hostSide = createServer((inbound) => {
      const outbound = connect(port, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        socket.once('error', () => (socket === inbound ? outbound : inbound).destroy());
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => hostSide.listen(unixPath, resolve));
    const relay = [
      "const net = require('net');",
      'const [unixPath, port] = process.argv.slice(1);',
      'net.createServer((c) => { const u = net.connect(unixPath);',
      "  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); c.pipe(u).pipe(c); })",
      "  .listen(Number(port), '127.0.0.1', () => console.log('ready'));",
    ].join('\n');
    const inside = this.spawn(process.execPath, ['-e', relay, unixPath, String(insidePort)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      inside.stdout?.once('data', () => resolve());
      inside.once('exit', (code) => reject(new Error(`port relay inside ${this.name} exited with ${code}`)));
    });
    return {
      close: async () => {
        inside.kill('SIGKILL');
        for (const socket of open) socket.destroy();
        await new Promise((resolve) => hostSide.close(resolve));
        rmSync(unixPath, { force: true });
      },
    };
  }

  /** Kills whatever still runs inside the namespace and deletes it. */
  async dispose(): Promise<void> {
    const pids = await ip(['netns', 'pids', this.name]).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await ip(['netns', 'del', this.name]).catch(() => undefined);
  }
}

/** Runs `body` with a fresh loopback-only namespace that is always removed afterwards. */
export async function withNetworkNamespace<T>(body: (ns: NetworkNamespace) => Promise<T>): Promise<T> {
  const ns = await NetworkNamespace.create();
  try {
    return await body(ns);
  } finally {
    await ns.dispose();
  }
}

/** Runs `ip ARGS…`, turning a failure into an error that shows ip's own message. */
export async function ip(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args);
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`\`ip ${args.join(' ')}\` failed: ${detail}. Is iproute2 installed and are we root?`);
  }
}
