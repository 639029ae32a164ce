// collector/Dockerfile and docker-compose.yml, really built and run under podman (root only, as CI
// runs). No registry image can be pulled here, so the images they build FROM or name are made
// locally (podman/base-images.ts): `node:<major>-slim` from debootstrap plus the Node LTS and npm
// packages, and two stand-ins, named as such — QuestDB from the Maven Central jar on a Debian JRE
// for `questdb/questdb`, and Debian's curl for `curlimages/curl`. Grafana is left out: its image
// cannot be had here (the plugin is tested through its components, bundle and live page instead).
// The collector image is built from the Dockerfile as written; only npm's packages come from a
// cache filled on the host (the Dockerfile's offline option), since the build cannot verify the
// registry's TLS from inside a container.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapBudgetMs, collectorServices, resolvedCompose, type ComposeFile } from './compose-file.js';
import { expectedMeshRows, missingMeshLinks, storedMeshRows } from './mesh-checks.js';
import { curlStandIn, ensureBaseImages, questDbStandIn } from './podman/base-images.js';
import { buildCollectorImage } from './podman/collector-image.js';
import { progress, withCacheLock } from './podman/deploy-cache.js';
import { DeployRun } from './podman/deploy-run.js';
import { podman, podmanProblem, podmanResult } from './podman/podman-cli.js';
import { PodmanComposeProject } from './podman/podman-compose-project.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Services of the stack that cannot run here, and why. */
const leftOut: Record<string, string> = {
  grafana: 'Grafana cannot run here: no reachable registry has its image',
};

/** The local stand-in for an image the compose file pulls from a registry. */
function standInFor(service: string, image: string): string {
  if (image.startsWith('questdb/questdb:')) return questDbStandIn.name;
  if (image.startsWith('curlimages/curl:')) return curlStandIn.name;
  throw new Error(`${service} uses ${image}, which has no local stand-in (add one in podman/base-images.ts)`);
}

/**
 * The collector stack: the collectors, what they depend on, and the jobs that need them (the
 * mesh bootstrap); whatever else is in the file (Grafana and its helpers) is not part of it.
 */
function collectorStack(compose: ComposeFile): string[] {
  const stack = new Set(collectorServices(compose));
  const addDependencies = (name: string) => {
    for (const dependency of Object.keys(compose.services[name]!.depends_on ?? {})) {
      if (!stack.has(dependency)) {
        stack.add(dependency);
        addDependencies(dependency);
      }
    }
  };
  for (const name of [...stack]) addDependencies(name);
  for (const [name, service] of Object.entries(compose.services)) {
    const needs = Object.keys(service.depends_on ?? {});
    if (
      needs.length > 0 &&
      needs.some((n) => collectorServices(compose).includes(n)) &&
      needs.every((n) => stack.has(n))
    ) {
      stack.add(name);
    }
  }
  for (const name of stack) if (name in leftOut) throw new Error(`the collector stack needs ${name}: ${leftOut[name]}`);
  return Object.keys(compose.services).filter((name) => stack.has(name));
}

