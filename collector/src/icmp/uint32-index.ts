// A hash map from 32-bit keys (IPv4 addresses) to entry numbers, in two typed arrays: a million
// addresses cost 16 MB and no JavaScript object per key, where a Map would hold a boxed number and
// a hash-table entry for each. Open addressing with linear probing, kept at most half full.

const empty = -1;

/** Maps uint32 keys to non-negative integers. */
export class Uint32Index {
  private keys: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    const capacity = capacityFor(expected);
    this.keys = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(empty);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of its two arrays. */
  get byteLength(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    for (let slot = hash(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const value = this.values[slot]!;
      if (value === empty) return empty;
      if (this.keys[slot] === key >>> 0) return value;
    }
  }

  /** Stores `value` (>= 0) for `key`; returns the value it replaced, or -1. */
  set(key: number, value: number): number {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    key >>>= 0;
    for (let slot = hash(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const old = this.values[slot]!;
      if (old === empty) {
        this.keys[slot] = key;
        this.values[slot] = value;
        this.count++;
        return empty;
      }
      if (this.keys[slot] === key) {
        this.values[slot] = value;
        return old;
      }
    }
  }

  /** Removes `key`; returns its value, or -1 when it was not there. */
  delete(key: number): number {
    key >>>= 0;
    let slot = hash(key) & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      if (this.values[slot] === empty) return empty;
      if (this.keys[slot] === key) break;
    }
    const removed = this.values[slot]!;
    // Backward-shift deletion: move later members of the probe run into the hole, so lookups
    // never stop early at it (no tombstones to clean up later).
    let hole = slot;
    for (let next = (hole + 1) & this.mask; this.values[next] !== empty; next = (next + 1) & this.mask) {
      const home = hash(this.keys[next]!) & this.mask;
      // The member at `next` may move to `hole` unless its home lies cyclically in (hole, next].
      const inRun = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (inRun) continue;
      this.keys[hole] = this.keys[next]!;
      this.values[hole] = this.values[next]!;
      hole = next;
    }
    this.values[hole] = empty;
    this.count--;
    return removed;
  }

  /** Calls `visit` for every key and value, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
    for (let slot = 0; slot < this.values.length; slot++) {
      const value = this.values[slot]!;
      if (value !== empty) visit(this.keys[slot]!, value);
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldKeys.length * 2;
    this.keys = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(empty);
    this.mask = capacity - 1;
    for (let slot = 0; slot < oldKeys.length; slot++) {
      const value = oldValues[slot]!;
      if (value === empty) continue;
      const key = oldKeys[slot]!;
      let at = hash(key) & this.mask;
      while (this.values[at] !== empty) at = (at + 1) & this.mask;
      this.keys[at] = key;
      this.values[at] = value;
    }
  }
}

function capacityFor(expected: number): number {
  let capacity = 16;
  while (capacity < 2 * expected) capacity *= 2;
  return capacity;
}

/** Fibonacci hashing spreads consecutive addresses (a /16) over the whole table. */
function hash(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 7;
}
