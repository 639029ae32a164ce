// Targets with their labels, one entry per target as written (address, CIDR range or hostname),
// stored in columns: typed arrays for addresses and for group and location ids (each distinct group
// or location is kept once), a plain array for names; a label column exists once some entry uses
// it. A million plain addresses cost ~23 MB and no JavaScript object per entry; the inventory, the
// API and the sweep plan all read these columns.
import { quickIpv4 } from './dotted-quad.js';
import { grown } from './typed-arrays.js';
import { Uint32Index } from './uint32-index.js';
import {
  noLabels,
  sameLabels,
  toRecord,
  type ExtraLabels,
  type TargetLabels,
  type TargetLocation,
  type TargetRecord,
} from './target-labels.js';
import { formatIpv4, formatIpv6 } from './target-list.js';
import { targetKey, type TargetSpec } from './target-spec.js';

/** Entry kinds, as stored in the kind column. */
export const TargetKind = { ipv4: 0, ipv6: 1, ipv4Range: 2, ipv6Range: 3, hostname: 4 } as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** What a put did. */
export type PutOutcome = 'added' | 'updated' | 'unchanged';

/** An ordered, keyed set of targets with labels. */
export class TargetTable {
  private kinds: Uint8Array;
  /** IPv4 address or range network; for IPv6 kinds the 16-byte slot; for hostnames the name's slot. */
  private addresses: Uint32Array;
  private prefixes: Uint8Array;
  // Label columns exist only once some entry has that label: a plain address list pays nothing.
  private groupIds: Uint32Array | null = null;
  private locationIds: Uint32Array | null = null;
  private live: Uint8Array;
  private names: string[] | null = null;
  private extras: (ExtraLabels | undefined)[] | null = null;
  private ipv6 = new Uint8Array(16 * 16);
  private ipv6Slots = 0;
  private hostnames: string[] = [];
  private readonly groups: string[] = [''];
  private readonly groupIndex = new Map<string, number>([['', 0]]);
  private readonly locations: (TargetLocation | null)[] = [null];
  private readonly locationIndex = new Map<string, number>();
  private readonly locationObjects = new Map<TargetLocation, number>();
  private readonly ipv4Index: Uint32Index;
  private readonly keyIndex = new Map<string, number>();
  private slots = 0;
  private liveCount = 0;
  private mutations = 0;

  constructor(expected = 64) {
    const capacity = Math.max(16, expected);
    this.kinds = new Uint8Array(capacity);
    this.addresses = new Uint32Array(capacity);
    this.prefixes = new Uint8Array(capacity);
    this.live = new Uint8Array(capacity);
    this.ipv4Index = new Uint32Index(expected);
  }

  /** Targets in the table. */
  get size(): number {
    return this.liveCount;
  }

  /** Entry numbers run from 0 to slotCount - 1; removed ones are not `isLive`. */
  get slotCount(): number {
    return this.slots;
  }

  /** Grows with every add, update and removal (a cheap "did anything change" check). */
  get mutationCount(): number {
    return this.mutations;
  }

  isLive(entry: number): boolean {
    return this.live[entry] === 1;
  }

  /** Adds or relabels one IPv4 address (the fast path of a plain targets file). */
  putIpv4(address: number, labels: TargetLabels = noLabels): PutOutcome {
    const existing = this.ipv4Index.get(address);
    if (existing >= 0) return this.relabel(existing, labels);
    const entry = this.newEntry(TargetKind.ipv4, address >>> 0, 0, labels);
    this.ipv4Index.set(address, entry);
    return 'added';
  }

  /** Adds or relabels a target. */
  put(spec: TargetSpec, labels: TargetLabels = noLabels): PutOutcome {
    if (spec.kind === 'ipv4') return this.putIpv4(spec.address, labels);
    const key = targetKey(spec);
    const existing = this.keyIndex.get(key);
    if (existing !== undefined) return this.relabel(existing, labels);
    let entry: number;
    switch (spec.kind) {
      case 'ipv6':
        entry = this.newEntry(TargetKind.ipv6, this.storeIpv6(spec.bytes), 128, labels);
        break;
      case 'ipv6-range':
        entry = this.newEntry(TargetKind.ipv6Range, this.storeIpv6(spec.first), spec.prefix, labels);
        break;
      case 'ipv4-range':
        entry = this.newEntry(TargetKind.ipv4Range, spec.network, spec.prefix, labels);
        break;
      case 'hostname':
        this.hostnames.push(key);
        entry = this.newEntry(TargetKind.hostname, this.hostnames.length - 1, 0, labels);
        break;
    }
    this.keyIndex.set(key, entry);
    return 'added';
  }

