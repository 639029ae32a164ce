// `npm run demo`: the whole product on one machine with nothing but loopback. Starts a QuestDB
// from the local jar, a small mesh of collectors on 127.0.0.1-3, prints where to look, and stops
// everything it started on Ctrl-C (SIGINT) or SIGTERM.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, freeLoopbackPort, LocalQuestDb, repoRoot, ServiceProcess } from '@pingsphere/testbed';

const collectors = [
  { address: '127.0.0.1', location: 'Frankfurt,DE' },
  { address: '127.0.0.2', location: 'Virginia,US' },
  { address: '127.0.0.3', location: 'Singapore,SG' },
];
// PINGSPHERE_DEMO_PORT lets the demo's own test avoid a port a user's demo may hold.
const collectorPort = Number(process.env.PINGSPHERE_DEMO_PORT ?? 8080);

function say(message: string): void {
  process.stdout.write(`[demo] ${message}\n`);
}

async function preferredPort(preferred: number): Promise<number> {
  const port = await freeLoopbackPort().catch(() => 0);
  return port > 0 && (await isFree(preferred)) ? preferred : port;
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  // PINGSPHERE_DEMO_DIR lets the demo's own test keep its data away from a user's demo data.
  const dataDir = join(process.env.PINGSPHERE_DEMO_DIR ?? join(cacheDir, 'demo'), 'questdb');
  mkdirSync(dataDir, { recursive: true });
  say(`starting QuestDB (data in ${dataDir}) …`);
  const questdb = await LocalQuestDb.launch({
    rootDir: dataDir,
    ports: { http: await preferredPort(9000), pg: await preferredPort(8812) },
  });
  say(`QuestDB ready: console ${questdb.httpUrl}  PG wire 127.0.0.1:${questdb.ports.pg}`);

  const started: ServiceProcess[] = [];
  for (const { address, location } of collectors) {
    const collector = new ServiceProcess(
      `collector ${location}`,
      process.execPath,
      [
        join(repoRoot, 'collector/bin/pingsphere.mjs'),
        'collect',
        '-s',
        String(collectorPort),
        '-L',
        location,
        '--listen',
        address,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    started.push(collector);
    const url = `http://${address}:${collectorPort}/v1/ping`;
    await collector.waitUntilReady(async () => (await fetch(url)).ok, 30_000, `Is ${address}:${collectorPort} free?`);
    say(`collector ${location} ready: ${url}`);
  }
  say('all up. Press Ctrl-C to stop everything.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping collectors and QuestDB …`);
    await Promise.all(started.map((c) => c.stop()));
    await questdb.stop();
    say('stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`[demo] error: ${error.message}\n`);
  process.exit(1);
});
