// docker-compose.yml, checked without a Docker engine (none runs here): docker-compose validates
// and resolves the file, then its collector services run for real — their exact commands, the
// environment compose gives them, their volumes mapped to temporary folders — each in a network
// namespace of its own on a private segment (TestNetwork), with the real QuestDB forwarded in as
// `questdb:9000`. The mesh-bootstrap job's script runs as written. Grafana and the images
// themselves are not exercised here; `docker compose up` does that.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb, repoRoot, TestNetwork, type TestHost } from '@pingsphere/testbed';
import { RecordedProcess } from '../helpers/processes.js';
import {
  bootstrapBudgetMs,
  collectorServices as collectorNames,
  locationOf as composeLocationOf,
  resolvedCompose,
  unescapeDollars,
  type ComposeService,
} from './compose-file.js';
import { expectedMeshRows, missingMeshLinks, storedMeshRows } from './mesh-checks.js';

const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

describe('docker-compose.yml', () => {
  const compose = resolvedCompose();

  it('is valid for docker-compose and holds QuestDB, Grafana, the bootstrap job and at least three collectors', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['questdb', 'grafana', 'mesh-bootstrap']));
    expect(collectorNames(compose).length).toBeGreaterThanOrEqual(3);
    const locations = collectorNames(compose).map((name) => composeLocationOf(compose, name));
    expect(new Set(locations).size).toBe(locations.length);
  });

  it('runs collectors as the node user with CAP_NET_RAW only, after QuestDB is healthy', () => {
    for (const name of collectorNames(compose)) {
      const service = compose.services[name]!;
      expect(service.user).toBe('node');
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.cap_add).toEqual(['NET_RAW']);
      expect(service.depends_on?.questdb).toEqual({ condition: 'service_healthy' });
      expect(service.healthcheck?.test[0]).toBe('CMD');
      // CloudWatch only when the AWS variables are set: empty by default, and -c then turns itself off.
      expect(service.command).toContain('-c');
      expect(service.environment?.AWS_REGION ?? '').toBe('');
    }
    for (const name of ['questdb', 'grafana']) expect(compose.services[name]!.healthcheck?.test).toBeDefined();
  });

  it('gives Grafana the plugin from grafana-plugin/dist, unsigned loading allowed for its ids only, and the provisioning', () => {
    const grafana = compose.services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:1[123]\.\d+\.\d+/);
    const mounts = (grafana.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounts.some((m) => m.startsWith(join(repoRoot, 'grafana-plugin/dist') + ':/var/lib/grafana/plugins/'))).toBe(
      true,
    );
    expect(mounts.some((m) => m.startsWith(join(repoRoot, 'provisioning') + ':/etc/grafana/provisioning'))).toBe(true);
    const unsigned = grafana.environment!.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(',');
    expect(unsigned.length).toBeGreaterThan(0);
    for (const id of unsigned) expect(id).toMatch(/^pingsphere-/);
  });

  describe('its collectors, run for real on a private network', () => {
    let questdb: LocalQuestDb;
    let network: TestNetwork;
    const forwards: { close(): Promise<void> }[] = [];
    const processes: RecordedProcess[] = [];
    const folders: string[] = [];
    let bootstrap: { stdout: string; stderr: string; exitCode: number };

    /** Container paths in the command → the host folders compose would mount there. */
    function mapVolumes(service: ComposeService, args: string[]): string[] {
      const mounts = (service.volumes ?? []).map((v) => {
        if (typeof v !== 'string') return { source: v.source, target: v.target };
        const [source, target] = v.split(':') as [string, string];
        return { source, target };
      });
      const mapped = mounts.map(({ source, target }) => {
        if (isAbsolute(source)) return { source, target };
        const dir = mkdtempSync(join(tmpdir(), `compose-volume-${source}-`));
        folders.push(dir);
        return { source: dir, target };
      });
      return args.map((arg) => {
        const mount = mapped.find(({ target }) => arg === target || arg.startsWith(`${target}/`));
        return mount ? mount.source + arg.slice(mount.target.length) : arg;
      });
    }

    async function healthy(host: TestHost, service: ComposeService): Promise<boolean> {
      const [kind, command, ...args] = service.healthcheck!.test;
      expect(kind).toBe('CMD');
      return (
        (await host.ns.exec(command === 'node' ? process.execPath : command!, args, { timeoutMs: 5000 })).exitCode === 0
      );
    }

    // The collectors' start, then the bootstrap job for as long as its own retries may take.
    const bootstrapMs = bootstrapBudgetMs(compose);
    const setUpTimeoutMs = 120_000 + bootstrapMs;
    beforeAll(async () => {
      questdb = await LocalQuestDb.launch();
      network = await TestNetwork.create([...collectorNames(compose), 'mesh-bootstrap'], { questdb: '127.0.0.1' });
      for (const host of network.hosts) forwards.push(await host.ns.forwardHostPort(questdb.ports.http, 9000));
      // In depends_on order: each collector once the ones it depends on are healthy.
      for (const name of collectorNames(compose)) {
        const service = compose.services[name]!;
        const host = network.host(name);
        const args = mapVolumes(service, service.command!);
        const child = new RecordedProcess('ip', ['netns', 'exec', host.ns.name, process.execPath, cli, ...args], {
          ...service.environment,
          PATH: process.env.PATH ?? '',
        });
        processes.push(child);
        await child.waitFor(() => healthy(host, service), 30_000, `${name}'s healthcheck`);
      }
      const job = compose.services['mesh-bootstrap']!;
      const script = unescapeDollars(job.command![0]!);
      bootstrap = await network.host('mesh-bootstrap').ns.exec(job.entrypoint![0]!, [job.entrypoint![1]!, script], {
        timeoutMs: bootstrapMs + 10_000,
        env: job.environment ?? {},
      });
    }, setUpTimeoutMs);

    afterAll(async () => {
      for (const child of processes) await child.stop();
      for (const forward of forwards) await forward.close();
      await network?.dispose();
      await questdb?.dispose();
      for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    });

    it('form a full mesh through the bootstrap job, every collector pinging every other with samples', async () => {
      expect(bootstrap.exitCode, bootstrap.stderr).toBe(0);
      const peersOf = async (name: string) => {
        const reply = await network.host('mesh-bootstrap').ns.exec('curl', ['-s', `http://${name}:8080/v1/peers`]);
        return (JSON.parse(reply.stdout) as { Peers: { Url: string; Pings: number }[] }).Peers;
      };
      const missing = await missingMeshLinks(compose, peersOf, 40_000);
      expect(missing, processes.map((p) => p.output).join('\n')).toEqual([]);
    });

    it('store HTTP and ICMP results in QuestDB under each collector, ICMP reaching the other hosts', async () => {
      const seen = await storedMeshRows(compose, (sql) => questdb.rows(sql), '198.18.0.', 40_000);
      expect(seen).toEqual(expectedMeshRows(compose));
    });
  });
});

