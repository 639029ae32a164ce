import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ip, NetworkNamespace } from './netns.js';

/** One host of a TestNetwork: its namespace and its address on the shared segment. */
export interface TestHost {
  name: string;
  address: string;
  ns: NetworkNamespace;
}

/**
 * Several test hosts on one private Ethernet segment, like containers on a compose network: each
 * host is a fresh namespace with a veth link to a bridge that lives in a namespace of its own, and
 * addresses from 198.18.0.0/24 (RFC 2544's benchmarking range). Nothing links it to the real
 * host's network. Host names resolve through a per-namespace /etc/hosts (`ip netns exec` mounts
 * /etc/netns/NAME/hosts over /etc/hosts).
 */
export class TestNetwork {
  private constructor(
    private readonly switchNs: NetworkNamespace,
    readonly hosts: TestHost[],
  ) {}

  /** Creates the hosts in order: the first gets 198.18.0.1, the next .2, and so on. */
  static async create(names: readonly string[], aliases: Record<string, string> = {}): Promise<TestNetwork> {
    if (names.length === 0 || names.length > 250) throw new Error('a TestNetwork holds 1 to 250 hosts');
    const switchNs = await NetworkNamespace.create('ps-switch');
    const network = new TestNetwork(switchNs, []);
    try {
      await ip(['-n', switchNs.name, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', switchNs.name, 'link', 'set', 'br0', 'up']);
      for (const [index, name] of names.entries()) {
        const ns = await NetworkNamespace.create('ps-host');
        const address = `198.18.0.${index + 1}`;
        network.hosts.push({ name, address, ns });
        const port = `p${index}`;
        await ip(['-n', ns.name, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', switchNs.name]);
        await ip(['-n', switchNs.name, 'link', 'set', port, 'master', 'br0', 'up']);
        await ip(['-n', ns.name, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
        await ip(['-n', ns.name, 'link', 'set', 'eth0', 'up']);
      }
      const hostsFile = [
        '127.0.0.1 localhost',
        ...network.hosts.map((h) => `${h.address} ${h.name}`),
        ...Object.entries(aliases).map(([name, address]) => `${address} ${name}`),
      ].join('\n');
      for (const host of network.hosts) {
        const dir = join('/etc/netns', host.ns.name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'hosts'), `${hostsFile}\n`);
      }
    } catch (error) {
      await network.dispose();
      throw error;
    }
    return network;
  }

  host(name: string): TestHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no host "${name}" in this test network`);
    return host;
  }

  /** Stops everything that runs on the hosts and removes the namespaces and their hosts files. */
  async dispose(): Promise<void> {
    for (const host of this.hosts) {
      await host.ns.dispose();
      rmSync(join('/etc/netns', host.ns.name), { recursive: true, force: true });
    }
    await this.switchNs.dispose();
  }
}
