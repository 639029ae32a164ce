import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import { formatIpv4, formatIpv6, TargetList } from './target-list.js';
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

  it('prints IPv6 addresses in RFC 5952 form, as ipaddr.js does', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 20_000; n++) {
      // Mostly zero groups, so every shape of zero run turns up.
      const bytes = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        if (random() % 3 === 0) continue;
        bytes[2 * g] = random() % 4 === 0 ? random() & 255 : 0;
        bytes[2 * g + 1] = random() & 255;
      }
      expect(formatIpv6(bytes)).toBe(ipaddr.fromByteArray(Array.from(bytes)).toString());
    }
  });
});
