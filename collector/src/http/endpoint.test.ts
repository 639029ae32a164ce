import { describe, expect, it } from 'vitest';
import { InvalidEndpointError, parseEndpoint } from './endpoint.js';

describe('parseEndpoint', () => {
  it('reads a bare host as http://host/', () => {
    expect(parseEndpoint('example.net')).toEqual({
      url: 'http://example.net/',
      origin: 'http://example.net',
      path: '/',
      host: 'example.net',
      port: 80,
      secure: false,
      ipOverride: '',
      location: '',
    });
  });

  it('takes the location from a #Location suffix and keeps it out of the URL', () => {
    const endpoint = parseEndpoint('https://peer.example:8443/v1/ping#Frankfurt,DE');
    expect(endpoint).toMatchObject({ url: 'https://peer.example:8443/v1/ping', port: 8443, secure: true });
    expect(endpoint.location).toBe('Frankfurt,DE');
  });

  it('defaults https to port 443 and keeps the query', () => {
    expect(parseEndpoint('https://a.example/x?y=1')).toMatchObject({ port: 443, url: 'https://a.example/x?y=1' });
  });

  it('keeps an IP override apart from the host that goes into Host and SNI', () => {
    expect(parseEndpoint('https://mesh.test/', { ipOverride: '127.0.0.5' })).toMatchObject({
      host: 'mesh.test',
      ipOverride: '127.0.0.5',
    });
  });

  it('strips the brackets of an IPv6 literal for the connection', () => {
    expect(parseEndpoint('http://[::1]:8080/v1/ping')).toMatchObject({ host: '::1', url: 'http://[::1]:8080/v1/ping' });
  });

  it.each([
    ['ftp://files.example/', /only http and https/],
    ['http://user:secret@a.example/', /credentials/],
    ['http://a b/', /could not parse url/],
    ['', /empty endpoint/],
    [`http://a.example/${'x'.repeat(3000)}`, /limit is 2048/],
  ])('refuses %j with a message saying what to write', (raw, message) => {
    expect(() => parseEndpoint(raw)).toThrow(InvalidEndpointError);
    expect(() => parseEndpoint(raw)).toThrow(message);
  });

  it('refuses an override that is not an address', () => {
    expect(() => parseEndpoint('http://a/', { ipOverride: 'b.example' })).toThrow(/not an IPv4 or IPv6 address/);
  });
});
