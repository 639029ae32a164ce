// The validators the API runs without Ajv: generated from the schemas as they are now, and
// answering every request exactly as fastify's own Ajv compiler does (status and message).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from '@pingsphere/testbed';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetInventory } from '../inventory/target-inventory.js';
import { HttpMesh } from '../mesh/http-mesh.js';
import { ResultFanout } from '../mesh/result-fanout.js';
import type { ApiContext } from './api-context.js';
import { buildApiServer } from './api-server.js';
import { MeshMetrics } from './mesh-metrics.js';
import { precompiledCompilers, regenerateCommand, type CompilersFactory } from './precompiled-validators.js';
import { generateValidatorModules } from './validator-codegen.js';

const apps: FastifyInstance[] = [];
const meshes: HttpMesh[] = [];
afterEach(async () => {
  await Promise.all(meshes.splice(0).map((mesh) => mesh.stop()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** fastify's default compilers (Ajv at run time), as it builds them when given none. */
function fastifyDefaultCompilers(): CompilersFactory {
  // Resolved from fastify's own package, whose dependencies they are.
  const require = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const ajvCompiler = require('@fastify/ajv-compiler') as () => CompilersFactory['buildValidator'];
  const serializerCompiler =
    require('@fastify/fast-json-stringify-compiler') as () => CompilersFactory['buildSerializer'];
  return { buildValidator: ajvCompiler(), buildSerializer: serializerCompiler() };
}

/** An API server with every schema route on; a token, so requests that validate stop at 401. */
async function build(compilers: CompilersFactory): Promise<FastifyInstance> {
  const metrics = new MeshMetrics();
  const mesh = new HttpMesh({
    identity: { src: 'test', srcLoc: 'Testville,ZZ' },
    delaySeconds: 1,
    limit: 0,
    maxFail: 10,
    timeoutSeconds: 1,
    fanout: new ResultFanout([]),
    metrics,
    log: () => {},
  });
  meshes.push(mesh);
  const context: ApiContext = {
    mesh,
    metrics,
    server: { startUs: 0, srvLoc: 'Testville,ZZ', srvHost: '', srvPort: 8080, srvIps: [] },
    token: 'validators-token-1234',
    autoMesh: null,
    targets: { inventory: new TargetInventory(), save: async () => {} },
    tracing: { request: () => {} },
    requestQuit: () => {},
    log: () => {},
  };
  const app = await buildApiServer(context, compilers);
  apps.push(app);
  return app;
}

const form = 'application/x-www-form-urlencoded';
/** Requests to every route with a schema: each part wrong in several ways, and some right. */
const requests: Array<{ method: 'GET' | 'POST'; url: string; payload?: string | object; type?: string }> = [
  { method: 'GET', url: '/v1/peers?addpeers=true' },
  { method: 'GET', url: '/v1/peers?addpeers=maybe' },
  { method: 'GET', url: '/v1/peers?other=1' },
  { method: 'GET', url: '/v1/addpeer?host=a.example&port=80' },
  { method: 'GET', url: '/v1/addpeer?host=a.example&port=eighty' },
  { method: 'GET', url: '/v1/addpeer?host=a.example&port=80&port=81' },
  { method: 'GET', url: `/v1/addpeer?url=${encodeURIComponent('ftp://x/')}` },
  { method: 'GET', url: '/v1/addpeer?ip=127.0.0.2&nope=1' },
  { method: 'POST', url: '/v1/addpeer', payload: { url: 'http://a.example/' } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: 'javascript:alert(1)' } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: 'http://a.example/', ip: 'not-an-ip' } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: `http://a.example/${'x'.repeat(2100)}` } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: 'http://a.example/', location: 'a<b' } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: 'http://a.example/', extra: 1 } },
  { method: 'POST', url: '/v1/addpeer', payload: { location: 'no url' } },
  { method: 'POST', url: '/v1/addpeer', payload: { url: ['http://a.example/'] } },
  { method: 'POST', url: '/v1/addpeer', payload: 'url=http%3A%2F%2Fa.example%2F&ip=127.0.0.2', type: form },
  { method: 'POST', url: '/v1/addpeer', payload: 'ip=127.0.0.2', type: form },
  { method: 'POST', url: '/v1/delay', payload: { delay: 5 } },
  { method: 'POST', url: '/v1/delay', payload: { delay: '5' } },
  { method: 'POST', url: '/v1/delay', payload: { delay: 0 } },
  { method: 'POST', url: '/v1/delay', payload: { delay: 'soon' } },
  { method: 'POST', url: '/v1/delay', payload: {} },
  { method: 'POST', url: '/v1/delay', payload: 'delay=2', type: form },
  { method: 'POST', url: '/v1/trace', payload: { target: '127.0.0.1' } },
  { method: 'POST', url: '/v1/trace', payload: { target: '' } },
  { method: 'POST', url: '/v1/trace', payload: { target: '127.0.0.1', dst: 'x'.repeat(300) } },
  { method: 'POST', url: '/v1/trace', payload: { dst: 'a' } },
  { method: 'GET', url: '/v1/targets?limit=0' },
  { method: 'GET', url: '/v1/targets?limit=ten' },
  { method: 'GET', url: '/v1/targets?offset=1.5' },
  { method: 'GET', url: '/v1/targets?offset=2&limit=3' },
];

describe('the precompiled validators', () => {
  it(`are generated from the schemas as they are now (else run \`${regenerateCommand}\`)`, async () => {
    for (const { path, text } of await generateValidatorModules()) {
      expect(readFileSync(join(repoRoot, path), 'utf8'), `${path} is stale: run \`${regenerateCommand}\``).toBe(text);
    }
  });

  it("answer every request as fastify's own Ajv compiler does, status and message", async () => {
    const [ours, fastifys] = await Promise.all([build(precompiledCompilers), build(fastifyDefaultCompilers())]);
    let refused = 0;
    for (const request of requests) {
      const { type, ...rest } = request;
      const inject = { ...rest, ...(type ? { headers: { 'content-type': type } } : {}) };
      const [a, b] = await Promise.all([ours.inject(inject), fastifys.inject(inject)]);
      const what = `${request.method} ${request.url} ${JSON.stringify(request.payload ?? '').slice(0, 80)}`;
      expect({ status: a.statusCode, body: a.body }, what).toEqual({ status: b.statusCode, body: b.body });
      if (a.statusCode === 400) refused++;
    }
    // Both kinds are in the list: requests the schemas refuse, and ones that pass on to the token check.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(requests.length - 5);
  });

  it('refuse to start a route whose schema has no precompiled validator, saying what to run', async () => {
    const app = await build(precompiledCompilers);
    app.get(
      '/v1/new',
      { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } },
      () => '',
    );
    await expect(app.ready()).rejects.toThrow(/no precompiled validator for the querystring schema of GET \/v1\/new/);
  });
});
