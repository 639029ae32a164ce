// Keeps QuestDB's `targets` table current for this collector: one row per probed address with its
// entry, labels, group key and place, upserted in place (first_seen, the designated timestamp, stays
// fixed per (src, target); DEDUP replaces the row on every rewrite). State, not a log: nothing is
// spooled. At start the collector reads back its rows (for first_seen), writes every current target,
// then marks what it no longer probes as removed with one UPDATE. Afterwards each new sweep plan
// writes only what changed (a fingerprint per address) plus removal rows, and every `refreshMs`
// all rows again (last_seen). A write waits until QuestDB has applied it, so the roll-ups that join
// `targets` see a sweep's targets before its results. A failed write is retried.
import { request } from 'undici';
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { escapeSymbol } from '../sinks/questdb/ilp-encoder.js';
import { parseQuestDbConfig, type QuestDbEndpoint } from '../sinks/questdb/questdb-config.js';
import { QuestDbRest } from '../sinks/questdb/questdb-rest.js';
import { targetsTable } from '../sinks/questdb/questdb-schema.js';
import { quickIpv4 } from '../icmp/dotted-quad.js';
import { grown } from '../icmp/typed-arrays.js';
import { Uint32Index } from '../icmp/uint32-index.js';
import { settleWithin } from './settle-within.js';
import type { SweepPlan } from './sweep-plan.js';

export interface TargetsTableWriterOptions {
  /** The QuestDB client configuration string (as --questdb). */
  conf: string;
  src: string;
  log: (line: string) => void;
  /** All rows are written again this often (last_seen); default one hour. */
  refreshMs?: number;
  retryMs?: number;
  now?: () => number;
}

/** Rows per ILP request. */
const rowsPerRequest = 50_000;

/** What the writer knows about each (src, target) row. */
class RowState {
  private readonly ipv4 = new Uint32Index();
  private readonly other = new Map<string, number>();
  firstSeenUs = new Float64Array(1024);
  fingerprint = new Uint32Array(1024);
  present = new Uint8Array(1024);
  /** Index in `lastPlan` of the row's target, for its labels once it is gone. */
  planIndex = new Uint32Array(1024);
  round = new Uint32Array(1024);
  size = 0;

  /** The slot of a target: an IPv4 address as its 32-bit number, anything else as text. */
  slot(target: number | string): number {
    return typeof target === 'number' ? this.ipv4.get(target) : (this.other.get(target) ?? -1);
  }

  add(target: number | string, firstSeenUs: number): number {
    if (this.size === this.firstSeenUs.length) this.grow();
    const slot = this.size++;
    if (typeof target === 'number') this.ipv4.set(target, slot);
    else this.other.set(target, slot);
    this.firstSeenUs[slot] = firstSeenUs;
    this.fingerprint[slot] = 0;
    this.present[slot] = 0;
    return slot;
  }

  private grow(): void {
    const size = this.firstSeenUs.length * 2;
    this.firstSeenUs = grown(this.firstSeenUs, size);
    this.fingerprint = grown(this.fingerprint, size);
    this.present = grown(this.present, size);
    this.planIndex = grown(this.planIndex, size);
    this.round = grown(this.round, size);
  }
}

/** One collector's rows of the `targets` table. */
export class TargetsTableWriter {
  private readonly endpoint: QuestDbEndpoint;
  private readonly rest: QuestDbRest;
  private readonly state = new RowState();
  private ready = false;
  private lastPlan: SweepPlan | undefined;
  private pendingPlan: SweepPlan | undefined;
  private round = 0;
  private lastFullUs = 0;
  /** Writes run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError = '';
  /** Rows written over the writer's life (for tests and logs). */
  rowsWritten = 0;

  constructor(private readonly options: TargetsTableWriterOptions) {
    this.endpoint = parseQuestDbConfig(options.conf);
    this.rest = new QuestDbRest(this.endpoint);
    const refreshMs = options.refreshMs ?? 3_600_000;
    this.refreshTimer = setInterval(() => {
      if (this.lastPlan) void this.publish(this.lastPlan, true).catch(() => undefined);
    }, refreshMs);
    this.refreshTimer.unref();
  }

  /**
   * Writes what changed with this plan (everything at the first call and when `full`) and waits
   * until QuestDB shows it. Rejects when QuestDB cannot be reached; it is tried again later.
   */
  publish(plan: SweepPlan, full = false): Promise<void> {
    this.pendingPlan = plan;
    const run = this.queue.then(() => this.flush(full));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops writing. A write in flight gets two seconds, then is left (the table is state: the next
   * start writes it again), so a slow QuestDB cannot hold a stopping collector.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    clearTimeout(this.retryTimer);
    await settleWithin(this.queue, 2000);
  }

