// One HTTP ping on a fresh connection, timed stage by stage with perftest's meaning: DNS lookup,
// TCP handshake, TLS handshake, request written → first response byte, rest of the body, total.
// Node's own HTTP client (node:http, C llhttp) frames the request and parses the reply on a socket
// our connector hands it: the connector does (and times) lookup, connect and TLS, which is also
// where the IP override goes in without touching the Host header or the TLS SNI. (undici did the
// HTTP until it was measured to cost an idle collector ~7 MiB of its ~70: README, "Memory".)
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type * as TlsModule from 'node:tls';
import type { SecureContext } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HttpTimings } from '../results/http-result.js';
import type { Endpoint } from './endpoint.js';

/** Timing breakdown and outcome of one request; times in milliseconds, 0 for stages not reached. */
export interface TimedResponse extends HttpTimings {
  /** Start of the request, microseconds since the Unix epoch. */
  startUs: number;
  /** HTTP status, 0 when no response arrived. */
  status: number;
  sizeBytes: number;
  /** Address connected to, "" if none was reached. */
  remoteIp: string;
  /** Short error class ("ECONNREFUSED", "timeout"), "" when a response arrived. */
  error: string;
  /** The first bytes of the body as text (where a pingmesh peer names its location). */
  bodyHead: string;
}

/** Options of one timed request. */
export interface TimedRequestOptions {
  timeoutMs: number;
  /** How much of the body to keep in `bodyHead`. */
  keepBodyBytes?: number;
  userAgent?: string;
  /** Extra trusted CA certificates (PEM), beside Node's bundled roots and NODE_EXTRA_CA_CERTS. */
  ca?: string;
  /** Abandons the request (shutdown): it ends at once with the error "aborted". */
  signal?: AbortSignal;
  /**
   * A fence on the address this ping's lookup gave (auto-mesh's --mesh-allow, kept for the life
   * of the peer because DNS answers change): an address it refuses is never connected to, and the
   * ping fails with the error "not_allowed".
   */
  allowAddress?: (ip: string) => boolean;
}

class NotAllowedError extends Error {
  code = 'not_allowed';
}

type Tls = typeof TlsModule;

// node:tls (and node:crypto, which it loads) only once an HTTPS peer is pinged: together ~2 MiB
// that a collector of plain-HTTP peers does not need (README, "Memory").
let tlsModule: Promise<Tls> | undefined;
const loadTls = (): Promise<Tls> => (tlsModule ??= import('node:tls'));

// Building a context parses every root certificate (tens of milliseconds): once per CA, not per ping.
const secureContexts = new Map<string, SecureContext>();
function secureContextWithCa(tls: Tls, ca: string): SecureContext {
  let context = secureContexts.get(ca);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ca] });
    secureContexts.set(ca, context);
  }
  return context;
}

class PingTimeoutError extends Error {
  code = 'timeout';
}

function errorClass(error: unknown): string {
  if (error instanceof PingTimeoutError) return 'timeout';
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof causeCode === 'string' && causeCode !== '') return causeCode;
  return 'error';
}

/** The Host header of `endpoint`: host[:port] as its origin writes it (brackets, no default port). */
function hostHeader(endpoint: Endpoint): string {
  return endpoint.origin.slice(endpoint.origin.indexOf('//') + 2);
}

