// POST /v1/trace (a PingSphere addition): a person asks the collector to trace an address now;
// the path is stored like any other (`path` table, reason "manual"). Needs the token when one is
// set, as every endpoint that makes the collector send.
import { isIP } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import type { TraceReason } from '../results/path-record.js';
import type { WatchedPair } from '../trace/pair-watch.js';
import type { ApiContext } from './api-context.js';
import { requireToken } from './auth.js';

/** What /v1/trace needs of the collector's trace scheduler. */
export interface TraceApi {
  request(pair: WatchedPair, reason: TraceReason): void;
}

/** The manual-trace route. */
export const traceRoutes: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  app.post<{ Body: { target: string; dst?: string; token?: string } }>(
    '/v1/trace',
    {
      preHandler: requireToken(context.token),
      schema: {
        body: {
          type: 'object',
          required: ['target'],
          additionalProperties: false,
          properties: {
            target: { type: 'string', minLength: 1, maxLength: 64 },
            dst: { type: 'string', minLength: 1, maxLength: 256 },
            token: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      const tracing = context.tracing;
      if (!tracing) {
        return reply
          .code(409)
          .send({ error: 'tracing is off: start the collector with --trace-on-change or --trace-interval' });
      }
      const { target } = request.body;
      if (isIP(target) === 0) {
        return reply.code(400).send({ error: `"${target}" is not an IP address: give the address to trace` });
      }
      // Stored under the pair's name when given (an HTTP peer's host), else under the address.
      const dst = request.body.dst ?? target;
      tracing.request({ dst, address: target }, 'manual');
      context.log(`trace of ${target} (${dst}) asked for through /v1/trace`);
      return reply.code(202).send({ queued: true, target, dst });
    },
  );
};
