// The ICMP target inventory of `pingsphere collect`, assembled: the file layer (read and watched),
// the API layer (restored from and saved to its state file), --targets-from, the hostname resolver
// and the figures /metrics shows. The scheduler sweeps what it holds.
import { dirname, basename, join } from 'node:path';
import type { TargetsApi } from '../api/target-routes.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { HostnameResolver } from '../icmp/hostname-resolver.js';
import { ApiLayerFile } from './api-layer-file.js';
import type { AddressFence } from './sweep-plan.js';
import { TargetInventory } from './target-inventory.js';
import { TargetsFileSource } from './targets-file-source.js';
import { TargetsSync, type TargetsSyncStats } from './targets-sync.js';

/** Inventory figures for /metrics. */
export interface InventoryStats {
  entries: number;
  fileErrors: number;
  fileWarnings: number;
  fileReloads: number;
  dnsFailures: number;
  apiPuts: number;
  apiDeletes: number;
  sync: TargetsSyncStats | null;
}

/** Where the API's changes are kept by default: beside this collector's spool folder. */
export function defaultTargetsStateFile(spoolDir: string): string {
  return join(dirname(spoolDir), `${basename(spoolDir)}.targets.ndjson`);
}

export class InventoryService {
  readonly inventory = new TargetInventory();
  readonly resolver: HostnameResolver;
  readonly stateFile: ApiLayerFile;
  private readonly file: TargetsFileSource | null;
  readonly sync: TargetsSync | null;

  constructor(
    config: CollectorConfig,
    spoolDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.resolver = new HostnameResolver({ dualStack: config.dualStack });
    this.stateFile = new ApiLayerFile(config.targetsStateFile ?? defaultTargetsStateFile(spoolDir));
    this.file = config.icmpTargetsFile
      ? new TargetsFileSource({ path: config.icmpTargetsFile, inventory: this.inventory, log })
      : null;
    this.sync = config.targetsFrom ? new TargetsSync(config.targetsFrom, this.inventory, log) : null;
  }

  /** Whether this collector sweeps ICMP targets at all. */
  static wanted(config: CollectorConfig): boolean {
    return config.icmpTargetsFile !== null || config.targetsFrom !== null;
  }

  /**
   * Restores the API layer, reads the file and makes a first pull, so the first sweep has them all.
   * A damaged state file or an unreadable targets file stops the collector with the fix.
   */
  async load(): Promise<void> {
    const saved = await this.stateFile.load();
    if (saved) {
      this.inventory.restoreApiLayer(saved.puts, saved.deletes);
      this.log(
        `ICMP targets: ${saved.puts.size} added and ${saved.deletes.length} removed through /v1/targets restored from ${this.stateFile.path}`,
      );
    }
    await this.file?.load();
    await this.sync?.pull();
  }

  /** Starts watching the file and pulling on the interval. */
  start(): void {
    this.file?.watch();
    this.sync?.start();
  }

  async stop(): Promise<void> {
    this.file?.stop();
    await this.sync?.stop();
  }

  /** Hostnames pulled from another collector must resolve inside its fence. */
  get remoteFence(): AddressFence | undefined {
    const fence = this.sync?.fence;
    return fence ? (address) => fence.allowsAddress(address) : undefined;
  }

  /** The /v1/targets side. */
  get api(): TargetsApi {
    return {
      inventory: this.inventory,
      save: () => this.stateFile.save(() => this.inventory.apiLayer),
    };
  }

  stats(): InventoryStats {
    const problems = this.inventory.fileProblems;
    const { puts, deletes } = this.inventory.apiLayer;
    return {
      entries: this.inventory.size,
      fileErrors: problems?.errors ?? 0,
      fileWarnings: problems?.warnings ?? 0,
      fileReloads: this.file?.reloads ?? 0,
      dnsFailures: this.resolver.failures,
      apiPuts: puts.size,
      apiDeletes: deletes.size,
      sync: this.sync ? { ...this.sync.stats } : null,
    };
  }
}
