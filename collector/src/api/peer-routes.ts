// GET /v1/peers (pingmesh's JSON, plus loss and percentiles) and /v1/addpeer: the HTML form,
// pingmesh's GET ?host=&port=&ip= form, and POST with JSON or form fields {url, ip, location}.
// A /v1/peers?addpeers=true URL imports that collector's peers instead of adding one peer.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidEndpointError, maxEndpointUrlLength, parseEndpoint } from '../http/endpoint.js';
import { escapeHtml } from '../http/peer-location.js';
import { importPeers, isPeerListImport, PeerListError } from '../mesh/discovery.js';
import type { ApiContext } from './api-context.js';
import { isAuthorized, refuseUnauthorized } from './auth.js';
import { peersDocument } from './peers-json.js';

/** --max-peers default: one hand-approved import of a hostile list must not add thousands. */
export const defaultMaxPeers = 1000;

/** What a client asked to add. */
interface AddPeerInput {
  url: string;
  ip?: string;
  location?: string;
}

// Only http(s):// or no scheme at all (a bare host, as pingmesh accepts); no whitespace.
const urlPattern = '^(?:https?://|(?![A-Za-z][A-Za-z0-9+.-]*://))\\S+$';
const addPeerFields = {
  url: { type: 'string', minLength: 1, maxLength: maxEndpointUrlLength, pattern: urlPattern },
  ip: { type: 'string', maxLength: 45, pattern: '^[0-9A-Fa-f:.]*$' },
  location: { type: 'string', maxLength: 128, pattern: '^[^<>\\n\\r]*$' },
  token: { type: 'string', maxLength: 512 },
} as const;

const addPeerBodySchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: addPeerFields,
} as const;

const addPeerQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: addPeerFields.url,
    ip: addPeerFields.ip,
    location: addPeerFields.location,
    // pingmesh's form: host (for Host header and SNI), port, ip.
    host: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    // Let through only so that the token check can refuse them with a message saying why (a token
    // is never read from a URL); they authorize nothing.
    token: { type: 'string' },
    access_token: { type: 'string' },
  },
} as const;

function wantsHtml(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) return false;
  if (request.method === 'POST') return true; // a form post
  return !(request.headers.accept ?? '').includes('application/json');
}

function htmlPage(title: string, body: string): string {
  return `<html><head><title>${escapeHtml(title)}</title></head><body>\n<h1>${escapeHtml(title)}</h1>\n${body}\n<p><a href="/v1/peers">Peer list (JSON)</a></p>\n</body></html>\n`;
}

function addPeerForm(tokenRequired: boolean): string {
  return htmlPage(
    'Add a pingsphere peer',
    `<p>Enter the URL to ping (a peer's /v1/ping, or its /v1/peers?addpeers=true to import its peers),
an optional IP address to connect to instead of resolving the host (Host header and TLS SNI stay the
URL's), and an optional location.</p>
<form action="/v1/addpeer" method="post">
<br>URL: <input type="text" name="url" size="60" value="" required>
<br>IP (optional): <input type="text" name="ip" value="">
<br>Location (optional): <input type="text" name="location" value="">
${tokenRequired ? '<br>Token: <input type="password" name="token" value="">' : ''}
<p><input type="submit" value="Submit">
</form>`,
  );
}

