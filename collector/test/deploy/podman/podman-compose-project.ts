// Runs services of docker-compose.yml under podman from the file's own definitions, as compose
// would: one network for the project (service names resolve through podman's DNS), named volumes,
// each service's user, capabilities, read-only root, tmpfs, environment, volumes, health check,
// restart policy, entrypoint and command, started in depends_on order once each condition holds,
// and stopped in reverse order. Where this differs from compose, on purpose:
// - the network is internal (no route off the host) on a subnet of the 198.18.0.0/15 test range,
//   and ports are not published on the host: the tests talk to the services over that network
//   from a probe container of their own, so nothing here takes a host port;
// - podman here has no systemd to time health checks, so the project runs each service's check
//   itself (`podman healthcheck run`) every second, within compose's own budget for it
//   (start_period + retries × interval);
// - the containers' resolver waits 1 s for an answer instead of glibc's 5 s: podman's DNS server
//   (aardvark-dns 1.4) drops the queries that arrive while it reloads for a container starting or
//   stopping (containers/aardvark-dns#389), which Docker's DNS does not, and a collector's shutdown
//   waits on a lookup in progress (see the README), so each drop could hold it past the grace period.
import type { ComposeFile, ComposeHealthcheck, ComposeService } from '../compose-file.js';
import { unescapeDollars } from '../compose-file.js';
import type { DeployRun } from './deploy-run.js';
import { podman, podmanResult, tail, type CommandResult } from './podman-cli.js';

/** Compose keys this runner applies, and those it leaves out with the reason. */
const appliedKeys = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'volumes',
  'depends_on',
  'healthcheck',
  'cap_drop',
  'cap_add',
  'user',
  'read_only',
  'tmpfs',
  'hostname',
  'restart',
]);
const leftOutKeys: Record<string, string> = {
  ports: 'not published: the tests reach the services over the project network, taking no host port',
};

/** One step of the project's life, in the order it happened. */
export interface ProjectEvent {
  service: string;
  what: 'started' | 'healthy' | 'exited';
  atMs: number;
}

export interface StopRecord {
  service: string;
  exitCode: number;
}

/** Duration in compose's notation ("5s", "1m30s", "250ms") in milliseconds. */
export function composeDurationMs(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    total +=
      Number(value) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 }[unit as 'h' | 'm' | 's' | 'ms' | 'us'];
  }
  return total;
}

