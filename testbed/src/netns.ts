import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isAlive, ownIdentity } from './process-identity.js';
import { withParentDeathSignal } from './service-process.js';

const execFileAsync = promisify(execFile);

const relayScript = join(dirname(fileURLToPath(import.meta.url)), 'port-relay.mjs');

/** Host ↔ namespace TCP relays (NetworkNamespace.relayPorts). */
export interface PortRelay {
  /** Host loopback port per exposed "address:port" inside the namespace. */
  hostPorts: Map<string, number>;
  close(): Promise<void>;
}

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
    return NetworkNamespace.createNamed(`${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`);
  }

  /**
   * Like create(), named PREFIX-PID-STARTTICKS-ROLE after this process, so that a later run can
   * tell a namespace whose owner was killed (removeStaleNamespaces) from one still in use.
   */
  static async createOwned(prefix: string, role: string): Promise<NetworkNamespace> {
    checkOwnedName(prefix, role);
    const { pid, startTicks } = ownIdentity();
    return NetworkNamespace.createNamed(`${prefix}-${pid}-${startTicks}-${role}`);
  }

  private static async createNamed(name: string): Promise<NetworkNamespace> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error('network namespaces need root (CAP_SYS_ADMIN): run the tests as root, e.g. `sudo npm test`.');
    }
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
   * 127.0.0.1:`insidePort` (the same port by default) inside the namespace, without giving the
   * namespace any network link: the two sides meet on a Unix socket (those live in the file
   * system, not in a network namespace). TCP only.
   */
  async forwardHostPort(port: number, insidePort = port): Promise<{ close(): Promise<void> }> {
    return this.relayPorts({ fromHost: [{ hostPort: port, insidePort }] });
  }

  /**
   * Carries TCP between the host and the namespace over Unix sockets, in one relay process:
   * `fromHost` makes host loopback ports reachable on the namespace's 127.0.0.1; `toHost` makes
   * services inside (address:port) reachable on free host loopback ports, listed in `hostPorts`
   * under "address:port". The namespace still has no network link to the host.
   */
  async relayPorts(routes: {
    fromHost?: readonly { hostPort: number; insidePort?: number }[];
    toHost?: readonly { address: string; port: number }[];
  }): Promise<PortRelay> {
    const hostSide: Server[] = [];
    const open = new Set<Socket>();
    const socketFiles: string[] = [];
    const hostPorts = new Map<string, number>();
    const relayRoutes: unknown[] = [];
    const socketFile = (label: string) => {
      const path = join(tmpdir(), `${this.name}-${label}.sock`);
      rmSync(path, { force: true });
      socketFiles.push(path);
      return path;
    };
    const serve = async (listen: (server: Server) => void, connectOut: () => Socket) => {
      const server = createServer((inbound) => {
        const outbound = connectOut();
        for (const socket of [inbound, outbound]) {
          open.add(socket);
          socket.once('close', () => open.delete(socket));
          socket.once('error', () => (socket === inbound ? outbound : inbound).destroy());
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      hostSide.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.once('listening', resolve);
        listen(server);
      });
      return server;
    };
    let inside: ChildProcess | undefined;
    const close = async () => {
      inside?.kill('SIGKILL');
      for (const socket of open) socket.destroy();
      await Promise.all(hostSide.map((server) => new Promise((resolve) => server.close(resolve))));
      for (const path of socketFiles) rmSync(path, { force: true });
    };
    try {
      for (const { hostPort, insidePort = hostPort } of routes.fromHost ?? []) {
        const path = socketFile(`in-${hostPort}-${insidePort}`);
        await serve(
          (server) => server.listen(path),
          () => connect(hostPort, '127.0.0.1'),
        );
        relayRoutes.push({ listen: { host: '127.0.0.1', port: insidePort }, connect: { unix: path } });
      }
      for (const { address, port } of routes.toHost ?? []) {
        const path = socketFile(`out-${address}-${port}`);
        const server = await serve(
          (s) => s.listen(0, '127.0.0.1'),
          () => connect(path),
        );
        hostPorts.set(`${address}:${port}`, (server.address() as AddressInfo).port);
        relayRoutes.push({ listen: { unix: path }, connect: { host: address, port } });
      }
      const [command, args] = withParentDeathSignal(process.execPath, [relayScript, JSON.stringify(relayRoutes)]);
      // Its own process group: a Ctrl-C to the owner's group must not cut connections the owner
      // still needs while it shuts down in order (collectors flushing to QuestDB, say).
      inside = this.spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stderr = '';
      inside.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const child = inside;
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => resolve());
        child.once('exit', (code) =>
          reject(new Error(`port relay inside ${this.name} exited with ${code}: ${stderr.trim()}`)),
        );
      });
    } catch (error) {
      await close();
      throw error;
    }
    return { hostPorts, close };
  }

  /** Kills whatever still runs inside the namespace and deletes it (with its /etc/netns files). */
  async dispose(): Promise<void> {
    await removeNamespace(this.name);
  }
}

function checkOwnedName(prefix: string, role: string): void {
  if (!/^[a-z][a-z0-9]*$/.test(prefix) || !/^[\w.-]+$/.test(role)) {
    throw new Error(
      `bad namespace prefix "${prefix}" or role "${role}": use a-z0-9 for the prefix, and letters, digits, "_", "." or "-" for the role`,
    );
  }
}

async function removeNamespace(name: string): Promise<void> {
  const pids = await ip(['netns', 'pids', name]).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await ip(['netns', 'del', name]).catch(() => undefined);
  rmSync(join('/etc/netns', name), { recursive: true, force: true });
  const sockets = readdirSync(tmpdir()).filter((file) => file.startsWith(`${name}-`) && file.endsWith('.sock'));
  for (const file of sockets) rmSync(join(tmpdir(), file), { force: true });
}

/**
 * Removes what runs in, and then deletes, every namespace made by createOwned(prefix, …) whose
 * owner process is gone (killed with -9, say). Namespaces of live owners, and any not named by
 * createOwned with this prefix, are left alone: other runs on the machine may be using them.
 * Returns the names removed.
 */
export async function removeStaleNamespaces(prefix: string): Promise<string[]> {
  const listed = await ip(['netns', 'list']).catch(() => '');
  checkOwnedName(prefix, 'role');
  const pattern = new RegExp(`^${prefix}-(\\d+)-(\\d+)-[\\w.-]+$`);
  const stale = listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const match = pattern.exec(name);
      return match !== null && !isAlive({ pid: Number(match[1]), startTicks: Number(match[2]) });
    });
  for (const name of stale) await removeNamespace(name);
  return stale;
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
