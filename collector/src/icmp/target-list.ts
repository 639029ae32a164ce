// The targets of a sweep, packed: 4 bytes per IPv4 and 16 per IPv6 address, so a million
// targets cost megabytes, not a million strings. Text forms are made per batch, when printed.

/** Targets in engine order: every IPv4 target (in the order added), then every IPv6 target. */
export class TargetList {
  private ipv4 = new Uint32Array(1024);
  private ipv4Count = 0;
  private ipv6 = new Uint8Array(16 * 64);
  private ipv6Count = 0;

  get size(): number {
    return this.ipv4Count + this.ipv6Count;
  }

  get ipv4Size(): number {
    return this.ipv4Count;
  }

  get ipv6Size(): number {
    return this.ipv6Count;
  }

  /** Adds one IPv4 address given as a 32-bit number. */
  addIpv4(address: number): void {
    this.reserveIpv4(1);
    this.ipv4[this.ipv4Count++] = address;
  }

  /** Adds `count` consecutive IPv4 addresses starting at `first`. */
  addIpv4Range(first: number, count: number): void {
    this.reserveIpv4(count);
    for (let i = 0; i < count; i++) this.ipv4[this.ipv4Count++] = (first + i) >>> 0;
  }

  addIpv6(bytes: Uint8Array): void {
    this.reserveIpv6(1);
    this.ipv6.set(bytes, 16 * this.ipv6Count++);
  }

  /** Adds `count` consecutive IPv6 addresses starting at `first` (count fits the low 32 bits). */
  addIpv6Range(first: Uint8Array, count: number): void {
    this.reserveIpv6(count);
    const view = new DataView(first.buffer, first.byteOffset, 16);
    const low = view.getUint32(12);
    for (let i = 0; i < count; i++) {
      const at = 16 * this.ipv6Count++;
      this.ipv6.set(first, at);
      new DataView(this.ipv6.buffer, at, 16).setUint32(12, (low + i) >>> 0);
    }
  }

  /** Adds packed IPv4 addresses (another list's, say). */
  addIpv4List(addresses: Uint32Array): void {
    this.reserveIpv4(addresses.length);
    this.ipv4.set(addresses, this.ipv4Count);
    this.ipv4Count += addresses.length;
  }

  /** Adds packed IPv6 addresses, 16 bytes each. */
  addIpv6List(bytes: Uint8Array): void {
    const count = bytes.length / 16;
    this.reserveIpv6(count);
    this.ipv6.set(bytes, 16 * this.ipv6Count);
    this.ipv6Count += count;
  }

  /** The IPv4 targets, without copying. */
  ipv4Addresses(): Uint32Array {
    return this.ipv4.subarray(0, this.ipv4Count);
  }

  /** The IPv6 targets, 16 bytes each, without copying. */
  ipv6Addresses(): Uint8Array {
    return this.ipv6.subarray(0, 16 * this.ipv6Count);
  }

  /** Text form of the target with this engine index. */
  addressAt(index: number): string {
    if (index < this.ipv4Count) return formatIpv4(this.ipv4[index]!);
    const at = 16 * (index - this.ipv4Count);
    return formatIpv6(this.ipv6.subarray(at, at + 16));
  }

  private reserveIpv4(extra: number): void {
    if (this.ipv4Count + extra <= this.ipv4.length) return;
    const grown = new Uint32Array(Math.max(this.ipv4.length * 2, this.ipv4Count + extra));
    grown.set(this.ipv4.subarray(0, this.ipv4Count));
    this.ipv4 = grown;
  }

  private reserveIpv6(extra: number): void {
    if (16 * (this.ipv6Count + extra) <= this.ipv6.length) return;
    const grown = new Uint8Array(Math.max(this.ipv6.length * 2, 16 * (this.ipv6Count + extra)));
    grown.set(this.ipv6.subarray(0, 16 * this.ipv6Count));
    this.ipv6 = grown;
  }
}

/** 32-bit number → dotted quad. */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/**
 * 16 bytes → RFC 5952 text (lower case, no leading zeros, the longest run of two or more zero
 * groups as "::", the first on a tie): what ipaddr.js prints, without its per-call objects (a
 * million IPv6 targets are keyed and printed by this).
 */
export function formatIpv6(bytes: Uint8Array): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups
    .slice(0, bestStart)
    .map((g) => g.toString(16))
    .join(':');
  const tail = groups
    .slice(bestStart + bestLength)
    .map((g) => g.toString(16))
    .join(':');
  return `${head}::${tail}`;
}
