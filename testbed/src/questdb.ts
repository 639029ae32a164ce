import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import questDbCoordinates from '../questdb.json' with { type: 'json' };
import { freeLoopbackPort } from './ports.js';
import { cacheDir } from './repo-paths.js';
import { ServiceProcess } from './service-process.js';

/** Where scripts/setup.mjs puts the QuestDB jar it resolved from Maven Central. */
export const questDbJarPath = join(
  cacheDir,
  'questdb',
  `${questDbCoordinates.artifactId}-${questDbCoordinates.version}.jar`,
);

export interface QuestDbPorts {
  http: number;
  pg: number;
  ilpTcp: number;
  httpMin: number;
}

export interface QuestDbOptions {
  /** Data directory; a fresh temporary one (removed on dispose) when omitted. */
  rootDir?: string;
  /** Fixed ports; free loopback ports when omitted. */
  ports?: Partial<QuestDbPorts>;
  /** Java heap limit, e.g. "1g". */
  maxHeap?: string;
  startTimeoutMs?: number;
  /**
   * HTTP basic auth (QuestDB's `http.user` / `http.password`) on REST and ILP/HTTP; none when
   * omitted. setCredentials() changes it for the next start().
   */
  credentials?: QuestDbCredentials;
  /** Stopped by the kernel if the launching process is killed (ServiceProcess's dieWithParent). */
  dieWithParent?: boolean;
  /** In a process group of its own, so a terminal's Ctrl-C reaches only the launcher, which stops it in order. */
  detached?: boolean;
}

export interface QuestDbCredentials {
  user: string;
  password: string;
}

/** Shape of QuestDB's /exec JSON reply. */
export interface QuestDbQueryResult {
  columns: { name: string; type: string }[];
  dataset: unknown[][];
  count: number;
}

/**
 * A real QuestDB server run from the Maven Central jar with the machine's Java, bound to loopback.
 * It can be stopped and started again on the same ports and data (to test outages).
 */
export class LocalQuestDb {
  private process: ServiceProcess | undefined;
  private credentials: QuestDbCredentials | undefined;

  private constructor(
    readonly rootDir: string,
    readonly ports: QuestDbPorts,
    private readonly ownsRootDir: boolean,
    private readonly options: QuestDbOptions,
  ) {
    this.credentials = options.credentials;
  }

