// Fastify's request validation without Ajv at run time: every route schema is compiled to
// JavaScript ahead of time (Ajv's standalone code, with the very Ajv options fastify's own
// compiler would use: validator-codegen.ts) and looked up here by the schema's JSON. Ajv and
// @fastify/ajv-compiler cost an idle collector ~2-3 MiB of its memory budget (README, "Memory").
// The generated code is checked in; a test regenerates it and fails when it is stale, and a
// route whose schema has no precompiled validator fails at start-up, saying what to run.
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { fastifyValidators } from './generated/fastify-validators.js';

/** What regenerates the validators after a schema change. */
export const regenerateCommand = 'npm run build:validators --workspace collector';

/** The key a validator is stored and looked up under: its schema, as JSON. */
export function schemaKey(schema: unknown): string {
  return JSON.stringify(schema);
}

/**
 * fastify's `schemaController.compilersFactory`, as fastify calls it: each builder gets the shared
 * schemas and the server's ajv (or serializer) options and returns the compiler of route schemas.
 * (fastify's typings describe @fastify/ajv-compiler's own pool there instead.)
 */
export interface CompilersFactory {
  buildValidator: (externalSchemas: unknown, ajvOptions: unknown) => FastifySchemaCompiler<unknown>;
  buildSerializer: (externalSchemas: unknown, serializerOptions: unknown) => FastifySerializerCompiler<unknown>;
}

/** The compilers factory that serves the precompiled validators. */
export const precompiledCompilers: CompilersFactory = {
  buildValidator: () => (route) => {
    const validate = fastifyValidators.get(schemaKey(route.schema));
    if (!validate) {
      throw new Error(
        `no precompiled validator for the ${route.httpPart ?? ''} schema of ${route.method} ${route.url}: ` +
          `run \`${regenerateCommand}\` after changing a route's schema`,
      );
    }
    return validate;
  },
  // No route has a response schema (replies are serialized with JSON.stringify): a route that
  // gets one must have its serializer precompiled too, rather than load fast-json-stringify and Ajv.
  buildSerializer: () => (route) => {
    throw new Error(
      `response schemas are not supported (${route.method} ${route.url}): the API serializes replies itself`,
    );
  },
};
