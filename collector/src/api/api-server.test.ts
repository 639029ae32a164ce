import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpMesh } from '../mesh/http-mesh.js';
import { ResultFanout } from '../mesh/result-fanout.js';
import { buildApiServer } from './api-server.js';
import { MeshMetrics } from './mesh-metrics.js';

const token = 'test-token-1234';

let app: FastifyInstance;
let mesh: HttpMesh;
let quitReasons: string[];
let target: Server;
let targetPort: number;
/** Requests the target server received (an import without the token must not even fetch the list). */
let targetRequests: string[];

async function build(withToken: boolean): Promise<void> {
  const metrics = new MeshMetrics();
  mesh = new HttpMesh({
    identity: { src: 'test', srcLoc: 'Testville,ZZ' },
    delaySeconds: 0.05,
    limit: 0,
    maxFail: 1000,
    timeoutSeconds: 5,
    fanout: new ResultFanout([]),
    metrics,
    log: () => {},
  });
  quitReasons = [];
  app = await buildApiServer({
    mesh,
    metrics,
    server: { startUs: Date.now() * 1000, srvLoc: 'Testville,ZZ', srvHost: '', srvPort: 8080, srvIps: [] },
    token: withToken ? token : null,
    autoMesh: null,
    requestQuit: (reason) => quitReasons.push(reason),
    log: () => {},
  });
}

