import { execFileSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetworkNamespace, TestNetwork, withNetworkNamespace } from '../src/index.js';

describe('withNetworkNamespace', () => {
  it('gives the body a namespace whose only interface is lo, up, with no route off the host', async () => {
    await withNetworkNamespace(async (ns) => {
      const links = await ns.exec('ip', ['-o', 'link', 'show']);
      expect(links.exitCode).toBe(0);
      const names = links.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(':')[1]?.trim());
      expect(names).toEqual(['lo']);
      expect(links.stdout).toMatch(/LOOPBACK,UP/);

      const routes = await ns.exec('ip', ['route', 'show']);
      expect(routes.stdout.trim()).toBe('');
      const routeToElsewhere = await ns.exec('ip', ['route', 'get', '198.18.0.1']);
      expect(routeToElsewhere.exitCode).not.toBe(0);
    });
  });

  it('removes the namespace and what ran in it afterwards', async () => {
    let name = '';
    await withNetworkNamespace(async (ns) => {
      name = ns.name;
      ns.spawn('sleep', ['30']);
      await new Promise((r) => setTimeout(r, 200));
      expect(execFileSync('ip', ['netns', 'pids', ns.name]).toString().trim()).not.toBe('');
    });
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(name);
  });

  it('is separate from the host: a server listening inside cannot be reached from outside', async () => {
    const ns = await NetworkNamespace.create();
    try {
      const server = ns.spawn('node', [
        '-e',
        `const s=require('net').createServer(c=>c.end('inside')).listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
      ]);
      const port = await new Promise<number>((resolve) =>
        server.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString()))),
      );
      expect(port).toBeGreaterThan(0);

      const fromInside = await ns.exec('node', [
        '-e',
        `require('net').connect(${port},'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)})`,
      ]);
      expect(fromInside.stdout).toBe('inside');

      const fromHost = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('data', (d) => resolve(`connected: ${d.toString()}`));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(fromHost).not.toBe('connected: inside');
    } finally {
      await ns.dispose();
    }
  });

  it('forwards a host loopback port into the namespace without linking the namespace to the host', async () => {
    const host = createServer((c) => c.end('from host'));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const port = (host.address() as { port: number }).port;
    const ns = await NetworkNamespace.create();
    try {
      const forward = await ns.forwardHostPort(port);
      const reply = await ns.exec('node', [
        '-e',
        `require('net').connect(${port},'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)})`,
      ]);
      expect(reply.stdout).toBe('from host');
      expect((await ns.exec('ip', ['-o', 'link', 'show'])).stdout.trim().split('\n')).toHaveLength(1);
      await forward.close();
    } finally {
      await ns.dispose();
      host.close();
    }
  });
});

describe('TestNetwork', () => {
  it('links its hosts on one private segment where names resolve, and nowhere else', async () => {
    const network = await TestNetwork.create(['alpha', 'beta'], { questdb: '127.0.0.1' });
    try {
      const beta = network.host('beta');
      const server = beta.ns.spawn('node', [
        '-e',
        `const s=require('net').createServer(c=>c.end('beta')).listen(7000,'0.0.0.0',()=>console.log('up'))`,
      ]);
      await new Promise((resolve) => server.stdout?.once('data', resolve));
      const reply = await network
        .host('alpha')
        .ns.exec('node', [
          '-e',
          `require('dns').lookup('beta',(e,a)=>{console.log(a);require('net').connect(7000,'beta').on('data',d=>{console.log(String(d));process.exit(0)})})`,
        ]);
      expect(reply.stdout.trim().split('\n')).toEqual(['198.18.0.2', 'beta']);
      const alias = await network.host('alpha').ns.exec('getent', ['hosts', 'questdb']);
      expect(alias.stdout).toMatch(/^127\.0\.0\.1\s+questdb/);
      const routes = (await network.host('alpha').ns.exec('ip', ['route', 'show'])).stdout.trim();
      expect(routes).toBe('198.18.0.0/24 dev eth0 proto kernel scope link src 198.18.0.1');
    } finally {
      await network.dispose();
    }
  });
});