describe('collector/Dockerfile', () => {
  it('builds in two stages and runs as the unprivileged node user with a CAP_NET_RAW file capability', () => {
    const dockerfile = readFileSync(join(repoRoot, 'collector/Dockerfile'), 'utf8');
    const stages = dockerfile.match(/^FROM /gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/setcap cap_net_raw\+ep/);
    expect(finalStage).toMatch(/COPY --from=build \/app \/app/);
  });

  it("installs production dependencies and builds the addon with the Dockerfile's own npm command, online by default", () => {
    const dockerfile = readFileSync(join(repoRoot, 'collector/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const buildStage = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
    const work = mkdtempSync(join(tmpdir(), 'dockerfile-build-'));
    try {
      // The files the build stage copies, where it copies them.
      for (const [, sources, target] of buildStage.matchAll(/^COPY (?!--from)(.+) (\S+)$/gm)) {
        for (const source of sources!.split(/\s+/)) {
          // Docker's rule: into a folder when the target ends with "/", else to that exact path.
          const destination = target!.endsWith('/') ? join(work, target!, basename(source)) : join(work, target!);
          cpSync(join(repoRoot, source), destination, { recursive: true });
        }
      }
      // The install step's script, without its build-time mount; NPM_OFFLINE unset is the default.
      const install = /^RUN (?:--mount=\S+ )*(.*npm ci .*)$/m.exec(buildStage)![1]!;
      const env = { ...process.env };
      delete env.npm_config_nodedir;
      delete env.NPM_OFFLINE;
      execFileSync('sh', ['-c', install], { cwd: work, env, stdio: 'pipe', timeout: 300_000 });
      // The image's entry point, and the installed launcher in front of the CommonJS entry.
      const help = execFileSync(process.execPath, [join(work, 'collector/bin/pingsphere.mjs'), 'collect', '--help']);
      expect(help.toString()).toContain('Usage: pingsphere collect');
      expect(execFileSync(join(work, 'collector/bin/pingsphere'), ['collect', '--help']).toString()).toContain(
        'Usage: pingsphere collect',
      );
      expect(execFileSync(join(work, 'collector/bin/pingsphere'), ['--version']).toString()).toMatch(/^pingsphere \d/);
      expect(() => execFileSync('test', ['-d', join(work, 'node_modules/vitest')])).toThrow();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // npm ci and the addon's compile: a minute on an idle machine, more on a busy one.
  }, 300_000);
});