beforeEach(async () => {
  targetRequests = [];
  target = createServer((req, res) => {
    targetRequests.push(`${req.method} ${req.url}`);
    res.end('<p>Served from Target,TT\n');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as AddressInfo).port;
});

afterEach(async () => {
  await mesh?.stop();
  await app?.close();
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

describe('the API without a token', () => {
  beforeEach(() => build(false));

  it("answers /v1/ping with the location in pingmesh's markers", async () => {
    const reply = await app.inject('/v1/ping');
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toContain('<p>Served from Testville,ZZ\n');
  });

  it("adds a peer from JSON and lists it in /v1/peers with pingmesh's field names plus loss and percentiles", async () => {
    const url = `http://127.0.0.1:${targetPort}/v1/ping`;
    const added = await app.inject({ method: 'POST', url: '/v1/addpeer', payload: { url, location: 'Target,TT' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ status: 'added', url });
    await new Promise((r) => setTimeout(r, 300));
    const peers = (await app.inject('/v1/peers')).json();
    expect(Object.keys(peers)).toEqual([
      'Start',
      'SrvLoc',
      'SrvHost',
      'SrvPort',
      'SrvIPs',
      'Peers',
      'NumActive',
      'NumDeleted',
    ]);
    expect(peers.SrvLoc).toBe('Testville,ZZ');
    expect(peers.NumActive).toBe(1);
    const [peer] = peers.Peers;
    expect(peer).toMatchObject({ Url: url, Host: '127.0.0.1', Location: 'Target,TT', Fails: 0, Maxfail: 1000 });
    for (const field of [
      'Limit',
      'Delay',
      'PeerIP',
      'FirstPing',
      'LatestPing',
      'Pings',
      'PingTotals',
      'LossPct',
      'Percentiles',
    ]) {
      expect(peer).toHaveProperty(field);
    }
    expect(peer.Pings).toBeGreaterThan(0);
    expect(peer.PingTotals.TcpHs).toBeGreaterThan(0); // nanoseconds, as Go marshals durations
    expect(peer.Percentiles.TotalMs.P50).toBeGreaterThan(0);
  });

  it('reports a duplicate by URL instead of adding it twice', async () => {
    const url = `http://127.0.0.1:${targetPort}/v1/ping`;
    await app.inject({ method: 'POST', url: '/v1/addpeer', payload: { url } });
    const again = await app.inject({ method: 'POST', url: '/v1/addpeer', payload: { url } });
    expect(again.json()).toMatchObject({ status: 'duplicate', matchedBy: 'url' });
    expect(mesh.registry.activeCount).toBe(1);
  });

  it('accepts the HTML form fields and answers with a page', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/addpeer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `url=${encodeURIComponent(`http://127.0.0.1:${targetPort}/v1/ping`)}&location=Form,FF`,
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.headers['content-type']).toContain('text/html');
    expect(reply.body).toContain('Added http://127.0.0.1:');
  });

  it("serves the add-peer form on a plain GET, and pingmesh's host/port/ip query as an addition", async () => {
    const form = await app.inject('/v1/addpeer');
    expect(form.body).toContain('<form action="/v1/addpeer" method="post">');
    const byQuery = await app.inject({
      url: `/v1/addpeer?host=127.0.0.1&port=${targetPort}`,
      headers: { accept: 'application/json' },
    });
    expect(byQuery.json()).toMatchObject({ status: 'added', url: `http://127.0.0.1:${targetPort}/v1/ping` });
  });

  it.each([
    [{ url: 'ftp://files.example/' }, /must match pattern/],
    [{ url: 'javascript:alert(1)' }, /only http and https|could not parse/],
    [{ url: 'http://a.example/', ip: 'not-an-ip' }, /must match pattern/],
    [{ url: 'http://a.example/', ip: '300.1.1.1' }, /not an IPv4 or IPv6 address/],
    [{ url: `http://a.example/${'x'.repeat(3000)}` }, /must NOT have more than 2048 characters/],
    [{ url: 'http://a.example/', extra: 1 }, /must NOT have additional properties/],
    [{}, /must have required property 'url'/],
  ])('refuses %j with a 400 and a message', async (payload, message) => {
    const reply = await app.inject({ method: 'POST', url: '/v1/addpeer', payload });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().error).toMatch(message);
  });

  it('refuses malformed JSON and oversized bodies without falling over', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/addpeer',
      headers: { 'content-type': 'application/json' },
      payload: '{"url":',
    });
    expect(bad.statusCode).toBe(400);
    const huge = await app.inject({ method: 'POST', url: '/v1/addpeer', payload: { url: 'x'.repeat(20_000) } });
    expect(huge.statusCode).toBe(413);
    expect((await app.inject('/v1/ping')).statusCode).toBe(200);
  });

  it('answers 502 when a peer list to import cannot be read', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/addpeer',
      payload: { url: `http://127.0.0.1:${targetPort}/v1/peers?addpeers=true` },
    });
    expect(reply.statusCode).toBe(502);
    expect(reply.json().error).toMatch(/did not answer with JSON/);
  });

  it('changes the delay of every pinger through /v1/delay', async () => {
    const reply = await app.inject({ method: 'POST', url: '/v1/delay', payload: { delay: 2.5 } });
    expect(reply.json()).toEqual({ delay: 2.5 });
    expect(mesh.delaySeconds).toBe(2.5);
    expect((await app.inject({ method: 'POST', url: '/v1/delay', payload: { delay: -1 } })).statusCode).toBe(400);
  });

  it('serves OpenMetrics with per-peer RTT histograms and ping counters', async () => {
    await app.inject({ method: 'POST', url: '/v1/addpeer', payload: { url: `http://127.0.0.1:${targetPort}/m` } });
    await new Promise((r) => setTimeout(r, 200));
    const reply = await app.inject('/metrics');
    expect(reply.headers['content-type']).toContain('application/openmetrics-text');
    expect(reply.body).toMatch(
      /pingsphere_http_connect_seconds_bucket\{le="0.0005",peer="http:\/\/127.0.0.1:\d+\/m"\}/,
    );
    expect(reply.body).toMatch(/pingsphere_http_pings_total\{peer="[^"]+",outcome="ok"\} [1-9]/);
    expect(reply.body).toContain('pingsphere_process_resident_memory_bytes');
    expect(reply.body).toMatch(/pingsphere_http_schedule_slots [1-9]/);
    expect(reply.body).toMatch(/pingsphere_http_schedule_skipped_slots \d/);
    expect(reply.body).toMatch(/pingsphere_http_schedule_lateness_seconds_count [1-9]/);
    expect(reply.body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('reports memory statistics and peer counts', async () => {
    const stats = (await app.inject('/v1/memstats')).json();
    expect(stats).toMatchObject({ NumPeers: 0, NumActive: 0, NumDeleted: 0 });
    expect(stats.MemStats.RssBytes).toBeGreaterThan(0);
  });

  it('starts the shutdown after answering /v1/quit', async () => {
    const reply = await app.inject('/v1/quit');
    expect(reply.body).toContain('quitResponse');
    expect(quitReasons).toEqual(['/v1/quit']);
  });

  it('answers an unknown path with a 404 naming the index', async () => {
    const reply = await app.inject('/v2/nothing');
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error).toContain('see /v1/');
  });
});

describe('the API with PINGSPHERE_TOKEN set', () => {
  beforeEach(() => build(true));

  it('refuses quit, addpeer and delay changes without the token', async () => {
    for (const request of [
      { method: 'GET' as const, url: '/v1/quit' },
      { method: 'POST' as const, url: '/v1/quit' },
      { method: 'POST' as const, url: '/v1/addpeer', payload: { url: 'http://127.0.0.1:9/' } },
      { method: 'POST' as const, url: '/v1/delay', payload: { delay: 1 } },
      { method: 'GET' as const, url: '/v1/addpeer?host=127.0.0.1&port=9' },
    ]) {
      const reply = await app.inject({ ...request, headers: { authorization: 'Bearer wrong-token' } });
      expect(reply.statusCode, `${request.method} ${request.url}`).toBe(401);
      expect(reply.json().error).toContain('Authorization: Bearer');
    }
    expect(quitReasons).toEqual([]);
    expect(mesh.registry.activeCount).toBe(0);
  });

  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  /** Every way to reach a mutating route; `extra` goes into the query string or the form body. */
  const mutatingRequests = (extra = '') => {
    const peer = encodeURIComponent(`http://127.0.0.1:${targetPort}/v1/ping`);
    const list = encodeURIComponent(`http://127.0.0.1:${targetPort}/v1/peers?addpeers=true`);
    const query = extra ? `?${extra}` : '';
    const and = extra ? `&${extra}` : '';
    const field = extra ? `&${extra}` : '';
    return [
      { method: 'GET' as const, url: `/v1/quit${query}` },
      { method: 'POST' as const, url: `/v1/quit${query}` },
      { method: 'POST' as const, url: `/v1/addpeer${query}`, payload: { url: `http://127.0.0.1:${targetPort}/json` } },
      { method: 'POST' as const, url: `/v1/addpeer${query}`, headers: form, payload: `url=${peer}` },
      { method: 'POST' as const, url: `/v1/addpeer${query}`, payload: { url: decodeURIComponent(list) } },
      { method: 'GET' as const, url: `/v1/addpeer?host=127.0.0.1&port=${targetPort}${and}` },
      { method: 'GET' as const, url: `/v1/addpeer?url=${peer}${and}` },
      { method: 'GET' as const, url: `/v1/addpeer?url=${list}${and}` },
      { method: 'POST' as const, url: `/v1/delay${query}`, payload: { delay: 7 } },
      { method: 'POST' as const, url: `/v1/delay${query}`, headers: form, payload: `delay=7${field}` },
    ];
  };

  /** Nothing a refused request could have changed has changed. */
  const expectUntouched = () => {
    expect(quitReasons).toEqual([]);
    expect(mesh.registry.activeCount).toBe(0);
    expect(mesh.delaySeconds).toBe(0.05);
    expect(targetRequests).toEqual([]);
  };

  it('refuses every mutating route when no Authorization header (and no form token) is sent at all', async () => {
    for (const request of mutatingRequests()) {
      const reply = await app.inject(request);
      const what = `${request.method} ${request.url} ${JSON.stringify(request.payload ?? '')}`;
      expect(reply.statusCode, what).toBe(401);
      expect(reply.headers['www-authenticate'], what).toBe('Bearer realm="pingsphere"');
      expect(reply.json().error, what).toContain('Authorization: Bearer');
    }
    expectUntouched();
  });

  it('ignores the token in a query string (URLs end up in logs), and says where it goes instead', async () => {
    for (const parameter of [`token=${token}`, `access_token=${token}`]) {
      for (const request of mutatingRequests(parameter)) {
        // The form requests carry it in the query only: strip it from their bodies.
        const payload =
          typeof request.payload === 'string' ? request.payload.replace(`&${parameter}`, '') : request.payload;
        const reply = await app.inject({ ...request, payload });
        const what = `${request.method} ${request.url}`;
        expect(reply.statusCode, what).toBe(401);
        expect(reply.json().error, what).toContain('never read from the URL');
      }
    }
    expectUntouched();
  });

  it('refuses a wrong token in the form field, and a wrong or empty bearer token', async () => {
    for (const request of mutatingRequests()) {
      const asForm =
        request.method === 'POST'
          ? {
              ...request,
              headers: form,
              payload:
                typeof request.payload === 'string'
                  ? `${request.payload}&token=wrong-token-5678`
                  : new URLSearchParams([
                      ...Object.entries(request.payload ?? {}).map(([name, value]): [string, string] => [
                        name,
                        String(value),
                      ]),
                      ['token', 'wrong-token-5678'] as [string, string],
                    ]).toString(),
            }
          : null;
      for (const attempt of [
        asForm,
        { ...request, headers: { ...request.headers, authorization: 'Bearer wrong-token-5678' } },
        { ...request, headers: { ...request.headers, authorization: 'Bearer ' } },
        {
          ...request,
          headers: { ...request.headers, authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` },
        },
        // The right token as a prefix or with something appended is still the wrong token.
        { ...request, headers: { ...request.headers, authorization: `Bearer ${token.slice(0, -1)}` } },
        { ...request, headers: { ...request.headers, authorization: `Bearer ${token}x` } },
      ]) {
        if (!attempt) continue;
        const reply = await app.inject(attempt);
        expect(reply.statusCode, `${attempt.method} ${attempt.url} ${JSON.stringify(attempt.headers)}`).toBe(401);
      }
    }
    expectUntouched();
  });

  it('reads the auth scheme case-insensitively (RFC 7235): "bearer TOKEN" is the token', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/delay',
      headers: { authorization: `bearer ${token}` },
      payload: { delay: 3 },
    });
    expect(reply.statusCode).toBe(200);
    expect(mesh.delaySeconds).toBe(3);
  });

  it('accepts them with the bearer token, or the token field of the form', async () => {
    const withHeader = await app.inject({
      method: 'POST',
      url: '/v1/addpeer',
      headers: { authorization: `Bearer ${token}` },
      payload: { url: `http://127.0.0.1:${targetPort}/a` },
    });
    expect(withHeader.statusCode).toBe(201);
    const withField = await app.inject({
      method: 'POST',
      url: '/v1/addpeer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `url=${encodeURIComponent(`http://127.0.0.1:${targetPort}/b`)}&token=${token}`,
    });
    expect(withField.statusCode).toBe(201);
    const quit = await app.inject({ url: '/v1/quit', headers: { authorization: `Bearer ${token}` } });
    expect(quit.statusCode).toBe(200);
    expect(quitReasons).toEqual(['/v1/quit']);
  });

  it('keeps reading endpoints open: ping, peers, metrics and the form', async () => {
    for (const url of ['/v1/ping', '/v1/peers', '/metrics', '/v1/addpeer', '/v1/memstats']) {
      expect((await app.inject(url)).statusCode, url).toBe(200);
    }
  });
});
