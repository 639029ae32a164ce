// Peer discovery by reading another collector's /v1/peers (pingmesh's "addpeers" import): fetch the
// list (bounded in time and size, checked against a JSON schema), then add every peer on it that is
// new here — duplicates are found by URL and by address — plus the collector that served the list.
import { get as httpGet, type IncomingMessage } from 'node:http';
import { InvalidEndpointError, parseEndpoint } from '../http/endpoint.js';
import type { AddPeerDetails, AddPeerOutcome, HttpMesh } from './http-mesh.js';
import type { ErrorObject } from 'ajv';
import * as generated from './generated/peer-list-validator.js';
import type { PeerOrigin } from './peer-registry.js';
import { peerListSchema } from './peer-list-schema.js';

/** A peer as another collector's /v1/peers lists it (the fields discovery uses). */
export interface ListedPeer {
  url: string;
  peerIp: string;
  location: string;
}

/** The parts of a remote /v1/peers reply that discovery uses. */
export interface PeerList {
  srvLoc: string;
  peers: ListedPeer[];
}

/** The remote list could not be read; the message names the URL and the reason. */
export class PeerListError extends Error {
  override name = 'PeerListError';
}

/** Largest /v1/peers reply read (a few thousand peers). */
const maxPeerListBytes = 4 * 1024 * 1024;

/** A listed peer as the schema lets it through (validated, not yet mapped). */
interface ValidPeerList {
  SrvLoc?: string;
  Peers: Array<{ Url: string; PeerIP?: string; Location?: string }> | null;
}

// Validated by code generated ahead of time from peerListSchema (peer-list-schema.ts), so that
// discovery loads no Ajv; checked here to be generated from the schema as it is now.
const generatedValidatePeerList = generated.validatePeerList as ((data: unknown) => boolean) & {
  errors?: ErrorObject[] | null;
};
const generatedIsStale = generated.peerListSchemaKey !== JSON.stringify(peerListSchema);
const validatePeerList = (body: unknown): body is ValidPeerList => {
  if (generatedIsStale) {
    throw new Error(
      'the peer list validator is stale (peerListSchema changed): run `npm run build:validators --workspace collector`',
    );
  }
  return generatedValidatePeerList(body) as boolean;
};

/** Whether a URL asks for an import: a /v1/peers URL with addpeers=true (pingmesh's convention). */
export function isPeerListImport(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.pathname.endsWith('/v1/peers') && parsed.searchParams.get('addpeers') === 'true';
  } catch {
    return false;
  }
}

/**
 * GETs `url` with node:http(s) on a connection of its own (no keep-alive: one read now and then)
 * and resolves with the response, its body not yet read.
 */
async function getOnce(url: string, signal: AbortSignal): Promise<IncomingMessage> {
  // node:https (with node:tls and node:crypto, ~2 MiB) only for an https:// list.
  const get = url.startsWith('https:') ? (await import('node:https')).get : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'application/json' }, agent: false, signal }, resolve).once('error', reject);
  });
}

/** Fetches and validates another collector's peer list. */
export async function fetchPeerList(url: string, timeoutMs: number): Promise<PeerList> {
  let text = '';
  // One deadline for the whole read, headers and body.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await getOnce(url, signal);
    if (response.statusCode !== 200) {
      response.destroy();
      throw new PeerListError(`${url} answered HTTP ${response.statusCode}`);
    }
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxPeerListBytes) {
        response.destroy();
        throw new PeerListError(`${url} sent more than ${maxPeerListBytes} bytes`);
      }
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof PeerListError) throw error;
    const reason = signal.aborted ? `no complete answer within ${timeoutMs} ms` : (error as Error).message;
    throw new PeerListError(`could not read ${url}: ${reason}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PeerListError(`${url} did not answer with JSON (is it a pingmesh or pingsphere /v1/peers URL?)`);
  }
  if (!validatePeerList(body)) {
    const first = generatedValidatePeerList.errors?.[0];
    throw new PeerListError(`${url} is not a peer list: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim());
  }
  return {
    srvLoc: body.SrvLoc ?? '',
    peers: (body.Peers ?? []).map((peer) => ({
      url: peer.Url,
      peerIp: peer.PeerIP ?? '',
      location: peer.Location ?? '',
    })),
  };
}

/** What one import did, entry by entry. */
export interface ImportReport {
  source: string;
  added: string[];
  duplicates: string[];
  refused: Array<{ url: string; reason: string }>;
}

/** Options of one import: how added peers are marked and an optional per-peer gate. */
export interface ImportOptions {
  origin: PeerOrigin;
  depth: number;
  timeoutMs: number;
  /** Asked before each addition of a peer not yet pinged; returns a refusal reason (limits, rate). */
  admit?: AddPeerDetails['admit'];
  /** Called after each peer actually added (so a rate limit spends only on additions). */
  onAdded?: () => void;
  vet?: AddPeerDetails['vet'];
  allowAddress?: AddPeerDetails['allowAddress'];
}

/**
 * Imports the peers listed at `listUrl` (and the collector serving it, at its /v1/ping). Entries
 * are added one by one so duplicates within the list are caught too.
 */
export async function importPeers(mesh: HttpMesh, listUrl: string, options: ImportOptions): Promise<ImportReport> {
  const list = await fetchPeerList(listUrl, options.timeoutMs);
  const server = new URL(listUrl);
  const entries: ListedPeer[] = [{ url: `${server.origin}/v1/ping`, peerIp: '', location: list.srvLoc }, ...list.peers];
  const report: ImportReport = { source: listUrl, added: [], duplicates: [], refused: [] };
  for (const entry of entries) {
    let endpoint;
    try {
      endpoint = parseEndpoint(entry.url, { location: entry.location });
    } catch (error) {
      if (!(error instanceof InvalidEndpointError)) throw error;
      report.refused.push({ url: entry.url, reason: error.message });
      continue;
    }
    const outcome: AddPeerOutcome = await mesh.addPeer(endpoint, {
      origin: options.origin,
      depth: options.depth,
      admit: options.admit,
      vet: options.vet,
      allowAddress: options.allowAddress,
      knownAddresses: entry.peerIp ? [entry.peerIp] : [],
    });
    if (outcome.status === 'added') {
      report.added.push(endpoint.url);
      options.onAdded?.();
    } else if (outcome.status === 'duplicate') report.duplicates.push(endpoint.url);
    else report.refused.push({ url: endpoint.url, reason: outcome.reason });
  }
  return report;
}