  /** Adds or relabels the entry `entry` of another table. */
  putFrom(other: TargetTable, entry: number): PutOutcome {
    const labels = other.labelsAt(entry);
    return other.kindAt(entry) === TargetKind.ipv4
      ? this.putIpv4(other.ipv4At(entry), labels)
      : this.put(other.specAt(entry), labels);
  }

  /** The entry with this key (as made by `targetKey`), or -1. */
  indexOf(key: string): number {
    const ipv4 = quickIpv4(key);
    if (ipv4 >= 0) return this.ipv4Index.get(ipv4);
    return this.keyIndex.get(key) ?? -1;
  }

  /** The entry of the same target as `other`'s entry, or -1 (without making its key). */
  indexOfEntry(other: TargetTable, entry: number): number {
    return other.kindAt(entry) === TargetKind.ipv4
      ? this.ipv4Index.get(other.ipv4At(entry))
      : this.indexOf(other.keyAt(entry));
  }

  /** Removes a target by key; false when it was not there. */
  remove(key: string): boolean {
    const entry = this.indexOf(key);
    if (entry < 0) return false;
    this.removeAt(entry);
    return true;
  }

  /** Removes one entry. */
  removeAt(entry: number): void {
    if (!this.live[entry]) return;
    if (this.kinds[entry] === TargetKind.ipv4) this.ipv4Index.delete(this.addresses[entry]!);
    else this.keyIndex.delete(this.keyAt(entry));
    // Its labels stay until compaction: a plan built before still names the target it removes.
    this.live[entry] = 0;
    this.liveCount--;
    this.mutations++;
  }

  /**
   * This table, or a compact copy of it when removed entries are the majority (a copy, so that a
   * reader still walking this one is not disturbed).
   */
  compacted(): TargetTable {
    if (this.slots - this.liveCount <= this.liveCount + 1024) return this;
    const copy = new TargetTable(this.liveCount);
    for (let entry = 0; entry < this.slots; entry++) if (this.live[entry]) copy.putFrom(this, entry);
    copy.mutations = this.mutations;
    return copy;
  }

  kindAt(entry: number): TargetKind {
    return this.kinds[entry] as TargetKind;
  }

  ipv4At(entry: number): number {
    return this.addresses[entry]!;
  }

  /** First address and count of an IPv4 range (network and broadcast left out, as fping -g). */
  ipv4RangeAt(entry: number): { first: number; count: number } {
    const hostBits = 32 - this.prefixes[entry]!;
    const network = this.addresses[entry]!;
    return hostBits >= 2 ? { first: network + 1, count: 2 ** hostBits - 2 } : { first: network, count: 2 ** hostBits };
  }

  /** The 16 bytes of an IPv6 address, or of an IPv6 range's first address (a view, do not keep). */
  ipv6At(entry: number): Uint8Array {
    const at = 16 * this.addresses[entry]!;
    return this.ipv6.subarray(at, at + 16);
  }

  prefixAt(entry: number): number {
    return this.prefixes[entry]!;
  }

  hostnameAt(entry: number): string {
    return this.hostnames[this.addresses[entry]!]!;
  }

  /** How many addresses the entry stands for (1 for an address or a hostname). */
  addressCountAt(entry: number): number {
    switch (this.kinds[entry]) {
      case TargetKind.ipv4Range:
        return this.ipv4RangeAt(entry).count;
      case TargetKind.ipv6Range:
        return 2 ** (128 - this.prefixes[entry]!);
      default:
        return 1;
    }
  }

  /** The entry's key, its text form in the inventory and the API. */
  keyAt(entry: number): string {
    switch (this.kinds[entry]) {
      case TargetKind.ipv4:
        return formatIpv4(this.addresses[entry]!);
      case TargetKind.ipv4Range:
        return `${formatIpv4(this.addresses[entry]!)}/${this.prefixes[entry]}`;
      case TargetKind.ipv6:
        return formatIpv6(this.ipv6At(entry));
      case TargetKind.ipv6Range:
        return `${formatIpv6(this.ipv6At(entry))}/${this.prefixes[entry]}`;
      default:
        return this.hostnameAt(entry);
    }
  }

