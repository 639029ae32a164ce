// GET /, /v1, /v1/: the index page; GET /v1/ping: what peers ping, naming this collector's location
// with the same HTML markers pingmesh writes, so pingmesh and PingSphere peers learn each other's.
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml, pingReplyHtml } from '../http/peer-location.js';
import type { ApiContext } from './api-context.js';

const links: Array<[string, string]> = [
  ['/v1/peers', 'get the list of peers and their statistics (JSON)'],
  ['/v1/ping', 'get a ping response'],
  ['/v1/addpeer', 'add a ping peer (form, or POST JSON {"url", "ip", "location"})'],
  ['/v1/memstats', 'get memory statistics (JSON)'],
  ['/v1/targets', 'the ICMP targets (JSON or NDJSON; POST adds, DELETE removes; token-guarded)'],
  ['/v1/quit', 'shut down this collector'],
  ['/metrics', 'OpenMetrics: RTT histograms, loss counters, process stats'],
];

/** The index and ping routes. */
export const indexRoutes: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  const location = escapeHtml(context.server.srvLoc);
  const index =
    `<html><head><title>${location}</title></head><body>\n<h1> pingsphere </h1><p>Accessible URLs are:\n<ul>\n` +
    links.map(([href, text]) => `<li><a href="${href}">${escapeHtml(text)}</a></li>\n`).join('') +
    `</ul>\n<p>Served from ${location}\n\n</body></html>\n`;
  for (const url of ['/', '/v1', '/v1/']) {
    app.get(url, async (_request, reply) => reply.type('text/html; charset=utf-8').send(index));
  }
  const ping = pingReplyHtml(context.server.srvLoc);
  app.get('/v1/ping', async (_request, reply) => reply.type('text/html; charset=utf-8').send(ping));
};
