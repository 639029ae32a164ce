// The targets file as the inventory's file layer: read at start, and again on SIGHUP or when the
// file changes on disk (polled with stat, which also sees an editor's rename-over and a replaced
// ConfigMap symlink; a change is read once the file has been still for `settleMs`). A file that
// cannot be read at a reload keeps the previous list and says why.
import { unwatchFile, watchFile, type StatsBase } from 'node:fs';
import { describeProblem, readTargetsFile } from '../icmp/target-file.js';
import type { TargetInventory } from './target-inventory.js';

export interface TargetsFileSourceOptions {
  path: string;
  inventory: TargetInventory;
  log: (line: string) => void;
  /** How often the file's stat is compared (ms). */
  pollMs?: number;
  settleMs?: number;
}

/** Problems listed in the log per read (all are counted, and listed in GET /v1/targets). */
const loggedProblems = 20;

export class TargetsFileSource {
  private reading: Promise<void> | undefined;
  private again = false;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly onHangup = () => {
    this.options.log(`ICMP targets: SIGHUP, reading ${this.options.path} again`);
    void this.reload();
  };
  /** Reads that changed the list (for /metrics and tests). */
  reloads = 0;

  constructor(private readonly options: TargetsFileSourceOptions) {}

  /**
   * First read; an unreadable file throws UsageError (the collector does not start). SIGHUP is
   * taken from here on, so one during a long start-up re-reads instead of ending the process.
   */
  async load(): Promise<void> {
    process.on('SIGHUP', this.onHangup);
    await this.read();
  }

  /** Starts watching the file for changes. */
  watch(): void {
    watchFile(this.options.path, { interval: this.options.pollMs ?? 1000, persistent: false }, (now, before) => {
      if (sameFile(now, before)) return;
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => void this.reload(), this.options.settleMs ?? 300);
    });
  }

  stop(): void {
    unwatchFile(this.options.path);
    clearTimeout(this.settleTimer);
    process.off('SIGHUP', this.onHangup);
  }

  /** Reads the file again (one read at a time; a request during a read makes one more). */
  reload(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        try {
          await this.read();
        } catch (error) {
          this.options.log(`ICMP targets: ${(error as Error).message}; keeping the previous list`);
        }
      } while (this.again);
    })().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    const { path, inventory, log } = this.options;
    const read = await readTargetsFile(path);
    for (const problem of read.problems.slice(0, loggedProblems)) log(`ICMP targets: ${describeProblem(problem)}`);
    const unlisted = read.errors + read.warnings - Math.min(read.problems.length, loggedProblems);
    if (unlisted > 0) log(`ICMP targets: … and ${unlisted} more problems in ${path} (GET /v1/targets lists them)`);
    const changed = inventory.replaceFile(read.table, {
      file: path,
      errors: read.errors,
      warnings: read.warnings,
      problems: read.problems,
    });
    if (changed) this.reloads++;
    log(
      `ICMP targets: ${path}: ${read.table.size} targets` +
        (read.errors > 0 ? `, ${read.errors} bad lines skipped` : '') +
        (changed ? '' : ' (unchanged)'),
    );
  }
}

function sameFile(a: StatsBase<number>, b: StatsBase<number>): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}
