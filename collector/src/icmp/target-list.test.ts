import { describe, expect, it } from 'vitest';
import { formatIpv4, TargetList } from './target-list.js';
import { parseIpv6 } from './target-spec.js';

describe('TargetList', () => {
  it('indexes IPv4 targets first, then IPv6, and formats each on demand', () => {
    const list = new TargetList();
    list.addIpv6(parseIpv6('::1'));
    list.addIpv4(0x7f000001);
    list.addIpv4Range(0xc6120001, 3);
    expect(list.size).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => list.addressAt(i))).toEqual([
      '127.0.0.1',
      '198.18.0.1',
      '198.18.0.2',
      '198.18.0.3',
      '::1',
    ]);
    expect(list.ipv4Addresses()).toEqual(Uint32Array.from([0x7f000001, 0xc6120001, 0xc6120002, 0xc6120003]));
    expect(list.ipv6Addresses()).toHaveLength(16);
  });

  it('holds a million IPv4 targets in 4 MB-sized packed storage and carries IPv6 ranges across bytes', () => {
    const list = new TargetList();
    list.addIpv4Range(0x7f000001, 1_000_000);
    expect(list.size).toBe(1_000_000);
    expect(list.ipv4Addresses().byteLength).toBe(4_000_000);
    expect(list.addressAt(999_999)).toBe(formatIpv4(0x7f000001 + 999_999));
    list.addIpv6Range(parseIpv6('2001:db8::ff'), 2);
    expect(list.addressAt(1_000_001)).toBe('2001:db8::100');
  });
});