  /** Starts a QuestDB and resolves once `/exec?query=select 1` answers. */
  static async launch(options: QuestDbOptions = {}): Promise<LocalQuestDb> {
    assertJavaAndJar();
    const ownsRootDir = options.rootDir === undefined;
    const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), 'pingsphere-questdb-'));
    // Ports picked here can be taken by a parallel test before QuestDB binds them: pick again.
    // A clash on a port the caller chose is reported at once.
    for (let attempt = 1; ; attempt++) {
      const ports: QuestDbPorts = {
        http: options.ports?.http ?? (await freeLoopbackPort()),
        pg: options.ports?.pg ?? (await freeLoopbackPort()),
        ilpTcp: options.ports?.ilpTcp ?? (await freeLoopbackPort()),
        httpMin: options.ports?.httpMin ?? (await freeLoopbackPort()),
      };
      const server = new LocalQuestDb(rootDir, ports, ownsRootDir, options);
      try {
        await server.start();
        return server;
      } catch (error) {
        const clash = /could not bind socket \[who=[^,]+, bindTo=[^:]+:(\d+)\]/.exec(String(error));
        const chosenByCaller = Object.values(options.ports ?? {}).includes(Number(clash?.[1]));
        if (clash && !chosenByCaller && attempt < 3) continue;
        if (ownsRootDir) rmSync(rootDir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  /** Base URL of the HTTP server (REST /exec, ILP over HTTP /write, web console). */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  /** Configuration string for @questdb/nodejs-client (ILP over HTTP), with the credentials if any. */
  get clientConf(): string {
    const auth = this.credentials ? `username=${this.credentials.user};password=${this.credentials.password};` : '';
    return `http::addr=127.0.0.1:${this.ports.http};${auth}`;
  }

  /** Credentials the server takes from its next start() on (undefined: no authentication). */
  setCredentials(credentials: QuestDbCredentials | undefined): void {
    this.credentials = credentials;
  }

  /** Connection settings for a PostgreSQL client (QuestDB's PG wire, default credentials). */
  get pgConfig(): { host: string; port: number; user: string; password: string; database: string } {
    return { host: '127.0.0.1', port: this.ports.pg, user: 'admin', password: 'quest', database: 'qdb' };
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.isRunning ? this.process?.pid : undefined;
  }

  get isRunning(): boolean {
    return this.process !== undefined && !this.process.hasExited;
  }

  /** Starts (or restarts) the server on the same ports and data directory. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    writeServerConf(this.rootDir, this.ports, this.credentials);
    this.process = new ServiceProcess(
      'QuestDB',
      'java',
      [
        `-Xmx${this.options.maxHeap ?? '2g'}`,
        '-Dnoebug',
        '-p',
        questDbJarPath,
        '-m',
        'io.questdb/io.questdb.ServerMain',
        '-d',
        this.rootDir,
      ],
      { dieWithParent: this.options.dieWithParent ?? false, detached: this.options.detached ?? false },
    );
    await this.process.waitUntilReady(
      async () => (await this.query('select 1', 2_000)).count === 1,
      this.options.startTimeoutMs ?? 60_000,
      `Check that the ports ${Object.values(this.ports).join(', ')} on 127.0.0.1 are free and that ${this.rootDir} is writable.`,
    );
  }

  /** Graceful stop (SIGTERM); data stays for a later start(). */
  async stop(): Promise<void> {
    await this.process?.stop(15_000);
  }

  /** Stops the server and removes a temporary data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsRootDir) rmSync(this.rootDir, { recursive: true, force: true });
  }

  /** Runs SQL through the REST API and returns the parsed reply; SQL errors become exceptions. */
  async query(sql: string, timeoutMs = 30_000): Promise<QuestDbQueryResult> {
    const headers: Record<string, string> = {};
    if (this.credentials) {
      const { user, password } = this.credentials;
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    const response = await fetch(`${this.httpUrl}/exec?query=${encodeURIComponent(sql)}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as Partial<QuestDbQueryResult> & { error?: string };
    if (!response.ok || body.error) {
      throw new Error(`QuestDB rejected "${sql}": ${body.error ?? response.statusText}`);
    }
    return { columns: body.columns ?? [], dataset: body.dataset ?? [], count: body.count ?? 0 };
  }

  /**
   * Polls a single-number query (a count) until it returns `expected` or the time runs out, and
   * returns the last value: rows written to WAL tables become visible asynchronously.
   */
  async waitForCount(sql: string, expected: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let count = -1;
    while (Date.now() < deadline) {
      count = Number((await this.query(sql).catch(() => ({ dataset: [[-1]] }))).dataset[0]?.[0]);
      if (count === expected) return count;
      await new Promise((r) => setTimeout(r, 200));
    }
    return count;
  }

  /**
   * Waits until QuestDB has applied every transaction it acknowledged to `tables` (WAL writer at
   * the sequencer's transaction, none suspended) and every materialized view over them has caught
   * up with its base table. Counting after this sees all rows, including late duplicates. A
   * table that does not exist has nothing to apply.
   */
  async waitUntilApplied(tables: readonly string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const names = tables.map((t) => `'${t}'`).join(',');
    let state = '';
    while (Date.now() < deadline) {
      const views = await this.rows(
        `select view_name, view_status, base_table_name, refresh_base_table_txn from materialized_views() where base_table_name in (${names})`,
      );
      // A view is a WAL table of its own: its refreshed rows must be applied too.
      const all = [names, ...views.map((v) => `'${String(v.view_name)}'`)].join(',');
      const wal = await this.rows(
        `select name, suspended, writerTxn, sequencerTxn from wal_tables() where name in (${all})`,
      );
      const suspended = wal.filter((t) => t.suspended);
      if (suspended.length > 0) throw new Error(`QuestDB suspended WAL apply of ${JSON.stringify(suspended)}`);
      const applied = new Map(wal.map((t) => [t.name, t.writerTxn as number]));
      const walDone = wal.every((t) => t.writerTxn === t.sequencerTxn);
      // Refreshed up to the base table's last applied transaction (an invalid view never will be).
      const viewsDone = views.every(
        (v) =>
          v.view_status === 'invalid' ||
          (v.refresh_base_table_txn as number) >= (applied.get(v.base_table_name as string) ?? 0),
      );
      if (walDone && viewsDone) return;
      state = JSON.stringify({ wal, views });
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`QuestDB did not apply everything within ${timeoutMs} ms: ${state}`);
  }

  /** Runs a query and returns rows as objects keyed by column name. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const result = await this.query(sql);
    return result.dataset.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
  }
}

function writeServerConf(rootDir: string, ports: QuestDbPorts, credentials: QuestDbCredentials | undefined): void {
  mkdirSync(join(rootDir, 'conf'), { recursive: true });
  const conf = [
    `http.bind.to=127.0.0.1:${ports.http}`,
    `http.min.net.bind.to=127.0.0.1:${ports.httpMin}`,
    `pg.net.bind.to=127.0.0.1:${ports.pg}`,
    `line.tcp.net.bind.to=127.0.0.1:${ports.ilpTcp}`,
    'line.udp.enabled=false',
    'telemetry.enabled=false',
    // Keep the footprint small on a 2-core test machine.
    'shared.worker.count=2',
    ...(credentials ? [`http.user=${credentials.user}`, `http.password=${credentials.password}`] : []),
  ];
  writeFileSync(join(rootDir, 'conf', 'server.conf'), conf.join('\n') + '\n');
}

function assertJavaAndJar(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error) {
    throw new Error(
      `Java not found: QuestDB needs Java ${questDbCoordinates.minimumJava}+ (apt-get install openjdk-17-jre-headless).`,
    );
  }
  if (!existsSync(questDbJarPath)) {
    throw new Error(`QuestDB jar missing at ${questDbJarPath}: run \`npm run setup\` to fetch it from Maven Central.`);
  }
}
