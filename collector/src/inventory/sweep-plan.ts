// What one sweep probes: the effective inventory expanded to addresses (ranges expanded, hostnames
// resolved), each address once, plus for every probed address the inventory entry it came from
// (for the targets table). When two entries cover one address, the more specific one labels it:
// an address line, then a hostname, then a range.
import { isIPv4 } from 'node:net';
import type { HostnameResolver } from '../icmp/hostname-resolver.js';
import { formatIpv6, TargetList } from '../icmp/target-list.js';
import { parseIpv4, parseIpv6 } from '../icmp/target-spec.js';
import { TargetKind, type TargetTable } from '../icmp/target-table.js';
import { grown, joined } from '../icmp/typed-arrays.js';
import { Uint32Index } from '../icmp/uint32-index.js';
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
export class SweepPlan {
  constructor(
    readonly targets: TargetList,
    private readonly tables: readonly TargetTable[],
    private readonly tableOf: Uint8Array,
    private readonly entryOf: Uint32Array,
    readonly generation: number,
    readonly skips: PlanSkips,
    readonly hostnames: readonly string[],
  ) {}

  get size(): number {
    return this.targets.size;
  }

  /** The inventory table and entry that engine target `index` came from (valid until it changes). */
  sourceOf(index: number): [TargetTable, number] {
    return [this.tables[this.tableOf[index]!]!, this.entryOf[index]!];
  }
}

/** Hostname entries of the effective inventory. */
export function inventoryHostnames(inventory: TargetInventory): string[] {
  const names: string[] = [];
  inventory.forEach((table, entry) => {
    if (table.kindAt(entry) === TargetKind.hostname) names.push(table.hostnameAt(entry));
  });
  return names;
}

/** Builds the plan from the inventory as it is now and the resolver's current answers. */
export function buildSweepPlan(
  inventory: TargetInventory,
  resolver: HostnameResolver,
  options: { maxTargets: number; remoteFence?: AddressFence },
): SweepPlan {
  const skips: PlanSkips = { duplicates: 0, unresolved: 0, overLimit: 0, fenced: 0 };
  const tables: TargetTable[] = [];
  const tableNumber = (table: TargetTable) => {
    const at = tables.indexOf(table);
    return at >= 0 ? at : tables.push(table) - 1;
  };
  const v4 = new Sources(1024);
  const v6 = new Sources(64);
  const seenV4 = new Uint32Index(inventory.size);
  const seenV6 = new Set<string>();
  const targets = new TargetList();
  const hostnames: string[] = [];
  const room = () => targets.size < options.maxTargets;
  const addV4 = (address: number, table: number, entry: number): void => {
    if (seenV4.get(address) >= 0) return void skips.duplicates++;
    if (!room()) return void skips.overLimit++;
    seenV4.set(address, 0);
    targets.addIpv4(address);
    v4.push(table, entry);
  };
  const addV6 = (bytes: Uint8Array, table: number, entry: number): void => {
    const key = formatIpv6(bytes);
    if (seenV6.has(key)) return void skips.duplicates++;
    if (!room()) return void skips.overLimit++;
    seenV6.add(key);
    targets.addIpv6(bytes);
    v6.push(table, entry);
  };

  // Three passes in order of specificity; each walks the effective list in its own order.
  inventory.forEach((table, entry) => {
    const kind = table.kindAt(entry);
    if (kind === TargetKind.ipv4) addV4(table.ipv4At(entry), tableNumber(table), entry);
    else if (kind === TargetKind.ipv6) addV6(table.ipv6At(entry), tableNumber(table), entry);
  });
  inventory.forEach((table, entry) => {
    if (table.kindAt(entry) !== TargetKind.hostname) return;
    const name = table.hostnameAt(entry);
    hostnames.push(name);
    const addresses = resolver.addresses(name);
    if (addresses.length === 0) return void skips.unresolved++;
    const fenced = options.remoteFence && inventory.isRemote(table) ? options.remoteFence : null;
    for (const address of addresses) {
      if (fenced && !fenced(address)) {
        skips.fenced++;
        continue;
      }
      if (isIPv4(address)) addV4(parseIpv4(address), tableNumber(table), entry);
      else addV6(parseIpv6(address), tableNumber(table), entry);
    }
  });
  inventory.forEach((table, entry) => {
    const kind = table.kindAt(entry);
    if (kind === TargetKind.ipv4Range) {
      const { first, count } = table.ipv4RangeAt(entry);
      const number = tableNumber(table);
      for (let i = 0; i < count; i++) addV4((first + i) >>> 0, number, entry);
    } else if (kind === TargetKind.ipv6Range) {
      const number = tableNumber(table);
      const address = Uint8Array.from(table.ipv6At(entry));
      const view = new DataView(address.buffer);
      const low = view.getUint32(12);
      const count = table.addressCountAt(entry);
      for (let i = 0; i < count; i++) {
        view.setUint32(12, (low + i) >>> 0);
        addV6(address, number, entry);
      }
    }
  });
  return new SweepPlan(
    targets,
    tables,
    joined(v4.tables(), v6.tables()),
    joined(v4.entries(), v6.entries()),
    inventory.generation,
    skips,
    hostnames,
  );
}

/** Growable (table, entry) columns. */
class Sources {
  private tableOf: Uint8Array;
  private entryOf: Uint32Array;
  private count = 0;
  constructor(capacity: number) {
    this.tableOf = new Uint8Array(capacity);
    this.entryOf = new Uint32Array(capacity);
  }
  push(table: number, entry: number): void {
    if (this.count === this.entryOf.length) {
      this.tableOf = grown(this.tableOf, this.count * 2);
      this.entryOf = grown(this.entryOf, this.count * 2);
    }
    this.tableOf[this.count] = table;
    this.entryOf[this.count++] = entry;
  }
  tables(): Uint8Array {
    return this.tableOf.subarray(0, this.count);
  }
  entries(): Uint32Array {
    return this.entryOf.subarray(0, this.count);
  }
}
