// `npm run demo`: the whole product on one machine. Starts a QuestDB from the local jar and
// collectors that mesh through addpeers discovery, ping each other over HTTP, sweep ICMP targets
// and store everything in QuestDB; serves a live page built from the Grafana plugin's panels
// (matrix, time of day, geo map) for anyone without Grafana; prints where to look and a progress
// line every 10 s; stops everything it started on Ctrl-C (SIGINT) or SIGTERM.
//
// As root, the collectors run in network namespaces on an emulated WAN (testbed's EmulatedWan:
// delays from great-circle distances, jitter, loss, direction asymmetry, a compressed busy
// hour), so the numbers look like the places they are labelled with, and are really measured.
// Without root (or with PINGSPHERE_DEMO_WAN=0) it falls back to collectors on loopback and says why.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  cacheDir,
  LocalQuestDb,
  removeStaleNamespaces,
  repoRoot,
  ServiceProcess,
  type EmulatedWan,
  type PortRelay,
  type WanSite,
} from '@pingsphere/testbed';
import { serveLivePage, type LivePage } from '../grafana-plugin/harness/server.js';
import { createDemoWan, delayTable, demoNamespacePrefix, type DemoScenario } from './demo/emulated-sites.js';
import { RunRecord } from './demo/run-record.js';
import { demoCities } from './demo/scenario.js';
import { targetsFileText } from './demo/targets-file.js';

// PINGSPHERE_DEMO_PORT, PINGSPHERE_DEMO_PAGE_PORT and PINGSPHERE_DEMO_DIR let the demo's own test
// stay clear of a user's demo.
const collectorPort = Number(process.env.PINGSPHERE_DEMO_PORT ?? 8080);
const pagePort = Number(process.env.PINGSPHERE_DEMO_PAGE_PORT ?? 8090);
const demoDir = process.env.PINGSPHERE_DEMO_DIR ?? join(cacheDir, 'demo');
const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

/** A collector as the demo runs it: its address in the mesh and where the host reaches its API. */
interface DemoCollector {
  location: string;
  address: string;
  apiBase: string;
  process: ServiceProcess;
}

function say(message: string): void {
  process.stdout.write(`[demo] ${message}\n`);
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** QuestDB's usual ports when free (so its console is where people expect it), else any. */
async function preferredPorts(): Promise<{ http?: number; pg?: number }> {
  return {
    ...((await isFree(9000)) ? { http: 9000 } : {}),
    ...((await isFree(8812)) ? { pg: 8812 } : {}),
  };
}

/** Why the demo cannot build its emulated WAN here, or undefined when it can. */
function whyNoWan(): string | undefined {
  if (process.env.PINGSPHERE_DEMO_WAN === '0') return 'PINGSPHERE_DEMO_WAN=0 turned it off';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'not running as root: network namespaces and the emulator need CAP_SYS_ADMIN and CAP_NET_ADMIN (run `sudo npm run demo`)';
  }
  return undefined;
}

/** ICMP needs CAP_NET_RAW or ping sockets; without either the loopback demo runs the HTTP mesh alone. */
function icmpAvailable(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync(process.execPath, [cli, 'icmp', '-q', '-c', '1', '-t', '300', '127.0.0.1'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return probe.status === 0 ? { ok: true } : { ok: false, why: (probe.stderr || 'unknown error').trim() };
}

async function addPeer(collector: DemoCollector, peerListOf: DemoCollector): Promise<void> {
  const response = await fetch(`${collector.apiBase}/v1/addpeer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://${peerListOf.address}:${collectorPort}/v1/peers?addpeers=true` }),
  });
  if (!response.ok) {
    throw new Error(`addpeer on ${collector.location} failed: ${response.status} ${await response.text()}`);
  }
}