  specAt(entry: number): TargetSpec {
    switch (this.kinds[entry]) {
      case TargetKind.ipv4:
        return { kind: 'ipv4', address: this.addresses[entry]! };
      case TargetKind.ipv4Range:
        return {
          kind: 'ipv4-range',
          ...this.ipv4RangeAt(entry),
          network: this.addresses[entry]!,
          prefix: this.prefixes[entry]!,
        };
      case TargetKind.ipv6:
        return { kind: 'ipv6', bytes: Uint8Array.from(this.ipv6At(entry)) };
      case TargetKind.ipv6Range:
        return {
          kind: 'ipv6-range',
          first: Uint8Array.from(this.ipv6At(entry)),
          count: this.addressCountAt(entry),
          prefix: this.prefixes[entry]!,
        };
      default:
        return { kind: 'hostname', name: this.hostnameAt(entry) };
    }
  }

  nameAt(entry: number): string {
    return this.names?.[entry] ?? '';
  }

  groupAt(entry: number): string {
    return this.groupIds ? this.groups[this.groupIds[entry]!]! : '';
  }

  locationAt(entry: number): TargetLocation | null {
    return this.locationIds ? this.locations[this.locationIds[entry]!]! : null;
  }

  extraAt(entry: number): ExtraLabels | null {
    return this.extras?.[entry] ?? null;
  }

  labelsAt(entry: number): TargetLabels {
    return {
      name: this.nameAt(entry),
      group: this.groupAt(entry),
      location: this.locationAt(entry),
      extra: this.extraAt(entry),
    };
  }

  /** The API shape of one entry. */
  recordAt(entry: number): TargetRecord {
    return toRecord(this.keyAt(entry), this.labelsAt(entry));
  }

  /** Live entry numbers, in the order the targets were first added. */
  *entries(): IterableIterator<number> {
    for (let entry = 0; entry < this.slots; entry++) if (this.live[entry]) yield entry;
  }

  private relabel(entry: number, labels: TargetLabels): PutOutcome {
    if (sameLabels(this.labelsAt(entry), labels)) return 'unchanged';
    this.setLabels(entry, labels);
    this.mutations++;
    return 'updated';
  }

  private newEntry(kind: TargetKind, address: number, prefix: number, labels: TargetLabels): number {
    if (this.slots === this.kinds.length) this.grow();
    const entry = this.slots++;
    this.kinds[entry] = kind;
    this.addresses[entry] = address;
    this.prefixes[entry] = prefix;
    this.live[entry] = 1;
    this.names?.push('');
    this.extras?.push(undefined);
    this.setLabels(entry, labels);
    this.liveCount++;
    this.mutations++;
    return entry;
  }

  private setLabels(entry: number, labels: TargetLabels): void {
    if (labels.name !== '' || this.names) (this.names ??= new Array<string>(this.slots).fill(''))[entry] = labels.name;
    const extra = labels.extra && Object.keys(labels.extra).length > 0 ? labels.extra : undefined;
    if (extra || this.extras)
      (this.extras ??= new Array<ExtraLabels | undefined>(this.slots).fill(undefined))[entry] = extra;
    let group = this.groupIndex.get(labels.group);
    if (group === undefined) {
      group = this.groups.push(labels.group) - 1;
      this.groupIndex.set(labels.group, group);
    }
    if (group !== 0 || this.groupIds) (this.groupIds ??= new Uint32Array(this.kinds.length))[entry] = group;
    const location = labels.location ? this.locationId(labels.location) : 0;
    if (location !== 0 || this.locationIds) (this.locationIds ??= new Uint32Array(this.kinds.length))[entry] = location;
  }

  /** Each distinct location is stored once; the same object (the reader's cache) is found by identity. */
  private locationId(location: TargetLocation): number {
    const known = this.locationObjects.get(location);
    if (known !== undefined) return known;
    const key = `${location.loc}\u0000${location.lat}\u0000${location.lon}`;
    let id = this.locationIndex.get(key);
    if (id === undefined) {
      id = this.locations.push(location) - 1;
      this.locationIndex.set(key, id);
    }
    if (this.locationObjects.size < 100_000) this.locationObjects.set(location, id);
    return id;
  }

  private storeIpv6(bytes: Uint8Array): number {
    if (16 * (this.ipv6Slots + 1) > this.ipv6.length) this.ipv6 = grown(this.ipv6, this.ipv6.length * 2);
    this.ipv6.set(bytes, 16 * this.ipv6Slots);
    return this.ipv6Slots++;
  }

  private grow(): void {
    const capacity = this.kinds.length * 2;
    this.kinds = grown(this.kinds, capacity);
    this.addresses = grown(this.addresses, capacity);
    this.prefixes = grown(this.prefixes, capacity);
    if (this.groupIds) this.groupIds = grown(this.groupIds, capacity);
    if (this.locationIds) this.locationIds = grown(this.locationIds, capacity);
    this.live = grown(this.live, capacity);
  }
}
