import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { traceOf } from '../../test/fixtures/traces.js';
import { HttpMesh } from '../mesh/http-mesh.js';
import { ResultFanout } from '../mesh/result-fanout.js';
import type { PathRecord } from '../results/path-record.js';
import { TraceScheduler } from '../trace/trace-scheduler.js';
import { buildApiServer } from './api-server.js';
import { MeshMetrics } from './mesh-metrics.js';

const token = 'test-token-1234';
let app: FastifyInstance;
let mesh: HttpMesh;

/** An API server whose /v1/trace feeds a real trace scheduler (its runner answers a two-hop path). */
async function build(withTracing: boolean): Promise<{ stored: PathRecord[]; traced: string[][] }> {
  const stored: PathRecord[] = [];
  const traced: string[][] = [];
  const metrics = new MeshMetrics();
  const fanout = new ResultFanout([]);
  mesh = new HttpMesh({
    identity: { src: 'test', srcLoc: '' },
    delaySeconds: 1,
    limit: 0,
    maxFail: 1,
    timeoutSeconds: 1,
    fanout,
    metrics,
    log: () => {},
  });
  const tracing = new TraceScheduler({
    runner: (targets) => {
      traced.push(targets);
      return Promise.resolve(targets.map((t) => traceOf(t, ['10.0.0.1', t], [1, 2])));
    },
    trace: { maxHops: 4, probesPerHop: 1, flows: 1, ratePps: 10, timeoutMs: 10 },
    onChange: null,
    intervalSeconds: null,
    batchTargets: 8,
    maxQueued: 8,
    src: 'test',
    srcLoc: '',
    deliver: (batch) => {
      if (batch.family === 'path') stored.push(...batch.results);
    },
    log: () => {},
  });
  app = await buildApiServer({
    mesh,
    metrics,
    server: { startUs: Date.now() * 1000, srvLoc: '', srvHost: '', srvPort: 8080, srvIps: [] },
    token,
    autoMesh: null,
    tracing: withTracing ? tracing : null,
    requestQuit: () => {},
    log: () => {},
  });
  return { stored, traced };
}

afterEach(async () => {
  await mesh?.stop();
  await app?.close();
});

describe('POST /v1/trace', () => {
  it('traces the address now and stores its path with reason "manual", under the given pair name', async () => {
    const { stored, traced } = await build(true);
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/trace',
      headers: { authorization: `Bearer ${token}` },
      payload: { target: '198.18.0.7', dst: 'virginia' },
    });
    expect(reply.statusCode).toBe(202);
    expect(reply.json()).toEqual({ queued: true, target: '198.18.0.7', dst: 'virginia' });
    await new Promise((r) => setTimeout(r, 10));
    expect(traced).toEqual([['198.18.0.7']]);
    expect(stored.map((r) => [r.dst, r.dstIp, r.hop, r.addr, r.reason])).toEqual([
      ['virginia', '198.18.0.7', 1, '10.0.0.1', 'manual'],
      ['virginia', '198.18.0.7', 2, '198.18.0.7', 'manual'],
    ]);
  });

  it('needs the token, an IP address, and tracing turned on, and says which is missing', async () => {
    await build(true);
    const post = (payload: object, authorized = true) =>
      app.inject({
        method: 'POST',
        url: '/v1/trace',
        headers: authorized ? { authorization: `Bearer ${token}` } : {},
        payload,
      });
    expect((await post({ target: '198.18.0.7' }, false)).statusCode).toBe(401);
    const hostname = await post({ target: 'far.example' });
    expect(hostname.statusCode).toBe(400);
    expect(hostname.json()).toEqual({ error: '"far.example" is not an IP address: give the address to trace' });
    expect((await post({ target: '198.18.0.7', ttl: 3 })).statusCode).toBe(400);
    await app.close();
    await mesh.stop();
    await build(false);
    const off = await post({ target: '198.18.0.7' });
    expect(off.statusCode).toBe(409);
    expect(off.json().error).toMatch(/--trace-on-change or --trace-interval/);
  });
});