/** depends_on order: every service after the ones it depends on (which must be in the selection). */
function startOrder(compose: ComposeFile, services: readonly string[], noDeps: boolean): string[] {
  if (noDeps) return [...services];
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' → ')}`);
    for (const dependency of Object.keys(compose.services[name]?.depends_on ?? {})) {
      if (!services.includes(dependency)) {
        throw new Error(
          `${name} depends on ${dependency}, which is not among the services run: ${services.join(', ')}`,
        );
      }
      visit(dependency, [...path, name]);
    }
    order.push(name);
  };
  for (const name of services) visit(name, []);
  return order;
}

export interface ProjectOptions {
  /** Name of the project within the run (prefix of its containers, volumes and network). */
  name: string;
  compose: ComposeFile;
  /** The services to run (their dependencies must be among them). */
  services: readonly string[];
  /** Image (name or id) for each service: the built collector image or a local stand-in. */
  images: Record<string, string>;
  run: DeployRun;
  /** Start the services without waiting for their dependencies (`compose up --no-deps`). */
  noDeps?: boolean;
}

export class PodmanComposeProject {
  readonly events: ProjectEvent[] = [];
  private readonly started = Date.now();
  private readonly order: string[];
  private readonly volumeNames = new Map<string, string>();

  private constructor(
    private readonly options: ProjectOptions,
    /** The project network's name and its subnet ("198.19.N.0/24"). */
    readonly network: string,
    readonly subnet: string,
  ) {
    this.order = startOrder(options.compose, options.services, options.noDeps ?? false);
  }

  /** Creates the network and volumes and starts the services as `compose up` would. */
  static async up(options: ProjectOptions): Promise<PodmanComposeProject> {
    for (const name of options.services) {
      const service = options.compose.services[name];
      if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
      for (const key of Object.keys(service)) {
        if (!appliedKeys.has(key) && !(key in leftOutKeys)) {
          throw new Error(
            `${name} uses the compose key "${key}", which this runner does not apply yet: teach it (podman-compose-project.ts)`,
          );
        }
      }
      if (!options.images[name]) throw new Error(`no image for service ${name}`);
    }
    const { network, subnet } = await createNetwork(options.run, options.name);
    const project = new PodmanComposeProject(options, network, subnet);
    for (const name of project.order) await project.start(name);
    return project;
  }

  /** The container name of a service. */
  container(service: string): string {
    return this.objectName(service);
  }

  /** Name of one of the project's objects: unique to the run and the project. */
  private objectName(suffix: string): string {
    return this.options.run.name(`${this.options.name}-${suffix}`);
  }

  private record(service: string, what: ProjectEvent['what']): void {
    this.events.push({ service, what, atMs: Date.now() - this.started });
  }

  private volumeArgs(service: ComposeService): string[] {
    return (service.volumes ?? []).flatMap((volume) => {
      const text = typeof volume === 'string' ? volume : `${volume.source}:${volume.target}`;
      const [source, ...rest] = text.split(':');
      if (source!.startsWith('/')) return ['--volume', text];
      return ['--volume', [this.volumeNames.get(source!)!, ...rest].join(':')];
    });
  }

  private async start(name: string): Promise<void> {
    const service = this.options.compose.services[name]!;
    const dependencies = this.options.noDeps ? {} : (service.depends_on ?? {});
    for (const [dependency, { condition }] of Object.entries(dependencies)) {
      if (condition === 'service_healthy') await this.waitHealthy(dependency);
      else if (condition === 'service_completed_successfully') await this.waitExit(dependency, 60_000, 0);
      else if (condition !== 'service_started') throw new Error(`${name}: unknown depends_on condition ${condition}`);
    }
    for (const volume of service.volumes ?? []) {
      const source = (typeof volume === 'string' ? volume : volume.source).split(':')[0]!;
      if (source.startsWith('/') || this.volumeNames.has(source)) continue;
      const volumeName = this.objectName(source);
      await podman(['volume', 'create', ...this.options.run.labelArgs, volumeName]);
      this.volumeNames.set(source, volumeName);
    }
    const args = [
      'run',
      '--detach',
      '--name',
      this.container(name),
      ...this.options.run.labelArgs,
      '--network',
      this.network,
      '--network-alias',
      name,
      '--hostname',
      service.hostname ?? name,
      '--dns-option',
      'timeout:1',
      ...(service.user ? ['--user', service.user] : []),
      ...(service.cap_drop ?? []).flatMap((cap) => ['--cap-drop', cap]),
      ...(service.cap_add ?? []).flatMap((cap) => ['--cap-add', cap]),
      ...(service.read_only ? ['--read-only'] : []),
      ...(service.tmpfs ?? []).flatMap((path) => ['--tmpfs', path]),
      ...Object.entries(service.environment ?? {}).flatMap(([key, value]) => [
        '--env',
        `${key}=${unescapeDollars(value)}`,
      ]),
      ...this.volumeArgs(service),
      ...(service.healthcheck ? healthcheckArgs(service.healthcheck) : []),
      ...(service.restart ? ['--restart', service.restart] : []),
      ...(service.entrypoint ? ['--entrypoint', JSON.stringify(service.entrypoint.map(unescapeDollars))] : []),
      this.options.images[name]!,
      ...(service.command ?? []).map(unescapeDollars),
    ];
    await podman(args, { timeoutMs: 120_000 });
    this.record(name, 'started');
  }

  private healthBudgetMs(check: ComposeHealthcheck): number {
    // Compose's own limit: failures inside start_period do not count, then `retries` failures in a row.
    return (
      composeDurationMs(check.start_period, 0) +
      (check.retries ?? 3) * (composeDurationMs(check.interval, 30_000) + composeDurationMs(check.timeout, 30_000))
    );
  }

  /** Resolves once the service's health check passes; fails with its output and logs otherwise. */
  async waitHealthy(name: string): Promise<void> {
    if (this.events.some((e) => e.service === name && e.what === 'healthy')) return;
    const check = this.options.compose.services[name]!.healthcheck;
    if (!check) throw new Error(`${name} has no healthcheck, yet a service waits for it to be healthy`);
    const deadline = Date.now() + this.healthBudgetMs(check);
    let last: CommandResult | null = null;
    while (Date.now() < deadline) {
      last = await podmanResult(['healthcheck', 'run', this.container(name)], { timeoutMs: 60_000 });
      if (last.exitCode === 0) {
        this.record(name, 'healthy');
        return;
      }
      if ((await this.state(name)).status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(
      `${name} did not become healthy within compose's budget of ${this.healthBudgetMs(check)} ms ` +
        `(last check: ${tail(last?.stdout + ' ' + last?.stderr)})\n${await this.logs(name)}`,
    );
  }

  /** Waits for a one-shot service to end; fails unless it exits with `expectedCode` (when given). */
  async waitExit(name: string, timeoutMs: number, expectedCode?: number): Promise<number> {
    const result = await podmanResult(['wait', this.container(name)], { timeoutMs });
    const code = Number(result.stdout.trim());
    this.record(name, 'exited');
    if (expectedCode !== undefined && code !== expectedCode) {
      throw new Error(`${name} exited with ${code}, not ${expectedCode}\n${await this.logs(name)}`);
    }
    return code;
  }

  /** Status, exit code and restart count of a service's container. */
  async state(name: string): Promise<{ status: string; exitCode: number; restarts: number }> {
    const [status, exitCode, restarts] = (
      await podman([
        'inspect',
        '--format',
        '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}',
        this.container(name),
      ])
    )
      .trim()
      .split(' ');
    return { status: status!, exitCode: Number(exitCode), restarts: Number(restarts) };
  }

  /** The address of a service on the project network. */
  async address(name: string): Promise<string> {
    const format = `{{(index .NetworkSettings.Networks "${this.network}").IPAddress}}`;
    return (await podman(['inspect', '--format', format, this.container(name)])).trim();
  }

  /** What a service printed (stdout and stderr). */
  async logs(name: string): Promise<string> {
    const result = await podmanResult(['logs', this.container(name)]);
    return `--- ${name} ---\n${result.stdout}${result.stderr}`;
  }

  /** Runs a command in a service's container (as the service's user). */
  exec(name: string, command: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
    return podmanResult(['exec', this.container(name), ...command], { timeoutMs });
  }

  /**
   * Starts a long-lived helper container on the project network (not a compose service) from which
   * the tests query the services, so that all traffic stays among the project's own containers.
   */
  async startProbe(image: string): Promise<string> {
    const name = this.objectName('probe');
    await podman([
      'run',
      '--detach',
      '--name',
      name,
      ...this.options.run.labelArgs,
      '--network',
      this.network,
      '--entrypoint',
      '["sleep", "900"]',
      image,
    ]);
    return name;
  }

  /** Stops the services as `compose down` does (reverse start order, SIGTERM then the grace period). */
  async down(gracePeriodS = 10): Promise<StopRecord[]> {
    const records: StopRecord[] = [];
    for (const name of [...this.order].reverse()) {
      await podman(['stop', '--time', String(gracePeriodS), this.container(name)], {
        timeoutMs: (gracePeriodS + 30) * 1000,
      });
      records.push({ service: name, exitCode: (await this.state(name)).exitCode });
    }
    return records;
  }
}