/** Requests `endpoint` once on a new connection and reports the timing breakdown; never throws. */
export async function timedRequest(endpoint: Endpoint, options: TimedRequestOptions): Promise<TimedResponse> {
  const keepBodyBytes = options.keepBodyBytes ?? 4096;
  // Loaded before the clock starts, so the first HTTPS ping does not time the module load.
  const tls = endpoint.secure ? await loadTls() : undefined;
  // perftest starts the clock where the lookup starts (Go's httptrace DNSStart), as curl does;
  // client set-up before that is not part of the request. Reset when the connector runs.
  let t0 = performance.now();
  let tDns = NaN;
  let tConnect = NaN;
  let tTls = NaN;
  let tSent = NaN;
  let tHeaders = NaN;
  let tEnd = NaN;
  let lookedUp = false;
  let remoteIp = '';
  let socket: Socket | undefined;

  // First and latest moment response bytes reached the socket, stamped by a 'data' listener put
  // before node:http's own (prependListener), so before the parser sees them: the network's
  // timing, not the parser's.
  let tFirstByte = NaN;
  let tLatestByte = NaN;
  const stampArrival = () => {
    tLatestByte = performance.now();
    if (Number.isNaN(tFirstByte)) tFirstByte = tLatestByte;
  };

  // node:http calls this (having no agent) for the request's socket, and waits for the callback.
  const connector = (_opts: unknown, callback: (error: Error | null, ready?: Socket) => void): undefined => {
    t0 = performance.now();
    let settled = false;
    const settle = (error: Error | null, ready?: Socket) => {
      if (settled) return;
      settled = true;
      callback(error, ready);
    };
    const address = endpoint.ipOverride || (isIP(endpoint.host) ? endpoint.host : '');
    const resolved = address
      ? Promise.resolve(address)
      : lookup(endpoint.host).then((result) => {
          lookedUp = true;
          return result.address;
        });
    resolved.then(
      (ip) => {
        tDns = performance.now();
        if (options.allowAddress && !options.allowAddress(ip)) {
          settle(new NotAllowedError(`${endpoint.host} resolved to ${ip}, outside the allowed networks`));
          return;
        }
        remoteIp = ip;
        const tcp = netConnect({ host: ip, port: endpoint.port, noDelay: true });
        socket = tcp;
        const onTcpError = (error: Error) => settle(error);
        tcp.once('error', onTcpError);
        tcp.once('connect', () => {
          tConnect = performance.now();
          if (!tls) {
            tcp.removeListener('error', onTcpError);
            settle(null, tcp);
            return;
          }
          const secure = tls.connect({
            socket: tcp,
            // SNI carries the URL's host name, never the override address; IP literals get no SNI.
            servername: isIP(endpoint.host) ? undefined : endpoint.host,
            host: endpoint.host,
            ALPNProtocols: ['http/1.1'],
            ...(options.ca ? { secureContext: secureContextWithCa(tls, options.ca) } : {}),
          });
          socket = secure;
          const onTlsError = (error: Error) => settle(error);
          secure.once('error', onTlsError);
          secure.once('secureConnect', () => {
            tTls = performance.now();
            // Only our own listeners go: node:http (and Node's TLS layer) keep theirs.
            secure.removeListener('error', onTlsError);
            tcp.removeListener('error', onTcpError);
            settle(null, secure);
          });
        });
      },
      (error: Error) => settle(error),
    );
    return undefined;
  };

  // No agent: one request on a connection of its own, sent with "Connection: close" (pingmesh
  // opens a connection per ping too, so every ping times a TCP handshake).
  const request = httpRequest({
    createConnection: connector as never,
    defaultPort: endpoint.port,
    method: 'GET',
    path: endpoint.path,
    headers: { host: hostHeader(endpoint), 'user-agent': options.userAgent ?? 'pingsphere' },
  });
  // Emitted with the socket just before node:http writes the request on it (in the same tick).
  request.once('socket', (ready) => {
    ready.prependListener('data', stampArrival);
    tSent = performance.now();
  });
  let failure: Error | undefined;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.on('error', (error) => {
      failure ??= error;
      reject(error);
    });
  });
  let timedOut = false;
  let aborted = false;
  const giveUp = (error: Error) => {
    request.destroy(error);
    socket?.destroy();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    giveUp(new PingTimeoutError(`no response within ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    giveUp(new Error('aborted'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let status = 0;
  let sizeBytes = 0;
  let error = '';
  const head: Buffer[] = [];
  let kept = 0;
  try {
    request.end();
    const reply = await response;
    tHeaders = Number.isNaN(tFirstByte) ? performance.now() : tFirstByte;
    status = reply.statusCode ?? 0;
    for await (const chunk of reply as AsyncIterable<Buffer>) {
      sizeBytes += chunk.length;
      if (kept < keepBodyBytes) {
        head.push(chunk.subarray(0, keepBodyBytes - kept));
        kept += Math.min(chunk.length, keepBodyBytes - kept);
      }
    }
    tEnd = Number.isNaN(tLatestByte) ? performance.now() : tLatestByte;
  } catch (caught) {
    error = timedOut ? 'timeout' : aborted ? 'aborted' : errorClass(failure ?? caught);
    tEnd = performance.now();
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    request.destroy();
    socket?.destroy();
  }

  const span = (from: number, to: number) => (Number.isFinite(from) && Number.isFinite(to) ? to - from : 0);
  const ready = Number.isFinite(tTls) ? tTls : tConnect;
  return {
    startUs: Math.round((performance.timeOrigin + t0) * 1000),
    dnsMs: lookedUp ? span(t0, tDns) : 0,
    connectMs: span(tDns, tConnect),
    tlsMs: span(tConnect, tTls),
    ttfbMs: span(Number.isFinite(tSent) ? tSent : ready, tHeaders),
    closeMs: span(tHeaders, tEnd),
    totalMs: tEnd - t0,
    status,
    sizeBytes,
    remoteIp: Number.isFinite(tConnect) ? remoteIp : '',
    error,
    bodyHead: Buffer.concat(head).toString('utf8'),
  };
}