  private async flush(full: boolean): Promise<void> {
    const plan = this.pendingPlan;
    if (!plan || this.stopped) return;
    this.pendingPlan = undefined;
    try {
      const startUs = this.now();
      const first = !this.ready;
      if (first) await this.readBack();
      const rows = this.rowsFor(plan, first || full, startUs);
      await this.send(rows.lines);
      if (first) {
        // Rows of targets this collector stopped probing while it was not running.
        await this.rest.exec(
          `UPDATE targets SET removed = true WHERE src = '${sqlText(this.options.src)}' AND removed = false AND last_seen < '${new Date(startUs / 1000).toISOString()}'`,
        );
      }
      rows.commit();
      this.lastPlan = plan;
      if (first || full) this.lastFullUs = startUs;
      await this.waitApplied();
      if (this.lastError) this.options.log('targets table: QuestDB takes the rows again');
      this.lastError = '';
    } catch (error) {
      // Keep the newest plan for the retry (unless a newer one came meanwhile).
      this.pendingPlan ??= plan;
      const message = (error as Error).message;
      if (message !== this.lastError) this.options.log(`targets table: not written (${message}); trying again in 30 s`);
      this.lastError = message;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (this.pendingPlan) void this.publish(this.pendingPlan, full).catch(() => undefined);
      }, this.options.retryMs ?? 30_000);
      this.retryTimer.unref();
      throw error;
    }
  }

  /** Reads this collector's rows: first_seen of each target, so rewrites hit the same row. */
  private async readBack(): Promise<void> {
    // Only its own table: the QuestDB sink makes the rest of the schema (running it twice at once
    // only doubles the DDL a starting fleet sends).
    await this.rest.exec(targetsTable);
    const url = `${this.rest.baseUrl}/exp?query=${encodeURIComponent(
      `SELECT target, first_seen FROM targets WHERE src = '${sqlText(this.options.src)}'`,
    )}`;
    const headers: Record<string, string> = {};
    if (this.endpoint.authorization) headers.authorization = this.endpoint.authorization;
    const response = await request(url, { headers, headersTimeout: 60_000, bodyTimeout: 300_000 });
    if (response.statusCode !== 200) {
      const text = (await response.body.text()).slice(0, 200);
      throw new Error(`QuestDB answered HTTP ${response.statusCode} reading the targets table: ${text}`);
    }
    let carry = '';
    let header = true;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const lines = (carry + chunk.toString('utf8')).split('\n');
      carry = lines.pop()!;
      for (const line of lines) {
        if (header) {
          header = false;
          continue;
        }
        this.readRow(line);
      }
    }
    if (carry && !header) this.readRow(carry);
    this.ready = true;
  }

  private readRow(line: string): void {
    const [target, firstSeen] = line.split(',').map((cell) => cell.replace(/^"|"$/g, ''));
    if (!target || !firstSeen) return;
    const v4 = quickIpv4(target);
    const key = v4 >= 0 ? v4 : target;
    if (this.state.slot(key) < 0) this.state.add(key, isoToMicros(firstSeen));
  }

  /** The ILP lines for a plan, and how to record them once QuestDB has taken them. */
  private rowsFor(plan: SweepPlan, everything: boolean, nowUs: number): { lines: string[]; commit: () => void } {
    const round = ++this.round;
    const state = this.state;
    const lines: string[] = [];
    const updates: Array<[slot: number, fingerprint: number, index: number]> = [];
    const src = escapeSymbol(this.options.src);
    const ipv4 = plan.targets.ipv4Addresses();
    for (let index = 0; index < plan.size; index++) {
      const target = plan.targets.addressAt(index);
      const key = index < ipv4.length ? ipv4[index]! : target;
      const row = describe(plan, index, target);
      const fingerprint = fnv1a(row.tags + row.coordinates);
      let slot = state.slot(key);
      if (slot < 0) slot = state.add(key, nowUs);
      state.round[slot] = round;
      updates.push([slot, fingerprint, index]);
      if (!everything && state.present[slot] === 1 && state.fingerprint[slot] === fingerprint) continue;
      lines.push(line(src, row, state.firstSeenUs[slot]!, nowUs, false));
    }
    // Targets of the previous plan this one no longer has: a removal row, labels kept.
    const removed: number[] = [];
    const previous = this.lastPlan;
    if (previous) {
      for (let slot = 0; slot < state.size; slot++) {
        if (state.present[slot] !== 1 || state.round[slot] === round) continue;
        const index = state.planIndex[slot]!;
        const target = previous.targets.addressAt(index);
        lines.push(line(src, describe(previous, index, target), state.firstSeenUs[slot]!, nowUs, true));
        removed.push(slot);
      }
    }
    return {
      lines,
      commit: () => {
        for (const [slot, fingerprint, index] of updates) {
          state.fingerprint[slot] = fingerprint;
          state.present[slot] = 1;
          state.planIndex[slot] = index;
        }
        for (const slot of removed) state.present[slot] = 0;
      },
    };
  }

  private async send(lines: readonly string[]): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.endpoint.authorization) headers.authorization = this.endpoint.authorization;
    for (let at = 0; at < lines.length; at += rowsPerRequest) {
      const body = lines.slice(at, at + rowsPerRequest).join('');
      const response = await request(`${this.rest.baseUrl}/write?precision=n`, {
        method: 'POST',
        headers,
        body,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
      const text = await response.body.text();
      if (response.statusCode >= 300)
        throw new Error(`QuestDB refused the targets rows (HTTP ${response.statusCode}): ${text.slice(0, 300)}`);
      this.rowsWritten += Math.min(rowsPerRequest, lines.length - at);
    }
  }

  /**
   * Waits (up to 10 s, less once stopping) until QuestDB has applied every write to `targets`; a
   * busy QuestDB that does not answer in time costs only the wait (the rows are in its WAL already).
   */
  private async waitApplied(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !this.stopped) {
      const applied = await this.rest
        .exec("select writerTxn, sequencerTxn from wal_tables() where name = 'targets'", 5_000)
        .then(({ dataset }) => {
          const [writer, sequencer] = (dataset?.[0] ?? [0, 0]) as [number, number];
          return writer >= sequencer;
        })
        .catch(() => false);
      if (applied) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private now(): number {
    return 1000 * (this.options.now?.() ?? Date.now());
  }
}

/** A row's columns besides src, the timestamps and removed, as ILP text. */
interface RowText {
  tags: string;
  /** "lat=…,lon=…," or empty. */
  coordinates: string;
}

function describe(plan: SweepPlan, index: number, target: string): RowText {
  const [table, entry] = plan.sourceOf(index);
  const spec = table.keyAt(entry);
  const name = table.nameAt(entry);
  const group = table.groupAt(entry);
  const location = table.locationAt(entry);
  const extra = table.extraAt(entry);
  const groupKey = group || location?.loc || prefixOf(target);
  const tags =
    (group ? `,group=${escapeSymbol(group)}` : '') +
    `,group_key=${escapeSymbol(groupKey)}` +
    (location ? `,loc=${escapeSymbol(location.loc)}` : '') +
    `,target=${escapeSymbol(target)},spec=${escapeSymbol(spec)}` +
    (name ? `,name=${escapeSymbol(name)}` : '') +
    (extra ? `,labels=${escapeSymbol(JSON.stringify(sortedKeys(extra)))}` : '');
  const coordinates =
    location && location.lat !== null && location.lon !== null ? `lat=${location.lat},lon=${location.lon},` : '';
  return { tags, coordinates };
}

function line(src: string, row: RowText, firstSeenUs: number, nowUs: number, removed: boolean): string {
  const fields = `${row.coordinates}last_seen=${Math.trunc(nowUs)}t,removed=${removed ? 't' : 'f'}`;
  return `targets,src=${src}${row.tags} ${fields} ${Math.trunc(firstSeenUs)}000\n`;
}

/** The /24 of an IPv4 address or the /48 of an IPv6 one, for targets without a group or place. */
export function prefixOf(address: string): string {
  if (isIPv4(address)) return `${address.slice(0, address.lastIndexOf('.'))}.0/24`;
  const bytes = ipaddr.IPv6.parse(address).toByteArray();
  for (let i = 6; i < 16; i++) bytes[i] = 0;
  return `${ipaddr.fromByteArray(bytes).toString()}/48`;
}

function sortedKeys(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((key) => [key, labels[key]!]),
  );
}

/** 32-bit FNV-1a: cheap change detection (a missed change is rewritten at the next refresh). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0 || 1;
}

function sqlText(text: string): string {
  return text.replaceAll("'", "''");
}

/** "2026-12-01T21:25:27.123456Z" → microseconds since the epoch. */
function isoToMicros(iso: string): number {
  const ms = Date.parse(`${iso.slice(0, 23)}Z`);
  const micros = Number(iso.slice(23, 26)) || 0;
  return ms * 1000 + micros;
}