function healthcheckArgs(check: ComposeHealthcheck): string[] {
  const [kind, ...rest] = check.test;
  if (kind === 'NONE') return ['--no-healthcheck'];
  const command = kind === 'CMD' ? JSON.stringify(rest.map(unescapeDollars)) : unescapeDollars(rest.join(' '));
  return [
    '--health-cmd',
    command,
    // No systemd timer here: the project runs the check itself (waitHealthy).
    '--health-interval',
    'disable',
    '--health-retries',
    String(check.retries ?? 3),
    '--health-timeout',
    check.timeout ?? '30s',
    ...(check.start_period ? ['--health-start-period', check.start_period] : []),
  ];
}

/**
 * The project network: internal (no gateway off the host, so nothing the services send can leave
 * it) on a free /24 of 198.19.0.0/16, the upper half of the 198.18.0.0/15 test range.
 */
async function createNetwork(run: DeployRun, project: string): Promise<{ network: string; subnet: string }> {
  const name = run.name(`${project}-default`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const subnet = `198.19.${1 + Math.floor(Math.random() * 254)}.0/24`;
    // podman refuses a subnet that another network or a route on the host already uses: try another.
    try {
      await podman(['network', 'create', '--internal', '--subnet', subnet, ...run.labelArgs, name]);
      return { network: name, subnet };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free /24 in 198.19.0.0/16 for the project network: ${String(lastError)}`);
}
