import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetworkNamespace, removeStaleNamespaces, repoRoot, TestNetwork, withNetworkNamespace } from '../src/index.js';

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

describe('NetworkNamespace.relayPorts', () => {
  it('makes a service inside reachable on a host loopback port, and a host port reachable inside, in one relay', async () => {
    const host = createServer((c) => c.end('from host'));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const hostPort = (host.address() as { port: number }).port;
    const ns = await NetworkNamespace.create();
    try {
      const server = ns.spawn('node', [
        '-e',
        `require('net').createServer(c=>c.end('from inside')).listen(7100,'127.0.0.1',()=>console.log('up'))`,
      ]);
      await new Promise((resolve) => server.stdout?.once('data', resolve));
      const relay = await ns.relayPorts({
        fromHost: [{ hostPort, insidePort: 7200 }],
        toHost: [{ address: '127.0.0.1', port: 7100 }],
      });
      const exposed = relay.hostPorts.get('127.0.0.1:7100')!;
      const reply = await new Promise<string>((resolve, reject) => {
        let text = '';
        connect(exposed, '127.0.0.1')
          .on('data', (d) => (text += d.toString()))
          .on('end', () => resolve(text))
          .on('error', reject);
      });
      expect(reply).toBe('from inside');
      const inside = await ns.exec('node', [
        '-e',
        `require('net').connect(7200,'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)})`,
      ]);
      expect(inside.stdout).toBe('from host');
      await relay.close();
      await expect(
        new Promise((resolve, reject) => connect(exposed, '127.0.0.1').on('connect', resolve).on('error', reject)),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await ns.dispose();
      host.close();
    }
  });
});

function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return 'gone';
  }
}

describe('removeStaleNamespaces', () => {
  it("removes the namespaces (and what runs in them) of a killed owner, never a live owner's or another prefix's", async () => {
    // An owner in another process that dies by SIGKILL, leaving its namespace and a process in it.
    const script = [
      "import { NetworkNamespace } from './testbed/src/netns.ts';",
      "const ns = await NetworkNamespace.createOwned('psstaletest', 'left');",
      "ns.spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref();",
      'console.log(ns.name);',
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const leftName = await new Promise<string>((resolve) =>
      owner.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    await new Promise((r) => setTimeout(r, 300));
    const leftPids = execFileSync('ip', ['netns', 'pids', leftName]).toString().trim().split(/\s+/).map(Number);
    expect(leftPids.length).toBeGreaterThan(0);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));

    const ours = await NetworkNamespace.createOwned('psstaletest', 'mine');
    // Our pid with another start time: a later process that got a dead owner's pid.
    const reusedPid = `psstaletest-${process.pid}-1-reused`;
    const otherPrefix = `psstaletestx-${owner.pid}-1-other`;
    execFileSync('ip', ['netns', 'add', reusedPid]);
    execFileSync('ip', ['netns', 'add', otherPrefix]);
    try {
      const removed = await removeStaleNamespaces('psstaletest');
      expect(removed.sort()).toEqual([leftName, reusedPid].sort());
      const listed = execFileSync('ip', ['netns', 'list']).toString();
      expect(listed).toContain(ours.name);
      expect(listed).toContain(otherPrefix);
      expect(listed).not.toContain(leftName);
      // Killed: gone, or a zombie until whoever adopted the orphan reaps it.
      for (const pid of leftPids) expect(['gone', 'Z']).toContain(processState(pid));
    } finally {
      await ours.dispose();
      execFileSync('ip', ['netns', 'del', otherPrefix]);
      spawnSync('ip', ['netns', 'del', reusedPid]);
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
