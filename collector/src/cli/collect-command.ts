// `pingsphere collect`: the long-running, pingmesh-compatible collector. Wires the config into the
// HTTP mesh (pingers), the sinks every result goes to, the API server and automatic discovery, and
// stops them in order on SIGINT/SIGTERM or /v1/quit: pingers, then the server, then the sinks
// (which print the per-endpoint averages and flush). The API server (fastify) is loaded only when
// one is asked for (-s PORT).
import { lookup } from 'node:dns/promises';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { MeshMetrics } from '../api/mesh-metrics.js';
import type { ServerIdentity } from '../api/peers-json.js';
import { collectUsage, resolveCollectorConfig, type CollectorConfig } from '../config/collector-config.js';
import { InvalidEndpointError, parseEndpoint, type Endpoint } from '../http/endpoint.js';
import { AutoMesh } from '../mesh/auto-mesh.js';
import { HttpMesh } from '../mesh/http-mesh.js';
import { ResultFanout } from '../mesh/result-fanout.js';
import { SweepScheduler } from '../icmp/sweep-scheduler.js';
import { InventoryService } from '../inventory/inventory-service.js';
import { buildSinks, defaultSpoolDir } from '../sinks/build-sinks.js';
import { applyDaemonResolverOptions } from './daemon-resolver-options.js';
import { applyDaemonV8Flags } from './daemon-v8-flags.js';
import { UsageError } from './usage-error.js';

/** pingmesh's log.Println: a timestamped line on stderr. */
function logLine(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function parseEndpoints(config: CollectorConfig): Endpoint[] {
  return config.endpoints.map((raw) => {
    try {
      return parseEndpoint(raw, { ipOverride: config.ipOverride });
    } catch (error) {
      if (error instanceof InvalidEndpointError) throw new UsageError(`endpoint "${raw}": ${error.message}`);
      throw error;
    }
  });
}

/** Addresses that mean "this collector's server" for self-detection during discovery. */
function selfAddresses(config: CollectorConfig, srvIps: readonly string[]): Set<string> {
  const addresses = new Set<string>(srvIps);
  if (config.listenAddress === '0.0.0.0' || config.listenAddress === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) addresses.add(a.address);
  } else {
    addresses.add(config.listenAddress);
  }
  return addresses;
}

async function resolveHostIps(hostname: string, say: (line: string) => void): Promise<string[]> {
  if (!hostname) return [];
  try {
    return (await lookup(hostname, { all: true })).map((answer) => answer.address);
  } catch (error) {
    say(`Warning: Could not LookupIP for ${hostname}: ${(error as Error).message}`);
    return [];
  }
}

/**
 * Resolves with the first SIGINT/SIGTERM. The same signal again (^C twice) exits at once, as
 * pingmesh's "hard exit"; the other one is ignored, since a supervisor often follows ^C with TERM.
 */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first === signal) {
        logLine(`received second ${signal} signal, hard exit`);
        process.exit(1);
      }
      first ??= signal;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs the collector until interrupted, quit through the API, or (without -s) all pingers end. */
