import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetInventory } from '../inventory/target-inventory.js';
import { HttpMesh } from '../mesh/http-mesh.js';
import { ResultFanout } from '../mesh/result-fanout.js';
import { buildApiServer } from './api-server.js';
import { MeshMetrics } from './mesh-metrics.js';

const token = 'targets-token-1234';
let app: FastifyInstance;
let inventory: TargetInventory;
let saves: number;

async function build(options: { token?: string | null; withTargets?: boolean } = {}): Promise<void> {
  const metrics = new MeshMetrics();
  const mesh = new HttpMesh({
    identity: { src: 'test', srcLoc: 'Testville,ZZ' },
    delaySeconds: 1,
    limit: 0,
    maxFail: 10,
    timeoutSeconds: 5,
    fanout: new ResultFanout([]),
    metrics,
    log: () => {},
  });
  inventory = new TargetInventory();
  saves = 0;
  app = await buildApiServer({
    mesh,
    metrics,
    server: { startUs: Date.now() * 1000, srvLoc: 'Testville,ZZ', srvHost: '', srvPort: 8080, srvIps: [] },
    token: options.token ?? null,
    autoMesh: null,
    targets:
      options.withTargets === false
        ? null
        : {
            inventory,
            save: async () => {
              saves++;
            },
          },
    requestQuit: () => {},
    log: () => {},
  });
}

afterEach(async () => {
  await app?.close();
});

const jsonHeaders = { 'content-type': 'application/json' };

describe('/v1/targets without a token', () => {
  it('adds targets from a JSON array and lists them as JSON with a version and an ETag', async () => {
    await build();
    const added = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: jsonHeaders,
      payload: JSON.stringify([
        { target: '198.18.0.1', name: 'edge-1', group: 'edge', loc: 'Tokyo,JP', labels: { rack: 'B7' } },
        '198.18.0.2',
        { target: '198.18.1.0/30', group: 'lab', lat: 50.1, lon: 8.6 },
      ]),
    });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ added: 3, updated: 0, unchanged: 0, rejected: 0, problems: [] });
    expect(saves).toBe(1);
    const list = await app.inject('/v1/targets');
    expect(list.headers['content-type']).toContain('application/json');
    const body = list.json();
    expect(list.headers.etag).toBe(`"${body.version}"`);
    expect(body.total).toBe(3);
    expect(body.targets).toEqual([
      {
        target: '198.18.0.1',
        name: 'edge-1',
        group: 'edge',
        loc: 'Tokyo,JP',
        lat: 35.69,
        lon: 139.69,
        labels: { rack: 'B7' },
      },
      { target: '198.18.0.2', name: '', group: '', loc: '', lat: null, lon: null, labels: {} },
      { target: '198.18.1.0/30', name: '', group: 'lab', loc: '50.1,8.6', lat: 50.1, lon: 8.6, labels: {} },
    ]);
    const again = await app.inject({ url: '/v1/targets', headers: { 'if-none-match': list.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('takes NDJSON and targets-file text too, and serves NDJSON and pages', async () => {
    await build();
    const ndjson = Array.from({ length: 250 }, (_, i) =>
      JSON.stringify({ target: `198.18.0.${i}`, group: `g${i % 3}` }),
    ).join('\n');
    const viaNdjson = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson,
    });
    expect(viaNdjson.json()).toMatchObject({ added: 250 });
    const viaText = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: { 'content-type': 'text/plain' },
      payload: '# more\n198.18.5.1 name="text one" group=t\n198.18.0.7 group=g1\n',
    });
    expect(viaText.json()).toMatchObject({ added: 1, updated: 0, unchanged: 1 });
    const lines = (await app.inject({ url: '/v1/targets', headers: { accept: 'application/x-ndjson' } })).body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { target: string; name: string });
    expect(lines).toHaveLength(251);
    expect(lines[250]).toMatchObject({ target: '198.18.5.1', name: 'text one' });
    const page = (await app.inject('/v1/targets?offset=100&limit=100')).json();
    expect(page.targets).toHaveLength(100);
    expect(page.targets[0].target).toBe('198.18.0.100');
    expect(page.next_offset).toBe(200);
    const last = (await app.inject('/v1/targets?offset=200&limit=100')).json();
    expect(last.targets).toHaveLength(51);
    expect(last.next_offset).toBeUndefined();
  });

  it('lists bad items with their position and the fix, and applies the rest', async () => {
    await build();
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: [
        '{"target":"198.18.0.1"}',
        '{"target":"198.18.0.300"}',
        'not json',
        '{"target":"198.18.0.2","colour":"red"}',
        '{"target":"198.18.0.3","lat":95,"lon":1}',
        '{"target":"198.18.0.4","loc":"Frankfurt"}',
        '{"target":"198.18.0.5","name":"ok"}',
      ].join('\n'),
    });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body).toMatchObject({ added: 2, rejected: 5 });
    expect(body.problems).toEqual([
      expect.stringMatching(/^body line 2: "198\.18\.0\.300" is not a valid IPv4 address .*; skipped$/),
      expect.stringMatching(/^body line 3: not JSON .*; skipped$/),
      expect.stringMatching(
        /^body line 4: unknown field "colour" \(a target has target, name, group, loc, lat, lon, labels\)/,
      ),
      expect.stringMatching(/^body line 5: "lat" must be within ±90/),
      expect.stringMatching(/^body line 6: loc=Frankfurt is neither City,CC/),
    ]);
    expect(inventory.size).toBe(2);
  });

  it('refuses a body that is not a whole JSON array, and a type it does not read, applying nothing', async () => {
    await build();
    for (const [payload, message] of [
      ['{"target":"198.18.0.1"}', /it starts with "\{": the body must be a JSON array of targets/],
      ['[{"target":"198.18.0.1"},{"target":"198.18.0.2"}', /the JSON array is not closed .*nothing was applied/],
      ['', /the body is empty/],
      ['[{"target":"198.18.0.1"}] x', /there is text after the closing "\]"/],
    ] as const) {
      const reply = await app.inject({ method: 'POST', url: '/v1/targets', headers: jsonHeaders, payload });
      expect(reply.statusCode, payload).toBe(400);
      expect(reply.json().error).toMatch(message);
    }
    const all = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: jsonHeaders,
      payload: '["300.1.1.1"]',
    });
    expect(all.statusCode).toBe(400);
    expect(all.json().error).toMatch(/none of the 1 targets could be read/);
    const xml = await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error).toMatch(/application\/json \(an array\), application\/x-ndjson or text\/plain/);
    expect(inventory.size).toBe(0);
    expect(saves).toBe(0);
  });

  it('deletes a list and single targets, CIDR ranges included, and says what was not there', async () => {
    await build();
    await app.inject({
      method: 'POST',
      url: '/v1/targets',
      headers: jsonHeaders,
      payload: JSON.stringify(['198.18.0.1', '198.18.0.2', '198.18.1.0/24', '2001:db8::1', 'mesh.example']),
    });
    const list = await app.inject({
      method: 'DELETE',
      url: '/v1/targets',
      headers: jsonHeaders,
      payload: JSON.stringify(['198.18.0.1', { target: '2001:DB8:0::1' }, '203.0.113.5']),
    });
    expect(list.json()).toMatchObject({ deleted: 2, missing: ['203.0.113.5'], missing_count: 1 });
    expect((await app.inject({ method: 'DELETE', url: '/v1/targets/198.18.1.0/24' })).json()).toMatchObject({
      deleted: 1,
      target: '198.18.1.0/24',
    });
    expect((await app.inject({ method: 'DELETE', url: '/v1/targets/MESH.example.' })).statusCode).toBe(200);
    const missing = await app.inject({ method: 'DELETE', url: '/v1/targets/198.18.0.1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/198\.18\.0\.1 is not in this collector's targets/);
    expect((await app.inject({ method: 'DELETE', url: '/v1/targets/not..valid' })).statusCode).toBe(400);
    expect((await app.inject('/v1/targets')).json().targets.map((t: { target: string }) => t.target)).toEqual([
      '198.18.0.2',
    ]);
  });

  it('says how to turn the routes on when the collector sweeps no ICMP targets', async () => {
    await build({ withTargets: false });
    const reply = await app.inject('/v1/targets');
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error).toMatch(/start it with --icmp-targets FILE .* or --targets-from URL/);
  });
});

