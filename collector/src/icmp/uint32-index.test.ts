import { describe, expect, it } from 'vitest';
import { Uint32Index } from './uint32-index.js';

describe('Uint32Index', () => {
  it('agrees with a Map over a random mix of sets and deletes, through growth and probe-run shifts', () => {
    const index = new Uint32Index(4);
    const truth = new Map<number, number>();
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 200_000; step++) {
      // Few distinct keys, many of them neighbours, so runs collide and deletions shift members.
      const key = (0xc6120000 + (random() % 5000)) >>> 0;
      if (random() % 3 === 0) {
        expect(index.delete(key)).toBe(truth.get(key) ?? -1);
        truth.delete(key);
      } else {
        expect(index.set(key, step)).toBe(truth.get(key) ?? -1);
        truth.set(key, step);
      }
    }
    expect(index.size).toBe(truth.size);
    for (let key = 0xc6120000; key < 0xc6120000 + 5000; key++) expect(index.get(key)).toBe(truth.get(key) ?? -1);
    const seen = new Map<number, number>();
    index.forEach((key, value) => seen.set(key, value));
    expect(seen).toEqual(truth);
  });
});
