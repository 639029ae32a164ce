import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@pingsphere/testbed';
import {
  hangGuardMs,
  makeCertificate,
  ndjson,
  runCollector,
  runThenStop,
  startCollector,
  startPacedServer,
  type PacedServer,
  type RecordedProcess,
} from '../helpers/processes.js';

interface JsonResult {
  dst: string;
  dst_host: string;
  dst_ip: string;
  dst_loc: string;
  status: number;
  tls_ms: number;
  total_ms: number;
  ok: boolean;
  error: string;
  src_loc: string;
}

describe('pingsphere collect with endpoints on the command line', () => {
  let https: PacedServer;
  let http: PacedServer;
  let failing: PacedServer;
  let certificate: Awaited<ReturnType<typeof makeCertificate>>;

  beforeAll(async () => {
    certificate = await makeCertificate(['mesh.test']);
    [https, http, failing] = await Promise.all([
      startPacedServer({ hosts: ['127.0.0.5'], tls: certificate }),
      startPacedServer({ hosts: ['127.0.0.6'], location: 'Paced,PP' }),
      startPacedServer({ hosts: ['127.0.0.7'], status: 503 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([https?.stop(), http?.stop(), failing?.stop()]);
    certificate?.dispose();
  });

  it('requests an HTTPS endpoint at the -I address, keeping Host header and SNI, with the #Location given', async () => {
    // mesh.test resolves nowhere: only the override can reach the server.
    const url = `https://mesh.test:${https.port}/sni`;
    const run = await runCollector(
      ['--json', '-n', '2', '-d', '0.1', '-L', 'Here,HH', '-I', '127.0.0.5', `${url}#Lab,ZZ`],
      {
        NODE_EXTRA_CA_CERTS: certificate.cert,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const results = ndjson<JsonResult>(run.stdout);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({
        dst: url,
        dst_host: 'mesh.test',
        dst_ip: '127.0.0.5',
        dst_loc: 'Lab,ZZ',
        src_loc: 'Here,HH',
        status: 200,
        ok: true,
      });
      expect(result.tls_ms).toBeGreaterThan(0);
    }
    const seen = https.requests();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const request of seen) {
      expect(request.sni).toBe('mesh.test');
      expect(request.host).toBe(`mesh.test:${https.port}`);
    }
    // In JSON mode the averages go to stderr so stdout stays pure NDJSON.
    expect(run.stderr).toContain('Recorded 2 samples');
  });

  it('fails the TLS check when the certificate is not trusted, and says why', async () => {
    const run = await runCollector([
      '--json',
      '-f',
      '1',
      '-d',
      '0.1',
      '-I',
      '127.0.0.5',
      `https://mesh.test:${https.port}/`,
    ]);
    expect(run.code).toBe(1);
    const [result] = ndjson<JsonResult>(run.stdout);
    expect(result).toMatchObject({ ok: false, status: 0 });
    expect(result!.error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('stops each pinger after -n successful pings, learning the location from the reply', async () => {
    const run = await runCollector(['-n', '3', '-d', '0.1', `http://127.0.0.6:${http.port}/v1/ping`]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => /^\d+ \d+\t/.test(line));
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['1', '2', '3']);
    for (const line of lines) {
      const columns = line.split('\t');
      expect(columns[7]).toBe('200');
      expect(columns[9]).toBe('Paced,PP');
      expect(columns[10]).toBe('127.0.0.6');
    }
    expect(run.stdout).toContain('Recorded 3 samples in');
    expect(run.stdout).toMatch(/3 \d+s\s*\t[\d.]+\t[\d.]+\t0\.000\t/);
  });

  it('reads a bare host:port as http://host:port/', async () => {
    const run = await runCollector(['--json', '-n', '1', '-d', '0.1', `127.0.0.6:${http.port}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(ndjson<JsonResult>(run.stdout)[0]).toMatchObject({ dst: `http://127.0.0.6:${http.port}/`, ok: true });
  });

  it('gives up after -f failures (HTTP errors and refused connections) and exits non-zero', async () => {
    const closedPort = await freeLoopbackPort();
    const run = await runCollector([
      '--json',
      '-f',
      '2',
      '-d',
      '0.1',
      `http://127.0.0.7:${failing.port}/`,
      `http://127.0.0.1:${closedPort}/`,
    ]);
    expect(run.code).toBe(1);
    const results = ndjson<JsonResult>(run.stdout);
    expect(results.filter((r) => r.status === 503)).toHaveLength(2);
    expect(results.filter((r) => r.error === 'ECONNREFUSED')).toHaveLength(2);
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(run.stderr).toMatch(/2 failures \(-f 2\), giving up on it/);
    expect(run.stderr).toContain('Recorded 0 valid samples, 2 failures');
  });

  it('keeps pinging until SIGINT, then prints the averages and exits 0', async () => {
    const collector = startCollector(['-d', '0.1', `http://127.0.0.6:${http.port}/v1/ping`]);
    await collector.waitFor(() => /^3 /m.test(collector.stdout), hangGuardMs, 'three pings');
    collector.signal('SIGINT');
    expect(await collector.exited).toBe(0);
    expect(collector.stderr).toContain('received SIGINT signal, terminating');
    expect(collector.stdout).toMatch(/Recorded \d+ samples in/);
  });

  it('stops promptly on SIGTERM even while a request hangs', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    let connected = false;
    silent.on('connection', () => (connected = true));
    try {
      const port = (silent.address() as AddressInfo).port;
      const collector = startCollector(['-d', '0.1', '--timeout', '60', `http://127.0.0.1:${port}/`]);
      // The baseline: the same collector with an answering peer, stopped at the same moment, so
      // both see the same machine (on a loaded one, stopping any process takes seconds).
      const baseline = startCollector(['-d', '0.1', '--timeout', '60', `http://127.0.0.6:${http.port}/v1/ping`]);
      await collector.waitFor(() => connected, hangGuardMs, 'the request to start');
      await baseline.waitFor(() => /^2 /m.test(baseline.stdout), hangGuardMs, 'two pings of the baseline');
      const timeToExit = async (child: RecordedProcess) => {
        const started = performance.now();
        child.signal('SIGTERM');
        return { code: await child.exited, ms: performance.now() - started };
      };
      const [hung, answered] = await Promise.all([timeToExit(collector), timeToExit(baseline)]);
      expect(hung.code).toBe(0);
      expect(answered.code).toBe(0);
      // The request in flight gets 1 s of grace. Waiting for its 60 s timeout, or leaving only
      // through the exit backstop 3 s after shutdown, would exceed this.
      expect(hung.ms, `baseline stopped in ${answered.ms.toFixed(0)} ms`).toBeLessThan(2 * answered.ms + 2000);
    } finally {
      silent.close();
    }
  });

  it('reports -H (with its addresses), -r and -L in /v1/peers and just serves without endpoints', async () => {
    const port = await freeLoopbackPort();
    const collector = startCollector(['-s', String(port), '-r', '443', '-H', 'localhost', '-L', 'Here,HH']);
    await runThenStop([collector], async () => {
      const url = `http://127.0.0.1:${port}/v1/peers`;
      await collector.waitFor(async () => (await fetch(url)).ok, hangGuardMs, 'the API');
      const document = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(document).toMatchObject({
        SrvLoc: 'Here,HH',
        SrvHost: 'localhost',
        SrvPort: 443,
        NumActive: 0,
        Peers: [],
      });
      expect(document.SrvIPs).toContain('127.0.0.1');
      expect(collector.stderr).toContain('NOTE: not starting any pings, just serving');
    });
  });

  it('warns about a duplicate endpoint and pings it once', async () => {
    const url = `http://127.0.0.6:${http.port}/v1/ping`;
    const run = await runCollector(['--json', '-n', '1', '-d', '0.1', url, `${url}#Again`]);
    expect(run.code).toBe(0);
    expect(ndjson(run.stdout)).toHaveLength(1);
    expect(run.stderr).toContain(`Warning: ${url} is the same URL as ${url}; pinging it once`);
  });
});
