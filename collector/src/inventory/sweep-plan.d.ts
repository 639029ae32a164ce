import type { HostnameResolver } from '../icmp/hostname-resolver.js';
import { TargetList } from '../icmp/target-list.js';
import { type TargetTable } from '../icmp/target-table.js';
import type { TargetInventory } from './target-inventory.js';
/** Why addresses of the inventory are not in the plan. */
export interface PlanSkips {
    /** Covered by a more specific entry (probed once). */
    duplicates: number;
    /** Hostnames without an address yet. */
    unresolved: number;
    /** Beyond the most targets one sweep holds. */
    overLimit: number;
    /** Addresses of --targets-from hostnames outside its allowed networks. */
    fenced: number;
}
/** A fence on addresses that came from another collector's list. */
export type AddressFence = (address: string) => boolean;
/** The targets of one sweep and where each came from. */
export declare class SweepPlan {
    readonly targets: TargetList;
    private readonly tables;
    private readonly tableOf;
    private readonly entryOf;
    readonly generation: number;
    readonly skips: PlanSkips;
    readonly hostnames: readonly string[];
    constructor(targets: TargetList, tables: readonly TargetTable[], tableOf: Uint8Array, entryOf: Uint32Array, generation: number, skips: PlanSkips, hostnames: readonly string[]);
    get size(): number;
    /** The inventory table and entry that engine target `index` came from (valid until it changes). */
    sourceOf(index: number): [TargetTable, number];
}
/** Hostname entries of the effective inventory. */
export declare function inventoryHostnames(inventory: TargetInventory): string[];
/** Builds the plan from the inventory as it is now and the resolver's current answers. */
export declare function buildSweepPlan(inventory: TargetInventory, resolver: HostnameResolver, options: {
    maxTargets: number;
    remoteFence?: AddressFence;
}): SweepPlan;
