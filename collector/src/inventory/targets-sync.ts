// --targets-from: this collector also sweeps another collector's targets, pulled from its
// /v1/targets every interval (NDJSON, streamed into the inventory's remote layer). Pull only: it
// never writes to the other collector. The ETag of the last list makes an unchanged list cost one
// small request (304). Fenced like --auto-mesh: only targets inside --targets-allow are taken
// (hostnames are checked once resolved, before each sweep) and at most --targets-max of them.
// A failed pull keeps the list of the last good one.
import type { TargetsFromConfig } from '../config/collector-config.js';
import { describeProblem } from '../icmp/target-file.js';
import { CidrFence } from './cidr-fence.js';
import { readTargetsBody, TargetBodyError } from './target-body.js';
import { settleWithin } from './settle-within.js';
import type { TargetInventory } from './target-inventory.js';

/** Figures of the sync, for /metrics. */
export interface TargetsSyncStats {
  pulls: number;
  unchanged: number;
  failures: number;
  /** Targets taken from the last list. */
  taken: number;
  /** Targets of the last list outside --targets-allow. */
  notAllowed: number;
  /** Whether the last list was cut at --targets-max. */
  capped: boolean;
  lastError: string | null;
}

/** Largest list body read (a million labelled targets are ~100 MB of NDJSON). */
const maxListBytes = 1 << 30;

export class TargetsSync {
  readonly fence: CidrFence;
  private etag: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private pulling: Promise<void> | undefined;
  private stopped = false;
  /** Aborts the pull in flight when the collector stops (a slow leader must not hold the exit). */
  private readonly abort = new AbortController();
  private lastLogged = '';
  readonly stats: TargetsSyncStats = {
    pulls: 0,
    unchanged: 0,
    failures: 0,
    taken: 0,
    notAllowed: 0,
    capped: false,
    lastError: null,
  };

  constructor(
    private readonly config: TargetsFromConfig,
    private readonly inventory: TargetInventory,
    private readonly log: (line: string) => void,
  ) {
    this.fence = new CidrFence(config.allowCidrs);
  }

  /** Pulls now and then every interval (one pull at a time). */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.intervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await settleWithin(this.pulling ?? Promise.resolve(), 2000);
  }

  /** One pull (exported for the first pull at start and for tests). */
  async pull(): Promise<void> {
    const { url, token } = this.config;
    const headers: Record<string, string> = { accept: 'application/x-ndjson' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.etag) headers['if-none-match'] = this.etag;
    this.stats.pulls++;
    try {
      // undici is loaded with the first pull: a collector without --targets-from never loads it.
      const { request } = await import('undici');
      const response = await request(url, {
        method: 'GET',
        headers,
        headersTimeout: 10_000,
        bodyTimeout: 60_000,
        signal: this.abort.signal,
      });
      if (response.statusCode === 304) {
        await response.body.dump();
        this.stats.unchanged++;
        this.succeeded();
        return;
      }
      if (response.statusCode !== 200) {
        const text = (await response.body.text()).slice(0, 300);
        const hint =
          response.statusCode === 401
            ? ': it wants a token; set PINGSPHERE_TARGETS_FROM_TOKEN (or PINGSPHERE_TOKEN) to its PINGSPHERE_TOKEN'
            : response.statusCode === 404
              ? ' (is it a pingsphere collector sweeping ICMP targets? the URL ends in /v1/targets)'
              : '';
        throw new Error(`${url} answered HTTP ${response.statusCode}${hint} ${text}`.trim());
      }
      let addresses = 0;
      let capped = false;
      const read = await readTargetsBody(
        response.body,
        'ndjson',
        {
          maxBytes: maxListBytes,
          maxItems: Number.MAX_SAFE_INTEGER,
          admit: (spec) => {
            if (!this.fence.allowsSpec(spec)) return 'notAllowed';
            const count = spec.kind === 'ipv4-range' || spec.kind === 'ipv6-range' ? spec.count : 1;
            if (addresses + count > this.config.maxTargets) {
              capped = true;
              return 'stop';
            }
            addresses += count;
            return null;
          },
        },
        url,
      );
      if (read.stopped) response.body.destroy();
      for (const problem of read.problems.slice(0, 5)) this.log(`targets-from: ${describeProblem(problem)}`);
      this.stats.taken = read.table.size;
      this.stats.notAllowed = read.refused.notAllowed ?? 0;
      this.stats.capped = capped;
      const changed = this.inventory.replaceRemote(read.table);
      // A capped list is not the whole list: do not let its ETag stop the next full look.
      this.etag = capped ? null : ((response.headers.etag as string | undefined) ?? null);
      this.succeeded();
      if (changed || this.stats.notAllowed > 0 || capped) {
        this.log(
          `targets-from: ${read.table.size} targets from ${url}` +
            (this.stats.notAllowed > 0 ? `, ${this.stats.notAllowed} outside --targets-allow left out` : '') +
            (capped ? `, cut at --targets-max ${this.config.maxTargets}` : '') +
            (read.errors > 0 ? `, ${read.errors} bad entries skipped` : ''),
        );
      }
    } catch (error) {
      if (this.stopped) return;
      this.stats.failures++;
      const message = error instanceof TargetBodyError ? `${url}: ${error.message}` : (error as Error).message;
      this.stats.lastError = message;
      if (message !== this.lastLogged) this.log(`targets-from: pull failed (${message}); keeping the last list`);
      this.lastLogged = message;
    }
  }

  private succeeded(): void {
    if (this.stats.lastError) this.log(`targets-from: ${this.config.url} answers again`);
    this.stats.lastError = null;
    this.lastLogged = '';
  }

  private tick(): void {
    if (this.stopped || this.pulling) return;
    this.pulling = this.pull().finally(() => (this.pulling = undefined));
  }
}
