import { describe, expect, it } from 'vitest';
import { AdditionRateLimit, allowListOf } from './auto-mesh.js';

describe('AdditionRateLimit', () => {
  it('allows a burst up to its capacity, then one addition per 60/rate seconds', () => {
    let nowMs = 0;
    const limit = new AdditionRateLimit(6, 2, () => nowMs);
    expect(limit.available()).toBe(true);
    limit.spend();
    limit.spend();
    expect(limit.available()).toBe(false);
    nowMs += 9_000;
    expect(limit.available()).toBe(false);
    nowMs += 1_000;
    expect(limit.available()).toBe(true);
  });
});

describe('the auto-mesh allow-list', () => {
  it('matches addresses inside the listed networks only', () => {
    const list = allowListOf(['127.0.0.0/30', 'fd00::/8']);
    expect(list.check('127.0.0.3', 'ipv4')).toBe(true);
    expect(list.check('127.0.0.4', 'ipv4')).toBe(false);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(false);
  });
});