async function addPeer(
  context: ApiContext,
  input: AddPeerInput,
): Promise<{ code: number; json: Record<string, unknown>; text: string }> {
  const maxPeers = context.maxPeers ?? defaultMaxPeers;
  const full = () =>
    context.mesh.registry.activeCount >= maxPeers ? `the collector already has ${maxPeers} peers (--max-peers)` : null;
  if (isPeerListImport(input.url)) {
    try {
      const report = await importPeers(context.mesh, input.url, {
        origin: 'import',
        depth: 1,
        timeoutMs: 5000,
        admit: full,
      });
      const capped = report.refused.filter((entry) => entry.reason.includes('--max-peers')).length;
      if (capped > 0)
        context.log(`import from ${input.url}: ${capped} peers not added: --max-peers ${maxPeers} reached`);
      for (const url of report.added) context.log(`added peer ${url} (imported from ${input.url})`);
      return {
        code: 200,
        json: { status: 'imported', ...report },
        text: `Imported from ${input.url}: ${report.added.length} added, ${report.duplicates.length} already present, ${report.refused.length} refused.`,
      };
    } catch (error) {
      if (!(error instanceof PeerListError)) throw error;
      return { code: 502, json: { error: error.message }, text: error.message };
    }
  }
  let endpoint;
  try {
    endpoint = parseEndpoint(input.url, { ipOverride: input.ip ?? '', location: input.location ?? '' });
  } catch (error) {
    if (!(error instanceof InvalidEndpointError)) throw error;
    return { code: 400, json: { error: error.message }, text: error.message };
  }
  const refusal = full();
  if (refusal && !context.mesh.registry.findDuplicate(endpoint, [])) {
    return { code: 503, json: { error: `not added: ${refusal}` }, text: `Not added: ${refusal}.` };
  }
  const outcome = await context.mesh.addPeer(endpoint, { origin: 'api', depth: 0 });
  if (outcome.status === 'added') {
    context.log(`added peer ${endpoint.url}${endpoint.ipOverride ? ` at ${endpoint.ipOverride}` : ''}`);
    return {
      code: 201,
      json: { status: 'added', url: endpoint.url, ip: endpoint.ipOverride, location: endpoint.location },
      text: `Added ${endpoint.url}.`,
    };
  }
  if (outcome.status === 'duplicate') {
    const by = outcome.reason === 'url' ? 'URL' : 'address';
    return {
      code: 200,
      json: {
        status: 'duplicate',
        url: endpoint.url,
        existing: outcome.existing.endpoint.url,
        matchedBy: outcome.reason,
      },
      text: `Peer was already in the peer list (same ${by}): ${outcome.existing.endpoint.url}.`,
    };
  }
  return { code: 503, json: { error: `not added: ${outcome.reason}` }, text: `Not added: ${outcome.reason}.` };
}

async function answer(
  context: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: AddPeerInput,
): Promise<FastifyReply> {
  if (!isAuthorized(request, context.token)) return refuseUnauthorized(reply);
  const result = await addPeer(context, input);
  reply.code(result.code);
  if (wantsHtml(request)) {
    return reply
      .type('text/html; charset=utf-8')
      .send(htmlPage('Add a pingsphere peer', `<p>${escapeHtml(result.text)}</p>`));
  }
  return reply.send(result.json);
}

/** The /v1/peers and /v1/addpeer routes. */
export const peerRoutes: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  app.get(
    '/v1/peers',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { addpeers: { type: 'boolean' } },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(`${JSON.stringify(peersDocument(context.server, context.mesh), null, 2)}\n`),
  );

  app.get<{ Querystring: { url?: string; ip?: string; location?: string; host?: string; port?: number } }>(
    '/v1/addpeer',
    { schema: { querystring: addPeerQuerySchema } },
    async (request, reply) => {
      const { url, ip, location, host, port } = request.query;
      if (url === undefined && host === undefined) {
        return reply.type('text/html; charset=utf-8').send(addPeerForm(context.token !== null));
      }
      // pingmesh's defaults: port 443, and https on 443 or 8443.
      const targetPort = port ?? 443;
      const scheme = targetPort === 443 || targetPort === 8443 ? 'https' : 'http';
      const target = url ?? `${scheme}://${host}:${targetPort}/v1/ping`;
      return answer(context, request, reply, { url: target, ip, location });
    },
  );

  app.post<{ Body: AddPeerInput }>('/v1/addpeer', { schema: { body: addPeerBodySchema } }, async (request, reply) =>
    answer(context, request, reply, request.body),
  );
};
