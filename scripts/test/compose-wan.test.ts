// The compose stack's WAN option (docker-compose.wan.yml), checked without a Docker engine (none
// runs here): docker-compose validates and resolves both files, and the wan service's router
// script and the collectors' route sidecar script run as written, each in a network namespace on
// one private segment (TestNetwork, like the compose network), with the real WAN emulator. The
// images themselves and Docker's handling of network_mode/sysctls/devices are not exercised.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildWanEmulator,
  expectedRoundTripMs,
  quantile,
  repoRoot,
  TestNetwork,
  type NetworkNamespace,
} from '@pingsphere/testbed';
import { composeWanModel, composeWanSites } from '../demo/compose-wan-model.js';
import { compressedDayMs, pathBetween } from '../demo/scenario.js';

interface Service {
  cap_add?: string[];
  cap_drop?: string[];
  devices?: string[];
  sysctls?: Record<string, string>;
  network_mode?: string;
  environment?: Record<string, string>;
  command?: string[];
}
const config = (...files: string[]) =>
  parse(
    execFileSync('docker-compose', files.flatMap((f) => ['-f', join(repoRoot, f)]).concat('config'), {
      cwd: repoRoot,
    }).toString(),
  ) as { services: Record<string, Service> };

const serviceDir = join(repoRoot, 'testbed/wan-service');

describe('docker-compose.wan.yml (the compose stack on the emulated WAN; Docker itself is not running)', () => {
  it('is off by default and one variable away: docker-compose.yml alone has no WAN; with it, the router and one route sidecar per collector', () => {
    expect(Object.keys(config('docker-compose.yml').services)).not.toContain('wan');
    expect(readFileSync(join(repoRoot, 'docker-compose.wan.yml'), 'utf8')).toContain(
      'COMPOSE_FILE=docker-compose.yml:docker-compose.wan.yml docker compose up',
    );
    const { services } = config('docker-compose.yml', 'docker-compose.wan.yml');
    const wan = services.wan!;
    expect(wan.cap_drop).toEqual(['ALL']);
    expect(wan.cap_add).toEqual(['NET_ADMIN']);
    expect(wan.devices).toEqual(['/dev/net/tun:/dev/net/tun']);
    expect(wan.sysctls).toMatchObject({ 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0' });
    const sites = composeWanSites();
    expect(sites.map((s) => s.name)).toEqual(wan.environment!.WAN_SITES!.split(' '));
    for (const { name } of sites) {
      const sidecar = services[`${name}-wan-route`]!;
      expect(sidecar.network_mode).toBe(`service:${name}`);
      expect(sidecar.cap_add).toEqual(['NET_ADMIN']);
      expect(sidecar.environment).toMatchObject({ WAN_SELF: name });
      // The collectors themselves are unchanged: raw ICMP sockets and nothing else.
      expect(services[name]!.cap_add).toEqual(['NET_RAW']);
    }
  });

  it('carries its delays as the demo model for the collectors, locations from docker-compose.yml', () => {
    const committed = readFileSync(join(serviceDir, 'model.txt'), 'utf8');
    expect(
      committed,
      'regenerate: node --import tsx scripts/demo/compose-wan-model.ts > testbed/wan-service/model.txt',
    ).toBe(composeWanModel());
  });

  describe('router.sh and route-via-wan.sh, run as written on a private network', () => {
    let network: TestNetwork;
    let startedMs: number;
    const sites = composeWanSites();
    const host = (name: string) => network.host(name);

    async function run(ns: NetworkNamespace, script: string, env: Record<string, string>) {
      const result = await ns.exec('/bin/sh', [join(serviceDir, script)], { env, timeoutMs: 30_000 });
      if (result.exitCode !== 0) throw new Error(`${script} failed: ${result.stderr}`);
      return result;
    }

    beforeAll(async () => {
      network = await TestNetwork.create(['wan', ...sites.map((s) => s.name)]);
      const wan = host('wan').ns;
      // What docker-compose.wan.yml's sysctls give the container.
      const sysctls = await wan.exec('sysctl', [
        '-q',
        '-w',
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.default.send_redirects=0',
      ]);
      expect(sysctls.exitCode).toBe(0);
      startedMs = Date.now();
      const router = wan.spawn('/bin/sh', [join(serviceDir, 'router.sh')], {
        env: {
          ...process.env,
          PATH: `${dirname(buildWanEmulator())}:${process.env.PATH}`,
          WAN_SITES: sites.map((s) => s.name).join(' '),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      router.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      router.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 30_000;
      while (!output.includes('wan: up') && Date.now() < deadline && router.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain('wan: up');
      expect(output).not.toContain('error');
      for (const { name } of sites) {
        await run(host(name).ns, 'route-via-wan.sh', {
          WAN_SITES: sites.map((s) => s.name).join(' '),
          WAN_SELF: name,
          WAN_ONCE: '1',
        });
      }
    });

    afterAll(async () => {
      await network?.dispose();
    });

    it('routes each collector to the others through wan, and leaves everything else direct', async () => {
      const wanAddress = host('wan').address;
      const routes = (await host('fra').ns.exec('ip', ['route', 'show'])).stdout;
      expect(routes).toContain(`${host('virginia').address} via ${wanAddress}`);
      expect(routes).toContain(`${host('singapore').address} via ${wanAddress}`);
      expect(routes).not.toContain(`${host('fra').address} via`);
      expect(routes).toMatch(/198\.18\.0\.0\/24 dev eth0/);
    });

    it('gives every pair of collectors its modelled round trip, and the longer path to flows opened in Singapore toward Frankfurt', async () => {
      const clock = { periodMs: compressedDayMs, epochMs: startedMs - compressedDayMs / 2 };
      const p50 = async (from: string, to: string) => {
        const result = await host(from).ns.exec(
          'fping',
          ['-q', '-C', '10', '-p', '100', '-t', '1000', host(to).address],
          {
            timeoutMs: 30_000,
          },
        );
        const values = result.stderr
          .split(':')[1]!
          .trim()
          .split(/\s+/)
          .filter((v) => v !== '-')
          .map(Number);
        return quantile(values, 0.5);
      };
      const location = (name: string) => sites.find((s) => s.name === name)!.location;
      for (const [from, to] of [
        ['fra', 'virginia'],
        ['virginia', 'fra'],
        ['fra', 'singapore'],
        ['singapore', 'fra'],
        ['virginia', 'singapore'],
      ] as const) {
        const measured = await p50(from, to);
        const expected = expectedRoundTripMs(pathBetween(location(from), location(to)), Date.now(), clock);
        // Expected at the moment of the probes (the busy term moves little over fping's second).
        expect(Math.abs(measured - expected), `${from} → ${to}: ${measured} vs ${expected} ms`).toBeLessThanOrEqual(
          0.1 * expected + 1,
        );
      }
      expect((await p50('singapore', 'fra')) - (await p50('fra', 'singapore'))).toBeGreaterThan(70 - 20);
    });
  });
});
