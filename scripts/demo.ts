// `npm run demo`: the whole product on one machine with nothing but loopback. Starts a QuestDB
// from the local jar and three collectors on 127.0.0.1-3 that mesh through addpeers discovery,
// ping each other over HTTP, sweep loopback targets over ICMP and store everything in QuestDB;
// serves a live page built from the Grafana plugin's panels (matrix, time of day, geo map) for
// anyone without Grafana; prints where to look and a progress line every 10 s; stops everything
// it started on Ctrl-C (SIGINT) or SIGTERM.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cacheDir, LocalQuestDb, repoRoot, ServiceProcess } from '@pingsphere/testbed';
import { serveLivePage, type LivePage } from '../grafana-plugin/harness/server.js';

const collectors = [
  { address: '127.0.0.1', location: 'Frankfurt,DE' },
  { address: '127.0.0.2', location: 'Virginia,US' },
  { address: '127.0.0.3', location: 'Singapore,SG' },
];
// PINGSPHERE_DEMO_PORT, PINGSPHERE_DEMO_PAGE_PORT and PINGSPHERE_DEMO_DIR let the demo's own test
// stay clear of a user's demo.
const collectorPort = Number(process.env.PINGSPHERE_DEMO_PORT ?? 8080);
const pagePort = Number(process.env.PINGSPHERE_DEMO_PAGE_PORT ?? 8090);
const demoDir = process.env.PINGSPHERE_DEMO_DIR ?? join(cacheDir, 'demo');
const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

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

/** ICMP needs CAP_NET_RAW or ping sockets; without either the demo runs the HTTP mesh alone. */
function icmpAvailable(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync(process.execPath, [cli, 'icmp', '-q', '-c', '1', '-t', '300', '127.0.0.1'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return probe.status === 0 ? { ok: true } : { ok: false, why: (probe.stderr || 'unknown error').trim() };
}

async function addPeer(collector: string, peerListOf: string): Promise<void> {
  const response = await fetch(`http://${collector}:${collectorPort}/v1/addpeer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://${peerListOf}:${collectorPort}/v1/peers?addpeers=true` }),
  });
  if (!response.ok) throw new Error(`addpeer on ${collector} failed: ${response.status} ${await response.text()}`);
}

async function main(): Promise<void> {
  mkdirSync(demoDir, { recursive: true });
  const started: ServiceProcess[] = [];
  let questdb: LocalQuestDb | undefined;
  let page: LivePage | undefined;
  let stopping = false;
  const stop = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}: stopping collectors and QuestDB …`);
    await page?.close();
    await Promise.all(started.map((c) => c.stop()));
    await questdb?.stop();
    say('stopped cleanly.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    say(`starting QuestDB from the local jar (data in ${join(demoDir, 'questdb')}) …`);
    questdb = await LocalQuestDb.launch({ rootDir: join(demoDir, 'questdb'), ports: await preferredPorts() });
    say(`QuestDB ready: console ${questdb.httpUrl}  PG wire 127.0.0.1:${questdb.ports.pg}`);

    const icmp = icmpAvailable();
    const targetsFile = join(demoDir, 'icmp-targets.txt');
    // The collectors themselves and a /24 of loopback addresses (the kernel answers all of 127/8).
    writeFileSync(targetsFile, `${collectors.map((c) => c.address).join('\n')}\n127.0.1.0/24\n`);
    if (!icmp.ok) say(`ICMP sweeps are off: ${icmp.why}`);

    for (const [index, { address, location }] of collectors.entries()) {
      // A chain to start from (2 pings 1, 3 pings 2); addpeers discovery completes the mesh below.
      const firstPeer = index > 0 ? [`http://${collectors[index - 1]!.address}:${collectorPort}/v1/ping`] : [];
      const collector = new ServiceProcess(`collector ${location}`, process.execPath, [
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
        questdb.clientConf,
        '--spool-dir',
        join(demoDir, `spool-${address}`),
        ...(icmp.ok ? ['--icmp-targets', targetsFile, '--icmp-interval', '5'] : []),
        ...firstPeer,
      ]);
      started.push(collector);
      const url = `http://${address}:${collectorPort}/v1/ping`;
      await collector.waitUntilReady(async () => (await fetch(url)).ok, 30_000, `Is ${address}:${collectorPort} free?`);
      say(`collector ${location} ready: http://${address}:${collectorPort}/v1/peers`);
    }
    const [a, b, c] = collectors.map((collector) => collector.address) as [string, string, string];
    await addPeer(a, c);
    await addPeer(c, b);
    await addPeer(b, c);
    say('mesh complete through addpeers discovery: every collector pings the other two');
    say(`metrics: http://${a}:${collectorPort}/metrics`);
    page = await serveLivePage({ questdbUrl: questdb.httpUrl, port: (await isFree(pagePort)) ? pagePort : 0 });
    say(`live view (matrix, time of day, geo map; no Grafana needed): ${page.url}?family=http&stat=p50&refresh=5000`);
    if (icmp.ok) say(`  ICMP view: ${page.url}?family=icmp&stat=p50&refresh=5000`);
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
