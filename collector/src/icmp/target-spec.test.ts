import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/usage-error.js';
import { InvalidTargetError, parseTargetSpec, targetKey } from './target-spec.js';

describe('parseTargetSpec', () => {
  it('reads IPv4 and IPv6 addresses into packed numbers and bytes', () => {
    expect(parseTargetSpec('198.18.1.2')).toEqual({ kind: 'ipv4', address: 0xc6120102 });
    const v6 = parseTargetSpec('2001:db8::1');
    expect(v6.kind).toBe('ipv6');
    expect(Array.from((v6 as { bytes: Uint8Array }).bytes)).toEqual([
      0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it('expands an IPv4 CIDR range without its network and broadcast addresses, as fping -g does', () => {
    expect(parseTargetSpec('198.18.0.0/24')).toEqual({
      kind: 'ipv4-range',
      first: 0xc6120001,
      count: 254,
      network: 0xc6120000,
      prefix: 24,
    });
    expect(parseTargetSpec('198.18.0.77/24')).toMatchObject({ first: 0xc6120001, count: 254, prefix: 24 });
    expect(parseTargetSpec('198.18.0.4/31')).toMatchObject({ kind: 'ipv4-range', first: 0xc6120004, count: 2 });
    expect(parseTargetSpec('198.18.0.4/32')).toMatchObject({ kind: 'ipv4-range', first: 0xc6120004, count: 1 });
    expect(parseTargetSpec('127.0.0.0/8')).toMatchObject({ count: 2 ** 24 - 2 });
  });

  it('expands an IPv6 CIDR range from its first address', () => {
    const range = parseTargetSpec('2001:db8::55/120');
    expect(range).toMatchObject({ kind: 'ipv6-range', count: 256 });
    expect((range as { first: Uint8Array }).first[15]).toBe(0);
  });

  it('gives every target one key: canonical addresses, network/prefix ranges, lower-case hostnames', () => {
    expect(targetKey(parseTargetSpec('2001:DB8:0::1'))).toBe('2001:db8::1');
    expect(targetKey(parseTargetSpec('198.18.0.77/24'))).toBe('198.18.0.0/24');
    expect(targetKey(parseTargetSpec('2001:db8::55/120'))).toBe('2001:db8::/120');
    expect(targetKey(parseTargetSpec('Mesh-A.Example.NET.'))).toBe('mesh-a.example.net');
    expect(targetKey(parseTargetSpec('198.18.1.2'))).toBe('198.18.1.2');
  });

  it('keeps hostnames for resolution', () => {
    expect(parseTargetSpec('localhost')).toEqual({ kind: 'hostname', name: 'localhost' });
    expect(parseTargetSpec('mesh-a.example.net.')).toEqual({ kind: 'hostname', name: 'mesh-a.example.net.' });
  });

  it.each([
    ['300.1.1.1', /not a valid IPv4 address/],
    ['1.2.3', /not a valid IPv4 address/],
    ['1.2.3.04', /not a valid IPv4 address/],
    ['2001:db8:::1', /not a valid IPv6 address/],
    ['fe80::1%eth0', /zone ids are not supported/],
    ['bad_host!', /not a valid target/],
    ['-rf', /not a valid target/],
    ['10.0.0.0/33', /not a valid CIDR range: an IPv4 prefix is at most 32/],
    ['10.0.0.0/', /the prefix length must be a number/],
    ['10.0.0.0/8/8', /the prefix length must be a number/],
    ['10.0.0.0/7', /at most 2\^24 per range/],
    ['2001:db8::/64', /at most 2\^24 per range/],
    ['host/24', /the base must be an IPv4 or IPv6 address/],
  ])('rejects %s with a message that says what is wrong', (text, message) => {
    expect(() => parseTargetSpec(text)).toThrow(message);
    expect(() => parseTargetSpec(text)).toThrow(InvalidTargetError);
    expect(() => parseTargetSpec(text)).toThrow(UsageError);
  });
});
