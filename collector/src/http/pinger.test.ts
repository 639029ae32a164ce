import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from './endpoint.js';
import { Pinger } from './pinger.js';
import type { TimedResponse } from './timed-request.js';

let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('Pinger', () => {
  it('stops after -n successful pings', async () => {
    const port = await serve((_req, res) => res.end('ok'));
    const responses: TimedResponse[] = [];
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 20,
      limit: 3,
      maxFail: 10,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      onResponse: (r) => responses.push(r),
    });
    pinger.start();
    expect(await pinger.ended).toBe('limit');
    expect(pinger.pings).toBe(3);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('never connects to an address its fence refuses: the ping fails as not_allowed', async () => {
    let connections = 0;
    const port = await serve((_req, res) => res.end('ok'));
    server!.on('connection', () => connections++);
    const responses: TimedResponse[] = [];
    const pinger = new Pinger(parseEndpoint(`http://localhost:${port}/`), {
      delayMs: () => 20,
      limit: 0,
      maxFail: 2,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      allowAddress: (ip) => ip !== '127.0.0.1',
      onResponse: (r) => responses.push(r),
    });
    pinger.start();
    expect(await pinger.ended).toBe('maxfail');
    expect(responses.map((r) => [r.error, r.status, r.remoteIp])).toEqual([
      ['not_allowed', 0, ''],
      ['not_allowed', 0, ''],
    ]);
    expect(connections).toBe(0);
  });

  it('gives up after -f failures, counting HTTP errors and refused connections alike', async () => {
    const port = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 20,
      limit: 0,
      maxFail: 2,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      onResponse: () => {},
    });
    pinger.start();
    expect(await pinger.ended).toBe('maxfail');
    expect(pinger.fails).toBe(2);

    const refused = new Pinger(parseEndpoint('http://127.0.0.1:1/'), {
      delayMs: () => 20,
      limit: 0,
      maxFail: 2,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      onResponse: () => {},
    });
    refused.start();
    expect(await refused.ended).toBe('maxfail');
  });

  it('skips and counts a slot whose previous request is still running, never stacking requests', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const port = await serve((_req, res) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      setTimeout(() => {
        concurrent--;
        res.end('slow');
      }, 130);
    });
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 50,
      limit: 2,
      maxFail: 10,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      onResponse: () => {},
    });
    pinger.start();
    await pinger.ended;
    expect(maxConcurrent).toBe(1);
    expect(pinger.slotStats.skipped).toBeGreaterThanOrEqual(2);
  });

  it('reports the request in flight when stopped, then ends', async () => {
    const port = await serve((_req, res) => setTimeout(() => res.end('late'), 100));
    const responses: TimedResponse[] = [];
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 1000,
      limit: 0,
      maxFail: 10,
      timeoutMs: 1000,
      firstSlotInMs: 0,
      onResponse: (r) => responses.push(r),
    });
    pinger.start();
    await new Promise((r) => setTimeout(r, 30));
    await pinger.stop();
    expect(await pinger.ended).toBe('stopped');
    expect(responses).toHaveLength(1);
  });

  it('abandons a request still running after the stop grace, without counting it', async () => {
    const port = await serve(() => {}); // never answers
    const responses: TimedResponse[] = [];
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 1000,
      limit: 0,
      maxFail: 10,
      timeoutMs: 10_000,
      firstSlotInMs: 0,
      onResponse: (r) => responses.push(r),
    });
    pinger.start();
    await new Promise((r) => setTimeout(r, 30));
    const started = Date.now();
    await pinger.stop(100);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(responses).toHaveLength(0);
    expect(pinger.fails).toBe(0);
  });

  it('times a request out and counts it as a failure', async () => {
    const port = await serve(() => {}); // never answers
    const responses: TimedResponse[] = [];
    const pinger = new Pinger(parseEndpoint(`http://127.0.0.1:${port}/`), {
      delayMs: () => 100,
      limit: 0,
      maxFail: 1,
      timeoutMs: 80,
      firstSlotInMs: 0,
      onResponse: (r) => responses.push(r),
    });
    pinger.start();
    expect(await pinger.ended).toBe('maxfail');
    expect(responses[0]).toMatchObject({ status: 0, error: 'timeout' });
  });
});
