// A ping target as pingmesh users write it: a URL or a bare host (= http://host/), optionally
// suffixed "#Location", optionally requested at an overriding IP that keeps Host header and SNI.
import { isIP } from 'node:net';

/** Longest endpoint URL accepted, from the command line or the API. */
export const maxEndpointUrlLength = 2048;

/** A target that cannot be pinged as written; the message says what to write instead. */
export class InvalidEndpointError extends Error {
  override name = 'InvalidEndpointError';
}

/** A parsed, validated ping target. */
export interface Endpoint {
  /** The URL requested (scheme, host, port if given, path, query; no #Location). */
  url: string;
  /** scheme://host[:port], what a connection is opened to. */
  origin: string;
  /** Path and query, what is requested on the connection. */
  path: string;
  /** Host name or address of the URL, brackets removed: the Host header and TLS SNI. */
  host: string;
  /** TCP port, the scheme's default when the URL has none. */
  port: number;
  secure: boolean;
  /** Address connected to instead of resolving `host`, or "" to resolve. */
  ipOverride: string;
  /** Location given with "#Location" or by the API, or "" to learn it from the peer's reply. */
  location: string;
}

/** Parses one endpoint; `ipOverride` and `location` apply unless the text carries its own #Location. */
export function parseEndpoint(raw: string, options: { ipOverride?: string; location?: string } = {}): Endpoint {
  const text = raw.trim();
  if (text === '') throw new InvalidEndpointError('empty endpoint: give a URL like http://host:8080/v1/ping');
  if (text.length > maxEndpointUrlLength) {
    throw new InvalidEndpointError(`endpoint is ${text.length} characters long; the limit is ${maxEndpointUrlLength}`);
  }
  const hash = text.indexOf('#');
  const target = hash >= 0 ? text.slice(0, hash) : text;
  const location = (hash >= 0 ? text.slice(hash + 1) : (options.location ?? '')).trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidEndpointError(`could not parse url "${target}": write it like http://host:8080/v1/ping`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidEndpointError(`unsupported scheme "${url.protocol}" in "${target}": only http and https targets`);
  }
  if (url.hostname === '') throw new InvalidEndpointError(`no host in "${target}": write it like http://host/`);
  if (url.username || url.password) {
    throw new InvalidEndpointError(`credentials in "${target}" are not supported: remove the user:password@ part`);
  }
  const ipOverride = (options.ipOverride ?? '').trim();
  if (ipOverride && isIP(ipOverride) === 0) {
    throw new InvalidEndpointError(`IP override "${ipOverride}" is not an IPv4 or IPv6 address`);
  }
  const secure = url.protocol === 'https:';
  return {
    url: `${url.protocol}//${url.host}${url.pathname}${url.search}`,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    secure,
    ipOverride,
    location,
  };
}