export async function run(args: string[]): Promise<number> {
  const { config, notes, warnings, help } = resolveCollectorConfig(args, process.env);
  if (help) {
    process.stdout.write(collectUsage());
    return 0;
  }
  for (const line of [...warnings, ...notes]) logLine(line);
  applyDaemonV8Flags();
  applyDaemonResolverOptions();
  const endpoints = parseEndpoints(config);
  if (endpoints.length === 0 && config.serverPort === 0 && !InventoryService.wanted(config)) {
    // pingmesh prints its usage here; so do we, on stderr and with a non-zero exit.
    process.stderr.write(
      `pingsphere: nothing to do: give endpoints to ping and/or -s PORT to serve\n\n${collectUsage()}`,
    );
    return 2;
  }
  const say = (line: string) => {
    if (config.verbosity > 0) logLine(line);
  };

  // From here on SIGINT/SIGTERM mean a clean stop, also while a big targets file or a first
  // --targets-from pull still loads (the stop follows once start-up is through).
  const signals = firstSignal();
  const src = config.hostname || osHostname();
  const sinks = await buildSinks(config, src, process.env, logLine);
  const fanout = new ResultFanout(sinks);
  // Before any probe: the pair watch sees every batch from the first one on.
  const tracing = config.trace
    ? (await import('../trace/collector-tracing.js')).collectorTracing(
        config.trace,
        { src, srcLoc: config.location },
        fanout,
        say,
      )
    : null;
  const inventory = InventoryService.wanted(config)
    ? new InventoryService(config, config.spoolDir ?? defaultSpoolDir(config, src, process.env), say)
    : null;
  await inventory?.load().catch(async (error: unknown) => {
    await fanout.close();
    throw error;
  });
  const targetsTable =
    inventory && config.questdb
      ? new (await import('../inventory/targets-table-writer.js')).TargetsTableWriter({
          conf: config.questdb,
          src,
          log: say,
        })
      : null;
  const icmp = inventory
    ? await SweepScheduler.create({
        inventory: inventory.inventory,
        resolver: inventory.resolver,
        ...(inventory.remoteFence ? { remoteFence: inventory.remoteFence } : {}),
        ...(targetsTable ? { onPlan: (plan) => targetsTable.publish(plan) } : {}),
        intervalSeconds: config.icmpIntervalSeconds,
        ratePps: config.icmpRatePps,
        timeoutMs: config.icmpTimeoutMs,
        flows: config.icmpFlows,
        timestamps: config.icmpTimestamps,
        src,
        srcLoc: config.location,
        deliver: (batch) => fanout.writeBatch(batch),
        log: say,
      }).catch(async (error: unknown) => {
        await targetsTable?.stop();
        await fanout.close();
        throw error;
      })
    : null;
  const metrics = new MeshMetrics();
  metrics.readSinks(() => sinks);
  metrics.readIcmp(() => icmp?.stats() ?? null);
  metrics.readInventory(() => inventory?.stats() ?? null);
  metrics.readTrace(() => tracing?.stats() ?? null);
  const srvIps = await resolveHostIps(config.hostname, logLine);
  const ownAddresses = selfAddresses(config, srvIps);
  const server: ServerIdentity = {
    startUs: Date.now() * 1000,
    srvLoc: config.location,
    srvHost: config.hostname,
    srvPort: config.reportPort,
    srvIps,
  };
  const mesh = new HttpMesh({
    identity: { src, srcLoc: config.location },
    delaySeconds: config.delaySeconds,
    limit: config.limit,
    maxFail: config.maxFail,
    timeoutSeconds: config.timeoutSeconds,
    fanout,
    metrics,
    log: say,
    isSelf: (addresses, port) =>
      config.serverPort > 0 &&
      (port === config.serverPort || port === config.reportPort) &&
      addresses.some((address) => ownAddresses.has(address)),
  });
  const autoMesh = config.autoMesh ? new AutoMesh(mesh, config.autoMesh, say) : null;
  metrics.readAutoMesh(() => autoMesh?.stats() ?? null);

  let quitRequested: (reason: string) => void = () => {};
  const quit = new Promise<string>((resolve) => (quitRequested = resolve));

  const apiServer = config.serverPort > 0 ? await import('../api/api-server.js') : null;
  const app = apiServer
    ? await apiServer.buildApiServer({
        mesh,
        metrics,
        server,
        token: config.token,
        autoMesh,
        targets: inventory?.api ?? null,
        tracing,
        maxPeers: config.maxPeers,
        requestQuit: quitRequested,
        log: say,
      })
    : null;
  if (app) {
    try {
      await app.listen({ port: config.serverPort, host: config.listenAddress });
    } catch (error) {
      await icmp?.stop();
      await targetsTable?.stop();
      await fanout.close();
      throw new UsageError(
        `cannot serve on ${config.listenAddress}:${config.serverPort} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pick a free -s port or another --listen address`,
      );
    }
    const shown = config.listenAddress.includes(':') ? `[${config.listenAddress}]` : config.listenAddress;
    process.stderr.write(`collector at ${config.location} serving http://${shown}:${config.serverPort}/v1/ping\n`);
    if (endpoints.length === 0) say('NOTE: not starting any pings, just serving');
  }

  for (const endpoint of endpoints) {
    const outcome = await mesh.addPeer(endpoint, { origin: 'cli', depth: 0 });
    if (outcome.status === 'duplicate') {
      logLine(
        `Warning: ${endpoint.url} is the same ${outcome.reason === 'url' ? 'URL' : 'address, port and path'} as ${outcome.existing.endpoint.url}; pinging it once`,
      );
    }
  }
  if (endpoints.length > 0 && config.verbosity > 1) say(`starting ping across ${endpoints.length} endpoints`);
  autoMesh?.start();
  tracing?.start();
  icmp?.start();
  inventory?.start();

  // Without a server the collector ends when its pingers do; ICMP sweeps alone run until stopped.
  const pingersDone =
    app || (icmp && endpoints.length === 0)
      ? new Promise<string>(() => {})
      : mesh.whenIdle().then(() => 'all pingers ended');
  const reason = await Promise.race([signals, quit, pingersDone]);
  if (reason === 'SIGINT' || reason === 'SIGTERM') {
    process.stderr.write(`\nreceived ${reason} signal, terminating\n`);
  }

  await autoMesh?.stop();
  await inventory?.stop();
  await Promise.all([mesh.stop(), icmp?.stop()]);
  // A trace in progress gets a few seconds to write its paths; the sinks close after it.
  await tracing?.stop();
  await targetsTable?.stop();
  await app?.close();
  await fanout.close();
  for (const sink of sinks) {
    if (sink.name === 'stdout') continue;
    const { delivered, pending, dropped } = sink.stats();
    logLine(
      `${sink.name}: ${delivered} results delivered, ${pending} pending (kept for the next run), ${dropped} dropped`,
    );
  }
  const slots = mesh.slotStats();
  if (slots.skipped > 0 || slots.late > 0) {
    say(`schedule: ${slots.slots} slots, ${slots.skipped} skipped (request still running), ${slots.late} late`);
  }
  // Something left holding the event loop (a stuck socket) must not keep a stopped daemon alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
  const gaveUp = !app && mesh.endings.maxfail > 0;
  return gaveUp ? 1 : 0;
}