describe('/v1/targets with PINGSPHERE_TOKEN set', () => {
  const attempts = [
    { method: 'GET' as const, url: '/v1/targets' },
    { method: 'POST' as const, url: '/v1/targets', payload: '["198.18.0.1"]' },
    { method: 'DELETE' as const, url: '/v1/targets', payload: '["198.18.0.1"]' },
    { method: 'DELETE' as const, url: '/v1/targets/198.18.0.1' },
  ];

  it('refuses every route without the header, with a wrong token, with the token only in the query string or a form field', async () => {
    await build({ token });
    for (const attempt of attempts) {
      for (const variant of [
        { headers: { 'content-type': 'application/json' } },
        { headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token-0000' } },
        { headers: { 'content-type': 'application/json', authorization: token } },
        { headers: { 'content-type': 'application/json' }, url: `${attempt.url}?token=${token}` },
      ]) {
        const reply = await app.inject({ ...attempt, ...variant, url: variant.url ?? attempt.url });
        expect(
          reply.statusCode,
          `${attempt.method} ${variant.url ?? attempt.url} ${JSON.stringify(variant.headers)}`,
        ).toBe(401);
        expect(reply.json().error).toContain('Authorization: Bearer');
      }
      const form = await app.inject({
        ...attempt,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}`,
      });
      expect(form.statusCode).toBe(401);
    }
    expect(inventory.size).toBe(0);
    expect(saves).toBe(0);
  });

  it('serves every route with the bearer token', async () => {
    await build({ token });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await app.inject({ ...attempts[1]!, headers })).json()).toMatchObject({ added: 1 });
    expect((await app.inject({ ...attempts[0]!, headers })).json().total).toBe(1);
    expect((await app.inject({ ...attempts[2]!, headers })).json()).toMatchObject({ deleted: 1 });
    await app.inject({ ...attempts[1]!, headers });
    expect((await app.inject({ ...attempts[3]!, headers })).statusCode).toBe(200);
  });
});
