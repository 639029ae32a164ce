// The collector's ICMP targets: three layers and the view they make together.
//   file   — the targets file (--icmp-targets), re-read on SIGHUP and when it changes on disk;
//   remote — another collector's list (--targets-from), replaced on each successful pull;
//   api    — what POST/DELETE /v1/targets changed: entries put, and deletions of file or remote
//            entries. It is kept in a state file, so a restart keeps it.
// The effective list is the file's entries, then the remote ones, then the API's additions; an API
// entry replaces the labels of a file or remote entry with the same key, an API deletion hides it.
// Nothing is copied to make the view: consumers walk it (sweep plan, GET, version).
import type { TargetProblem } from '../icmp/target-file.js';
import { sameLabels } from '../icmp/target-labels.js';
import { TargetTable } from '../icmp/target-table.js';

/** One entry of the effective list: which layer's table and entry. */
export type EffectiveVisitor = (table: TargetTable, entry: number) => void;

/** What a batch of API changes did. */
export interface PutReport {
  added: number;
  updated: number;
  unchanged: number;
}

export interface DeleteReport {
  deleted: number;
  /** Keys that were not in the effective list (the first 1,000). */
  missing: string[];
  missingCount: number;
}

/** What the last read of the targets file found wrong (for logs, /metrics and GET /v1/targets). */
export interface FileProblems {
  file: string;
  errors: number;
  warnings: number;
  problems: TargetProblem[];
}

/** The three layers and their effective view; `generation` grows with every effective change. */
export class TargetInventory {
  private file = new TargetTable();
  private remote = new TargetTable();
  private puts = new TargetTable();
  private readonly deletes = new Set<string>();
  private changes = 0;
  private cachedSize: { generation: number; size: number } | undefined;
  private cachedVersion: { generation: number; version: string } | undefined;
  private listeners: Array<() => void> = [];
  fileProblems: FileProblems | null = null;

  /** Grows whenever the effective list changes. */
  get generation(): number {
    return this.changes;
  }

  /** Entries in the effective list. */
  get size(): number {
    if (this.cachedSize?.generation !== this.changes) {
      let size = 0;
      this.forEach(() => size++);
      this.cachedSize = { generation: this.changes, size };
    }
    return this.cachedSize.size;
  }

  /** The API layer, for the state file. */
  get apiLayer(): { puts: TargetTable; deletes: ReadonlySet<string> } {
    return { puts: this.puts, deletes: this.deletes };
  }

  /** Whether `table` is the remote layer (its entries are fenced by --targets-allow). */
  isRemote(table: TargetTable): boolean {
    return table === this.remote;
  }

  /** Calls `listener` after every effective change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Replaces the file layer with a new read of the file; returns whether anything changed. */
  replaceFile(table: TargetTable, problems: FileProblems): boolean {
    this.fileProblems = problems;
    return this.replaceLayer('file', table);
  }

  /** Replaces the remote layer with another collector's list; returns whether anything changed. */
  replaceRemote(table: TargetTable): boolean {
    return this.replaceLayer('remote', table);
  }

  /** API additions and updates (each entry of `table`), applied over the file and remote entries. */
  put(table: TargetTable): PutReport {
    const report: PutReport = { added: 0, updated: 0, unchanged: 0 };
    let revived = false;
    for (const entry of table.entries()) {
      const key = this.deletes.size > 0 ? table.keyAt(entry) : null;
      const hidden = key !== null && this.deletes.delete(key);
      revived ||= hidden;
      const inPuts = this.puts.indexOfEntry(table, entry);
      const before = inPuts >= 0 ? { table: this.puts, entry: inPuts } : hidden ? null : this.lowerEntry(table, entry);
      const labels = table.labelsAt(entry);
      if (!before) report.added++;
      else if (sameLabels(before.table.labelsAt(before.entry), labels)) report.unchanged++;
      else report.updated++;
      this.puts.putFrom(table, entry);
    }
    if (report.added + report.updated > 0 || revived) this.changed();
    return report;
  }

  /** API deletions by key; an entry of the file or the remote list stays hidden until put again. */
  delete(keys: Iterable<string>): DeleteReport {
    const report: DeleteReport = { deleted: 0, missing: [], missingCount: 0 };
    for (const key of keys) {
      const fromPuts = this.puts.remove(key);
      const below = this.file.indexOf(key) >= 0 || this.remote.indexOf(key) >= 0;
      const hidden = below && !this.deletes.has(key);
      if (hidden) this.deletes.add(key);
      if (fromPuts || hidden) report.deleted++;
      else {
        report.missingCount++;
        if (report.missing.length < 1000) report.missing.push(key);
      }
    }
    this.puts = this.puts.compacted();
    if (report.deleted > 0) this.changed();
    return report;
  }

