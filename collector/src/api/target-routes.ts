// /v1/targets: the collector's ICMP targets. GET lists them (JSON, or NDJSON with
// Accept: application/x-ndjson; streamed, or paged with ?offset=&limit=; ETag = version), POST adds
// or relabels (JSON array, NDJSON or targets-file text), DELETE removes a list or one target.
// Bodies are read as they arrive, never held whole. Every route needs the token when one is set,
// as an Authorization: Bearer header (checked before the body is read; never from the query).
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { describeProblem } from '../icmp/target-file.js';
import { InvalidTargetError, maxSweepTargets, parseTargetSpec, targetKey } from '../icmp/target-spec.js';
import type { TargetTable } from '../icmp/target-table.js';
import { bodyFormat, readTargetsBody, TargetBodyError, type TargetsBody } from '../inventory/target-body.js';
import type { TargetInventory } from '../inventory/target-inventory.js';
import type { ApiContext } from './api-context.js';
import { isBearerAuthorized, refuseUnauthorized } from './auth.js';

/** What the target routes work on. */
export interface TargetsApi {
  inventory: TargetInventory;
  /** Persists the API's changes (the state file); resolves once they are on disk. */
  save: () => Promise<void>;
}

/** Largest POST/DELETE body (a million labelled targets as JSON are ~100 MB). */
export const maxTargetsBodyBytes = 1 << 30;

/** Problems listed in one answer (all are counted). */
const listedProblems = 100;

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offset: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

function wantsNdjson(request: FastifyRequest): boolean {
  return /application\/(x-)?ndjson/.test(request.headers.accept ?? '');
}

/** Streams the effective list (or a page of it) without building the whole text. */
function listBody(inventory: TargetInventory, ndjson: boolean, offset: number, limit: number): Readable {
  const version = inventory.version;
  const total = inventory.size;
  const problems = inventory.fileProblems;
  return Readable.from(
    (function* () {
      let chunk = ndjson ? '' : `{"version":${JSON.stringify(version)},"total":${total},"targets":[`;
      let index = 0;
      let written = 0;
      for (const [table, entry] of inventory.walk()) {
        if (index++ < offset) continue;
        if (written === limit) break;
        const record = JSON.stringify(table.recordAt(entry));
        chunk += ndjson ? `${record}\n` : `${written > 0 ? ',' : ''}${record}`;
        written++;
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (!ndjson) {
        chunk += ']';
        if (offset + written < total) chunk += `,"next_offset":${offset + written}`;
        if (problems && problems.errors + problems.warnings > 0) {
          chunk += `,"problems":${JSON.stringify({
            file: problems.file,
            errors: problems.errors,
            warnings: problems.warnings,
            lines: problems.problems.map(describeProblem),
          })}`;
        }
        chunk += '}\n';
      }
      yield chunk;
    })(),
    { objectMode: false },
  );
}

async function readBody(request: FastifyRequest, reply: FastifyReply): Promise<TargetsBody | null> {
  const format = bodyFormat(request.headers['content-type']);
  if (!format) {
    await reply.code(415).send({
      error: `Content-Type ${request.headers['content-type']} is not read here: send application/json (an array), application/x-ndjson or text/plain (targets-file lines)`,
    });
    return null;
  }
  try {
    return await readTargetsBody(request.body as Readable, format, {
      maxBytes: maxTargetsBodyBytes,
      maxItems: maxSweepTargets,
    });
  } catch (error) {
    if (!(error instanceof TargetBodyError)) throw error;
    await reply.code(error.statusCode).send({ error: error.message });
    return null;
  }
}

function problemList(body: TargetsBody): string[] {
  return body.problems.slice(0, listedProblems).map(describeProblem);
}

/** Keys of a body's targets (labels, if any, are ignored). */
function keysOf(table: TargetTable): string[] {
  return Array.from(table.entries(), (entry) => table.keyAt(entry));
}

/** The /v1/targets routes, or a 404 that says how to turn them on when there is no inventory. */
export const targetRoutes: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  const api = context.targets ?? null;
  // Bodies are streamed to readTargetsBody: take every content type raw (this plugin only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.addHook('onRequest', async (request, reply) => {
    if (!isBearerAuthorized(request, context.token)) return refuseUnauthorized(reply);
    if (!api) {
      return reply.code(404).send({
        error:
          'this collector sweeps no ICMP targets: start it with --icmp-targets FILE (an empty file will do) or --targets-from URL',
      });
    }
  });
  if (!api) {
    app.all('/v1/targets', async () => undefined);
    app.all('/v1/targets/*', async () => undefined);
    return;
  }
  const { inventory } = api;

  app.get<{ Querystring: { offset?: number; limit?: number } }>(
    '/v1/targets',
    { schema: { querystring: listQuerySchema } },
    async (request, reply) => {
      const etag = `"${inventory.version}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      const ndjson = wantsNdjson(request);
      const { offset = 0, limit = Number.MAX_SAFE_INTEGER } = request.query;
      return reply
        .type(ndjson ? 'application/x-ndjson' : 'application/json; charset=utf-8')
        .send(listBody(inventory, ndjson, offset, limit));
    },
  );

  app.post('/v1/targets', async (request, reply) => {
    const body = await readBody(request, reply);
    if (!body) return reply;
    const report = inventory.put(body.table);
    if (report.added + report.updated > 0) await api.save();
    context.log(`/v1/targets: ${report.added} added, ${report.updated} updated, ${body.errors} rejected`);
    const allBad = body.items > 0 && body.errors === body.items;
    return reply.code(allBad ? 400 : 200).send({
      ...(allBad
        ? { error: `none of the ${body.items} targets could be read: ${body.problems[0]?.message ?? ''}` }
        : {}),
      ...report,
      rejected: body.errors,
      warnings: body.warnings,
      problems: problemList(body),
      version: inventory.version,
    });
  });

  app.delete('/v1/targets', async (request, reply) => {
    const body = await readBody(request, reply);
    if (!body) return reply;
    const report = inventory.delete(keysOf(body.table));
    if (report.deleted > 0) await api.save();
    context.log(`/v1/targets: ${report.deleted} deleted, ${report.missingCount} not found`);
    return reply.send({
      deleted: report.deleted,
      missing: report.missing,
      missing_count: report.missingCount,
      rejected: body.errors,
      problems: problemList(body),
      version: inventory.version,
    });
  });

  app.delete<{ Params: { '*': string } }>('/v1/targets/*', async (request, reply) => {
    const text = request.params['*'];
    let key: string;
    try {
      key = targetKey(parseTargetSpec(text));
    } catch (error) {
      if (!(error instanceof InvalidTargetError)) throw error;
      return reply.code(400).send({ error: error.message });
    }
    const report = inventory.delete([key]);
    if (report.deleted === 0) {
      return reply.code(404).send({ error: `${key} is not in this collector's targets (GET /v1/targets lists them)` });
    }
    await api.save();
    context.log(`/v1/targets: ${key} deleted`);
    return reply.send({ deleted: 1, target: key, version: inventory.version });
  });
};
