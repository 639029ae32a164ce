// /v1/memstats, /v1/quit and /v1/delay (a PingSphere addition: change -d at run time), and
// /metrics. Quit and delay change the collector, so they need the token when one is set.
import { getHeapStatistics } from 'node:v8';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { escapeHtml } from '../http/peer-location.js';
import type { ApiContext } from './api-context.js';
import { requireToken } from './auth.js';
import { peersDocument } from './peers-json.js';

/** The admin and metrics routes. */
export const adminRoutes: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  app.get('/v1/memstats', async () => {
    const memory = process.memoryUsage();
    const heap = getHeapStatistics();
    return {
      AppStart: new Date(context.server.startUs / 1000).toISOString(),
      NumPeers: context.mesh.registry.activeCount + context.mesh.registry.deletedCount,
      NumActive: context.mesh.registry.activeCount,
      NumDeleted: context.mesh.registry.deletedCount,
      MemStats: {
        RssBytes: memory.rss,
        HeapTotalBytes: memory.heapTotal,
        HeapUsedBytes: memory.heapUsed,
        HeapLimitBytes: heap.heap_size_limit,
        ExternalBytes: memory.external,
        ArrayBuffersBytes: memory.arrayBuffers,
      },
      UptimeSeconds: Math.round(process.uptime()),
    };
  });

  const quit = requireToken(context.token);
  const quitHandler = async (_request: unknown, reply: FastifyReply) => {
    context.log('/v1/quit called, shutting down');
    const peers = JSON.stringify(peersDocument(context.server, context.mesh).Peers, null, 2);
    reply.raw.once('finish', () => context.requestQuit('/v1/quit'));
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<html><head><title>${escapeHtml(context.server.srvLoc)}</title></head><body>\n<h1> quitResponse </h1>` +
          `<p>Served from ${escapeHtml(context.server.srvLoc)}\n<p>shutting down with these peers:\n<pre>\n${escapeHtml(peers)}\n</pre>\n</body></html>\n`,
      );
  };
  app.get('/v1/quit', { preHandler: quit }, quitHandler);
  app.post('/v1/quit', { preHandler: quit }, quitHandler);

  app.post<{ Body: { delay: number; token?: string } }>(
    '/v1/delay',
    {
      preHandler: requireToken(context.token),
      schema: {
        body: {
          type: 'object',
          required: ['delay'],
          additionalProperties: false,
          properties: { delay: { type: 'number', minimum: 0.01, maximum: 86400 }, token: { type: 'string' } },
        },
      },
    },
    async (request) => {
      context.mesh.setDelay(request.body.delay);
      context.log(`delay changed to ${request.body.delay} s by /v1/delay`);
      return { delay: context.mesh.delaySeconds };
    },
  );

  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await context.metrics.render();
    return reply.type(contentType).send(body);
  });
};
