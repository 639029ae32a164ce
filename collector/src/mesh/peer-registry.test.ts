import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../http/endpoint.js';
import { isDuplicate, PeerRegistry } from './peer-registry.js';

const cli = { origin: 'cli' as const, depth: 0 };

describe('PeerRegistry', () => {
  it('refuses a second peer with the same URL', () => {
    const registry = new PeerRegistry();
    registry.add(parseEndpoint('http://127.0.0.2:8080/v1/ping'), { ...cli, addresses: ['127.0.0.2'] });
    const again = registry.add(parseEndpoint('http://127.0.0.2:8080/v1/ping#Elsewhere'), {
      ...cli,
      addresses: ['127.0.0.2'],
    });
    expect(isDuplicate(again) && again.reason).toBe('url');
  });

  it('refuses a peer that reaches the same address, port and path under another name', () => {
    const registry = new PeerRegistry();
    registry.add(parseEndpoint('http://127.0.0.1:8080/v1/ping'), { ...cli, addresses: ['127.0.0.1'] });
    const alias = registry.add(parseEndpoint('http://localhost:8080/v1/ping'), { ...cli, addresses: ['127.0.0.1'] });
    expect(isDuplicate(alias) && alias.reason).toBe('address');
  });

  it('keeps peers on the same address but another port or path', () => {
    const registry = new PeerRegistry();
    registry.add(parseEndpoint('http://127.0.0.1:8080/v1/ping'), { ...cli, addresses: ['127.0.0.1'] });
    expect(
      isDuplicate(registry.add(parseEndpoint('http://127.0.0.1:8081/v1/ping'), { ...cli, addresses: ['127.0.0.1'] })),
    ).toBe(false);
    expect(
      isDuplicate(registry.add(parseEndpoint('http://127.0.0.1:8080/other'), { ...cli, addresses: ['127.0.0.1'] })),
    ).toBe(false);
    expect(registry.activeCount).toBe(3);
  });

  it('counts a removed peer as deleted and lets it be added again', () => {
    const registry = new PeerRegistry();
    const endpoint = parseEndpoint('http://127.0.0.2/');
    const peer = registry.add(endpoint, { ...cli, addresses: ['127.0.0.2'] });
    if (isDuplicate(peer)) throw new Error('unexpected duplicate');
    registry.remove(peer);
    expect(registry.activeCount).toBe(0);
    expect(registry.deletedCount).toBe(1);
    expect(isDuplicate(registry.add(endpoint, { ...cli, addresses: ['127.0.0.2'] }))).toBe(false);
  });
});
