// The collector's HTTP API (fastify): pingmesh's /v1/* plus /metrics, each feature a plugin with
// JSON schemas at the boundary. Bad requests get a 4xx with a message; nothing a client sends can
// take the collector down.
import formBody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
import type { ApiContext } from './api-context.js';
import { indexRoutes } from './index-routes.js';
import { precompiledCompilers, type CompilersFactory } from './precompiled-validators.js';
import { peerRoutes } from './peer-routes.js';
import { targetRoutes } from './target-routes.js';
import { traceRoutes } from './trace-routes.js';

/** Largest request body accepted (an addpeer form or JSON is a few hundred bytes). */
export const maxBodyBytes = 16 * 1024;

/**
 * Builds the API server (not yet listening). Its request schemas are validated by code compiled
 * ahead of time (precompiled-validators.ts); `compilers` is for that code generator only.
 */
export async function buildApiServer(
  context: ApiContext,
  compilers: CompilersFactory = precompiledCompilers,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: maxBodyBytes,
    routerOptions: { maxParamLength: 256 },
    // Many peers pinging keeps connections short; do not hold shutdown on idle keep-alives.
    forceCloseConnections: 'idle',
    // The options fastify gives its validator compiler, which validator-codegen.ts compiles with.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } },
    schemaController: { compilersFactory: compilers as never }, // see CompilersFactory on the cast
  });
  await app.register(formBody, { bodyLimit: maxBodyBytes });

  app.setErrorHandler((error: { statusCode?: number; message: string; validation?: unknown }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) context.log(`API error: ${error.message}`);
    return reply
      .code(status)
      .send({ error: status === 500 ? 'internal error (see the collector log)' : error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.slice(0, 200)} (see /v1/)` }),
  );

  await app.register(indexRoutes, { context });
  await app.register(peerRoutes, { context });
  await app.register(adminRoutes, { context });
  await app.register(targetRoutes, { context });
  await app.register(traceRoutes, { context });
  return app;
}