async function main(): Promise<void> {
  const collectors: DemoCollector[] = [];
  const relays: PortRelay[] = [];
  let record: RunRecord | undefined;
  let questdb: LocalQuestDb | undefined;
  let wan: EmulatedWan | undefined;
  let page: LivePage | undefined;
  let stopping = false;
  const stop = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}: stopping collectors${wan ? ', the emulated WAN' : ''} and QuestDB …`);
    await page?.close();
    await Promise.all(collectors.filter(Boolean).map((c) => c.process.stop()));
    await Promise.all(relays.map((r) => r.close()));
    await wan?.dispose();
    await questdb?.stop();
    record?.release();
    say('stopped cleanly.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const step = async <T>(work: () => Promise<T>): Promise<T> => {
    if (stopping) await new Promise(() => undefined); // stop() exits the process
    return work();
  };

  try {
    record = await RunRecord.claim(demoDir, say);
    const staleNamespaces = await removeStaleNamespaces(demoNamespacePrefix).catch(() => []);
    if (staleNamespaces.length > 0) {
      say(`removed ${staleNamespaces.length} network namespaces a killed demo left: ${staleNamespaces.join(', ')}`);
    }
    const noWan = whyNoWan();
    say(
      `starting QuestDB from the local jar (data in ${join(demoDir, 'questdb')})${noWan ? '' : ' and the emulated WAN'} …`,
    );
    // The WAN needs nothing from QuestDB: both come up at once.
    const wanStarting = noWan
      ? Promise.resolve(undefined)
      : createDemoWan().then(
          (built) => {
            wan = built.wan;
            record!.add('wan-emulator', built.wan.emulator.pid);
            return built;
          },
          (error: Error) => error,
        );
    questdb = await step(async () =>
      LocalQuestDb.launch({
        rootDir: join(demoDir, 'questdb'),
        ports: await preferredPorts(),
        dieWithParent: true,
        detached: true,
      }),
    );
    record.add('QuestDB', questdb.pid);
    say(`QuestDB ready: console ${questdb.httpUrl}  PG wire 127.0.0.1:${questdb.ports.pg}`);

    let scenario: DemoScenario;
    const targetsFile = join(demoDir, 'icmp-targets.txt');
    let icmp: { ok: true } | { ok: false; why: string } = { ok: true };
    const started = await step(() => wanStarting);
    if (started && !(started instanceof Error)) {
      const wan = started.wan;
      scenario = started.scenario;
      const sites = wan.sites.filter((s) => s.ns);
      const collectorTargets = sites.map((s) => ({
        address: s.address!,
        name: `${demoCities.find((c) => c.site === s.name)!.code.toLowerCase()}-collector`,
        group: 'collectors',
        loc: demoCities.find((c) => c.site === s.name)!.location,
      }));
      writeFileSync(targetsFile, targetsFileText([...collectorTargets, ...started.targets], false));
      say(
        `emulated WAN up: ${sites.length} collector namespaces and ${started.targets.length} ICMP targets in ${wan.sites.length} cities, every packet through the WAN emulator (pid ${wan.emulator.pid})`,
      );
    } else {
      const why = noWan ?? `it could not be built (${(started as Error).message})`;
      say(`no emulated WAN: ${why}. Falling back to collectors on loopback: every latency below is loopback noise.`);
      scenario = {
        mode: 'loopback',
        note: [`Loopback demo: no emulated WAN (${why}). Locations are labels only; latencies are loopback noise.`],
        sites: [],
        paths: [],
      };
      icmp = icmpAvailable();
      if (!icmp.ok) say(`ICMP sweeps are off: ${icmp.why}`);
      // The collectors themselves and a /24 of loopback addresses (the kernel answers all of 127/8).
      writeFileSync(targetsFile, `127.0.0.1\n127.0.0.2\n127.0.0.3\n127.0.1.0/24\n`);
    }
    writeFileSync(join(demoDir, 'scenario.json'), `${JSON.stringify(scenario, null, 1)}\n`);

    const placements: { location: string; site: WanSite | undefined }[] = wan
      ? wan.sites
          .filter((s) => s.ns)
          .map((s) => ({ location: demoCities.find((c) => c.site === s.name)!.location, site: s }))
      : demoCities
          .filter((c) => c.collector)
          .slice(0, 3)
          .map((c) => ({ location: c.location, site: undefined }));
    const addressOf = (index: number) => placements[index]!.site?.address ?? `127.0.0.${index + 1}`;
    const startCollector = async (index: number, location: string, site: WanSite | undefined) => {
      const address = addressOf(index);
      let apiBase = `http://${address}:${collectorPort}`;
      if (site?.ns) {
        // The host reaches the collector's API, and the collector QuestDB, through relays; the
        // namespace itself has no link to the host.
        const relay = await step(() =>
          site.ns!.relayPorts({
            fromHost: [{ hostPort: questdb!.ports.http }],
            toHost: [{ address, port: collectorPort }],
          }),
        );
        relays.push(relay);
        apiBase = `http://127.0.0.1:${relay.hostPorts.get(`${address}:${collectorPort}`)}`;
      }
      const args = [
        cli,
        'collect',
        '-q',
        '-H',
        address,
        '-L',
        location,
        '-s',
        String(collectorPort),
        '--listen',
        address,
        '-d',
        '2',
        '--questdb',
        questdb!.clientConf,
        '--spool-dir',
        join(demoDir, `spool-${address}`),
        ...(icmp.ok ? ['--icmp-targets', targetsFile, '--icmp-interval', '5'] : []),
        // Every collector starts with the first as its peer; addpeers discovery completes the mesh.
        ...(index > 0 ? [`http://${addressOf(0)}:${collectorPort}/v1/ping`] : []),
      ];
      const [command, argv] = site?.ns
        ? ['ip', ['netns', 'exec', site.ns.name, process.execPath, ...args]]
        : [process.execPath, args];
      const collector: DemoCollector = {
        location,
        address,
        apiBase,
        process: new ServiceProcess(`collector ${location}`, command, argv, { dieWithParent: true, detached: true }),
      };
      collectors[index] = collector;
      record!.add(`collector ${location}`, collector.process.pid);
      await step(() =>
        collector.process.waitUntilReady(
          async () => (await fetch(`${apiBase}/v1/ping`)).ok,
          90_000,
          `Is ${address}:${collectorPort} free?`,
        ),
      );
      say(`collector ${location} ready: ${apiBase}/v1/peers${site ? `  (in the WAN at ${address})` : ''}`);
    };
    // All at once: on a busy 2-core machine each Node start-up takes seconds.
    await Promise.all(placements.map(({ location, site }, index) => startCollector(index, location, site)));
    const hub = () => collectors[0]!;
    // The first collector reads everyone's list (learning each), then everyone reads the first's.
    for (const other of collectors.slice(1)) await step(() => addPeer(hub(), other));
    for (const other of collectors.slice(1)) await step(() => addPeer(other, hub()));
    say(`mesh complete through addpeers discovery: every collector pings the other ${collectors.length - 1}`);
    say(`metrics: ${hub().apiBase}/metrics`);
    page = await step(async () =>
      serveLivePage({
        questdbUrl: questdb!.httpUrl,
        port: (await isFree(pagePort)) ? pagePort : 0,
        scenario,
      }),
    );
    if (wan) for (const line of delayTable()) say(line);
    say(`live view (matrix, time of day, geo map; no Grafana needed): ${page.url}?family=http&stat=p50&refresh=5000`);
    say(`  direction asymmetry: ${page.url}?family=http&stat=p50&mode=asymmetry&refresh=5000`);
    if (icmp.ok && wan) {
      const between = collectors.map((c) => c.address).join(',');
      say(`  ICMP between the collectors: ${page.url}?family=icmp&stat=p50&dst=${between}&refresh=5000`);
      say(`  ICMP by target group (click a group for its targets): ${page.url}?family=icmp&stat=avg&refresh=5000`);
      say(`  ICMP to all targets (one column each): ${page.url}?family=icmp&stat=p50&view=pairs&refresh=5000`);
    } else if (icmp.ok) {
      say(`  ICMP by target group (click a group for its targets): ${page.url}?family=icmp&stat=avg&refresh=5000`);
    }
    say('all up. Press Ctrl-C to stop everything.');
  } catch (error) {
    process.stderr.write(`[demo] error: ${(error as Error).message}\n`);
    await stop('start-up failed', 1);
    return;
  }

  const progress = setInterval(() => {
    void (async () => {
      const count = async (table: string) =>
        Number(
          (await questdb!.query(`select count() from ${table}`).catch(() => ({ dataset: [[0]] }))).dataset[0]?.[0],
        );
      say(`stored so far: ${await count('http')} HTTP pings, ${await count('icmp')} ICMP probes`);
    })();
  }, 10_000);
  progress.unref();
}

await main();