describe.skipIf(!isRoot)('the collector image and the compose stack under podman', () => {
  const compose = resolvedCompose();
  const collectors = collectorServices(compose);
  const run = new DeployRun();
  let collectorImage: string;

  beforeAll(async () => {
    const problem = await podmanProblem();
    if (problem) throw new Error(`podman cannot run containers here (${problem}): run \`npm run setup\` as root`);
    const leftovers = await DeployRun.removeLeftovers();
    if (leftovers.length > 0) progress(`removed what killed earlier runs left: ${leftovers.join(', ')}`);
    collectorImage = await withCacheLock(async () => {
      await ensureBaseImages();
      return buildCollectorImage();
    });
  }, 40 * 60_000);

  afterAll(async () => {
    await run.removeAll();
  }, 120_000);

  describe("the collector image alone, with the compose file's settings", () => {
    const service = collectors[0]!;
    let project: PodmanComposeProject;
    let probe: string;

    beforeAll(async () => {
      // As `compose up --no-deps`: without QuestDB, so the rows it measures go to the spool.
      project = await PodmanComposeProject.up({
        name: 'alone',
        compose,
        services: [service],
        images: { [service]: collectorImage },
        run,
        noDeps: true,
      });
      probe = await project.startProbe(curlStandIn.name);
      await project.waitHealthy(service);
    }, 120_000);

    it('runs as the node user with CAP_NET_RAW as its only capability, and its health check passes', async () => {
      const status = await project.exec(service, ['sh', '-c', 'id -un; grep -E "^Cap(Eff|Bnd):" /proc/1/status']);
      expect(status.stdout.split('\n').slice(0, 3)).toEqual([
        'node',
        'CapEff:\t0000000000002000', // bit 13 = CAP_NET_RAW, from the file capability on node
        'CapBnd:\t0000000000002000',
      ]);
      expect(project.events.map((e) => `${e.service} ${e.what}`)).toEqual([`${service} started`, `${service} healthy`]);
    });

    it('sends ICMP from the non-root user', async () => {
      const entrypoint = JSON.parse(
        await podman(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', collectorImage]),
      ) as string[];
      const sweep = await project.exec(service, [...entrypoint, 'icmp', '--json', '-c', '2', '127.0.0.1', service]);
      expect(sweep.exitCode, sweep.stderr).toBe(0);
      const replies = sweep.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { target: string; rtt_ms: number | null });
      const own = await project.address(service);
      expect(
        replies
          .filter((r) => r.rtt_ms !== null)
          .map((r) => r.target)
          .sort(),
      ).toEqual([own, own, '127.0.0.1', '127.0.0.1'].sort());
    });

    it('keeps a read-only root and writes its spool to the volume while QuestDB is away', async () => {
      const readOnly = await project.exec(service, ['touch', '/app/written-at-run-time']);
      expect(readOnly.stderr).toMatch(/Read-only file system/);
      expect((await project.exec(service, ['touch', '/tmp/scratch'])).exitCode).toBe(0);
      const deadline = Date.now() + 30_000;
      let segments = '';
      while (Date.now() < deadline) {
        segments = (
          await project.exec(service, ['find', '/var/lib/pingsphere/spool', '-name', '*.ilp', '-user', 'node'])
        ).stdout;
        if (segments.trim()) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(segments.trim(), await project.logs(service)).not.toBe('');
      expect(await project.logs(service)).toMatch(/QuestDB at .* is unavailable/);
    });

    it('answers /v1/peers over the network', async () => {
      const reply = await podmanResult(['exec', probe, 'curl', '-fsS', `http://${service}:8080/v1/peers`]);
      expect(reply.exitCode, reply.stderr).toBe(0);
      expect(JSON.parse(reply.stdout)).toHaveProperty('Peers');
    });

    it('stops cleanly on `podman stop` (SIGTERM) within the grace period', async () => {
      const [stopped] = await project.down();
      // 0 is the collector's own clean exit; had it outlived the grace period, SIGKILL would give 137.
      expect(stopped).toMatchObject({ service, exitCode: 0 });
      expect(await project.logs(service)).toMatch(/received SIGTERM signal, terminating/);
    });
  });

  it("stops cleanly on Ctrl-C in `podman run`, after the image's own HEALTHCHECK passed", async () => {
    const healthcheck = await podman(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', collectorImage]);
    expect(JSON.parse(healthcheck)).toMatchObject({ Test: expect.arrayContaining(['CMD']) });
    const name = run.name('ctrl-c');
    // Attached, as a person runs it; podman passes the SIGINT of Ctrl-C on to the container.
    const client = spawn(
      'podman',
      [
        'run',
        '--name',
        name,
        ...run.labelArgs,
        '--network',
        'none',
        '--cap-drop',
        'ALL',
        '--cap-add',
        'NET_RAW',
        '--read-only',
        '--tmpfs',
        '/tmp',
        '--health-interval',
        'disable',
        collectorImage,
        'collect',
        '-s',
        '8080',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    client.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => client.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      healthy = (await podmanResult(['healthcheck', 'run', name])).exitCode === 0;
    }
    expect(healthy, output).toBe(true);
    client.kill('SIGINT');
    const hang = new Promise<string>((resolve) => setTimeout(() => resolve('still running 30 s after SIGINT'), 30_000));
    expect(await Promise.race([exited, hang]), output).toBe(0);
    expect(output).toMatch(/received SIGINT signal, terminating/);
  }, 120_000);

  describe('the stack: QuestDB, the collectors and the mesh bootstrap (Grafana left out)', () => {
    const stack = collectorStack(compose);
    let project: PodmanComposeProject;
    let probe: string;
    let bootstrapCode: number;
    let bootstrapLog: string;
    const bootstrapMs = bootstrapBudgetMs(compose);
    const setUpTimeoutMs = 240_000 + bootstrapMs;

    const query = async (sql: string) => {
      const reply = await podman([
        'exec',
        probe,
        'curl',
        '-fsS',
        '-G',
        '--data-urlencode',
        `query=${sql}`,
        'http://questdb:9000/exec',
      ]);
      const { columns, dataset } = JSON.parse(reply) as { columns: { name: string }[]; dataset: unknown[][] };
      return dataset.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
    };

    beforeAll(async () => {
      const images = Object.fromEntries(
        stack.map((name) => {
          const service = compose.services[name]!;
          return [name, service.build ? collectorImage : standInFor(name, service.image!)];
        }),
      );
      project = await PodmanComposeProject.up({ name: 'stack', compose, services: stack, images, run });
      probe = await project.startProbe(curlStandIn.name);
      // As long as the job's own retries may take: it ends with their error, not with our time-out.
      bootstrapCode = await project.waitExit('mesh-bootstrap', bootstrapMs + 10_000);
      bootstrapLog = await project.logs('mesh-bootstrap');
    }, setUpTimeoutMs);

    it('holds the collectors, QuestDB and the bootstrap job, and leaves out only Grafana', () => {
      expect(stack).toEqual(expect.arrayContaining([...collectors, 'questdb', 'mesh-bootstrap']));
      expect(Object.keys(compose.services).filter((name) => !stack.includes(name))).toContain('grafana');
      // The stand-in runs the QuestDB release the compose file names.
      expect(compose.services.questdb!.image).toBe(`questdb/questdb:${questDbStandIn.version}`);
    });

    it('goes healthy in depends_on order, the bootstrap running once all collectors are healthy', () => {
      const steps = project.events.map((e) => `${e.service} ${e.what}`);
      for (const [name, service] of Object.entries(compose.services).filter(([n]) => stack.includes(n))) {
        for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
          expect(condition).toBe('service_healthy');
          expect(steps.indexOf(`${dependency} healthy`)).toBeGreaterThanOrEqual(0);
          expect(steps.indexOf(`${dependency} healthy`)).toBeLessThan(steps.indexOf(`${name} started`));
        }
      }
      // Each health check went green in the order the services were started, as compose would have them.
      const healthy = steps.filter((s) => s.endsWith(' healthy')).map((s) => s.split(' ')[0]);
      const started = steps.filter((s) => s.endsWith(' started')).map((s) => s.split(' ')[0]);
      expect(healthy).toEqual(started.filter((name) => compose.services[name!]!.healthcheck));
      expect(healthy).toEqual(expect.arrayContaining(['questdb', ...collectors]));
      expect(bootstrapCode, bootstrapLog).toBe(0);
    });

    it('completes the mesh: every collector pings every other one', async () => {
      const peersOf = async (name: string) => {
        const reply = await podman(['exec', probe, 'curl', '-fsS', `http://${name}:8080/v1/peers`]);
        return (JSON.parse(reply) as { Peers: { Url: string; Pings: number }[] }).Peers;
      };
      const missing = await missingMeshLinks(compose, peersOf, 60_000);
      const logs = await Promise.all(['mesh-bootstrap', ...collectors].map((name) => project.logs(name)));
      expect(missing, logs.join('\n')).toEqual([]);
    });

    it('stores HTTP and ICMP rows in QuestDB under each collector, ICMP reaching the other containers', async () => {
      const prefix = project.subnet.split('.').slice(0, 3).join('.');
      const seen = await storedMeshRows(compose, query, `${prefix}.`, 60_000);
      expect(seen).toEqual(expectedMeshRows(compose));
    });

    it('comes down cleanly: no restarts, every service ended by SIGTERM within the grace period, nothing left', async () => {
      for (const name of stack) expect((await project.state(name)).restarts, name).toBe(0);
      const stops = await project.down();
      // The bootstrap job had ended already (its exit code is checked above).
      for (const stop of stops.filter((s) => s.service !== 'mesh-bootstrap')) {
        // The collectors exit 0 on SIGTERM, the JVM 143 (128 + SIGTERM); SIGKILL at the end of the
        // grace period would give 137.
        const expected = stop.service === 'questdb' ? 143 : 0;
        if (stop.exitCode !== expected) expect(stop.exitCode, await project.logs(stop.service)).toBe(expected);
      }
      for (const name of collectors) expect(await project.logs(name)).toMatch(/received SIGTERM signal, terminating/);
      await run.removeAll();
      expect(await run.remaining()).toEqual([]);
      expect((await podmanResult(['network', 'exists', project.network])).exitCode).toBe(1);
    });
  });
});