  /** Restores the API layer from the state file (at start, before anything else changes it). */
  restoreApiLayer(puts: TargetTable, deletes: Iterable<string>): void {
    for (const entry of puts.entries()) this.puts.putFrom(puts, entry);
    for (const key of deletes) this.deletes.add(key);
    this.changed();
  }

  /** Visits the effective list in order: file, remote, then API additions. */
  forEach(visit: EffectiveVisitor): void {
    if (this.remote.size === 0 && this.puts.size === 0 && this.deletes.size === 0) {
      // The common case, a targets file alone: no layering to do, no generator to step.
      const file = this.file;
      for (let entry = 0; entry < file.slotCount; entry++) if (file.isLive(entry)) visit(file, entry);
      return;
    }
    for (const [table, entry] of this.walk()) visit(table, entry);
  }

  /**
   * The effective list as a lazy walk, for answers streamed over time: it keeps the layers it
   * started with, so a change while it runs shows partly at most (layers are replaced, not
   * rewritten; API entries added meanwhile may appear).
   */
  *walk(): Generator<[TargetTable, number]> {
    const { file, remote, puts } = this;
    const deletes = new Set(this.deletes);
    function* layer(table: TargetTable, below: TargetTable | null): Generator<[TargetTable, number]> {
      for (let entry = 0; entry < table.slotCount; entry++) {
        if (!table.isLive(entry)) continue;
        if (below && below.indexOfEntry(table, entry) >= 0) continue; // shown with the file
        if (deletes.size > 0 && deletes.has(table.keyAt(entry))) continue;
        const override = puts.size > 0 ? puts.indexOfEntry(table, entry) : -1;
        yield override >= 0 ? [puts, override] : [table, entry];
      }
    }
    yield* layer(file, null);
    yield* layer(remote, file);
    for (let entry = 0; entry < puts.slotCount; entry++) {
      if (!puts.isLive(entry)) continue;
      if (file.indexOfEntry(puts, entry) >= 0 || remote.indexOfEntry(puts, entry) >= 0) continue;
      yield [puts, entry];
    }
  }

  /**
   * A digest of the effective list (keys and labels, in order): the same list gives the same
   * version, also after a restart, so a follower's If-None-Match keeps matching.
   */
  get version(): string {
    if (this.cachedVersion?.generation !== this.changes) {
      // node:crypto loaded on first use: an HTTP-only collector never needs it (~1 MiB).
      const hash = process.getBuiltinModule('node:crypto').createHash('sha256');
      let chunk = '';
      this.forEach((table, entry) => {
        chunk += `${JSON.stringify(table.recordAt(entry))}\n`;
        if (chunk.length > 65_536) {
          hash.update(chunk);
          chunk = '';
        }
      });
      hash.update(chunk);
      this.cachedVersion = { generation: this.changes, version: hash.digest('base64url').slice(0, 22) };
    }
    return this.cachedVersion.version;
  }

  private replaceLayer(layer: 'file' | 'remote', table: TargetTable): boolean {
    const changed = !sameEntries(this[layer], table);
    this[layer] = table;
    this.dropStaleDeletions();
    if (changed) this.changed();
    return changed;
  }

  /** The entry of a file or remote target with the same key as `table`'s entry, if any. */
  private lowerEntry(table: TargetTable, entry: number): { table: TargetTable; entry: number } | null {
    for (const lower of [this.file, this.remote]) {
      const found = lower.indexOfEntry(table, entry);
      if (found >= 0) return { table: lower, entry: found };
    }
    return null;
  }

  /** Deletions that no longer hide anything are forgotten (the file dropped the target itself). */
  private dropStaleDeletions(): void {
    for (const key of this.deletes) {
      if (this.file.indexOf(key) < 0 && this.remote.indexOf(key) < 0) this.deletes.delete(key);
    }
  }

  private changed(): void {
    this.changes++;
    for (const listener of this.listeners) listener();
  }
}

/** Whether two tables hold the same targets with the same labels in the same order. */
function sameEntries(a: TargetTable, b: TargetTable): boolean {
  if (a.size !== b.size) return false;
  const left = a.entries();
  for (const entry of b.entries()) {
    const other = left.next().value as number;
    if (a.indexOfEntry(b, entry) !== other) return false;
    if (!sameLabels(a.labelsAt(other), b.labelsAt(entry))) return false;
  }
  return true;
}
