import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, withNetworkNamespace, type NetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

const bin = join(repoRoot, 'collector', 'bin', 'pingsphere.mjs');

/** Runs `pingsphere icmp …` inside the namespace (so nothing it sends can leave it). */
function icmp(ns: NetworkNamespace, args: string[], options: { input?: string; prefix?: string[] } = {}) {
  const command = [...(options.prefix ?? []), process.execPath, bin, 'icmp', ...args];
  return ns.exec(command[0]!, command.slice(1), {
    timeoutMs: 60_000,
    ...(options.input ? { input: options.input } : {}),
  });
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pingsphere-icmp-')), name);
  writeFileSync(path, content);
  return path;
}

interface JsonProbe {
  target: string;
  seq: number;
  rtt_ms: number | null;
  ts: string;
}

describe('pingsphere icmp', () => {
  it('prints one NDJSON line per probe with --json, for addresses, CIDR ranges and IPv6', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['--json', '-c', '2', '-p', '50', '127.0.0.1', '127.9.0.0/29', '::1']);
      expect(result.exitCode).toBe(0);
      const probes = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as JsonProbe);
      // 127.9.0.0/29 without network and broadcast = 6 hosts; 8 targets × 2 probes.
      expect(probes).toHaveLength(16);
      expect(new Set(probes.map((p) => p.target))).toEqual(
        new Set(['127.0.0.1', '::1', ...[1, 2, 3, 4, 5, 6].map((i) => `127.9.0.${i}`)]),
      );
      for (const probe of probes) {
        expect(Object.keys(probe)).toEqual(['target', 'seq', 'rtt_ms', 'ts']);
        expect(probe.rtt_ms).toBeGreaterThanOrEqual(0);
        expect(probe.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      }
      expect(result.stderr).toContain('8 alive, 0 unreachable');
      expect(result.stderr).toContain('16 probes: 16 replies, 0 lost');
    });
  });

  it('reads targets from files (with comments) and from stdin with -f -', async () => {
    await withNetworkNamespace(async (ns) => {
      const file = tempFile('targets.txt', '# loopback\n127.0.0.1\n\n127.0.0.2  # second\n');
      const result = await icmp(ns, ['--json', '-f', file, '-f', '-'], { input: '127.0.0.3\n::1\n' });
      expect(result.exitCode).toBe(0);
      const targets = result.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as JsonProbe).target);
      expect(targets.sort()).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '::1']);
    });
  });

  it('resolves hostnames once, lists the ones that fail and sweeps the rest', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['--json', 'localhost', 'no-such-host.invalid']);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/cannot resolve no-such-host\.invalid: \w+ \(skipped\)/);
      const probe = JSON.parse(result.stdout.trim()) as JsonProbe;
      expect(['127.0.0.1', '::1']).toContain(probe.target);
      expect(probe.rtt_ms).not.toBeNull();
    });
  });

  it('prints fping-style lines, lost probes as timed out, and a summary with the socket mode', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('ip', ['route', 'add', 'blackhole', '198.51.100.0/24']);
      const result = await icmp(ns, ['-t', '100', '127.0.0.1', '198.51.100.1']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^127\.0\.0\.1 : \[0\], 64 bytes, \d+\.\d{3} ms$/m);
      expect(result.stdout).toMatch(/^198\.51\.100\.1 : \[0\], timed out$/m);
      expect(result.stderr).toContain('2 targets, raw sockets');
      expect(result.stderr).toContain('1 alive, 1 unreachable');
      expect(result.stderr).toContain('(50.0% loss)');
    });
  });

  it('splits the sweep across the senders asked for and says so in the summary', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['-q', '--unlimited-rate', '--senders', '2', '127.0.0.0/22']);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain('1022 alive, 0 unreachable');
      expect(result.stderr).toMatch(/probes\/s, 2 senders\)/);
    });
  });

  it('with -q prints only the summary', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['-q', '127.0.0.0/28']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('14 alive, 0 unreachable');
    });
  });

  it('says how to grant privileges when neither raw nor ping sockets are allowed', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=1 0']);
      const result = await icmp(ns, ['127.0.0.1'], {
        prefix: ['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw', '--'],
      });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('sudo setcap cap_net_raw+ep $(which node)');
      expect(result.stderr).toContain('net.ipv4.ping_group_range');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('reports the ping-socket mode when it runs without CAP_NET_RAW', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const result = await icmp(ns, ['-q', '127.0.0.1', '::1'], {
        prefix: ['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw', '--'],
      });
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain('2 targets, ping sockets');
      expect(result.stderr).toContain('2 alive');
    });
  });

  it('sends from a chosen source address and interface, with a chosen TTL and payload size', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['-S', '127.0.0.2', '-I', 'lo', '--ttl', '3', '-b', '100', '127.0.0.1']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^127\.0\.0\.1 : \[0\], 108 bytes, /m);
    });
  });

  it('refuses a source address this host does not have, saying what to give instead', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['-S', '198.51.100.9', '127.0.0.1']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/cannot use the source address: .*give an address assigned to this host/);
    });
  });

  it('shows progress on stderr for a big sweep even when stderr is not a terminal', async () => {
    await withNetworkNamespace(async (ns) => {
      // 131,070 targets at 50,000 probes/s: about 2.6 s, so at least one progress line.
      const result = await icmp(ns, ['-q', '--rate', '50000', '127.0.0.0/15']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^\[progress\] \d+\/131070 probes sent, \d+ done, \d+ s$/m);
      expect(result.stderr).toContain('131070 alive, 0 unreachable');
    });
  });

  it('refuses a sweep with more probes than the engine holds', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['-c', '100', '127.0.0.0/8']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/too many probes for one sweep: .*lower -c\/--count or split the targets/);
    });
  });

  it('says plainly that the addon is not built, and how to build it, instead of falling back to ping', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['127.0.0.1'], {
        prefix: ['env', 'PINGSPHERE_ICMP_ADDON=/nonexistent/pingsphere_icmp.node'],
      });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim()).toBe(
        'pingsphere: the ICMP addon is not built (/nonexistent/pingsphere_icmp.node is missing): run `npm install` (needs g++, make, python3)',
      );
    });
  });

  it('prints its usage with --help', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await icmp(ns, ['--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Usage: pingsphere icmp [targets…]');
      expect(result.stdout).toContain('--unlimited-rate');
    });
  });

  describe('refuses bad input with one clear line and exit status 2', () => {
    const cases: [string, string[], RegExp][] = [
      ['a malformed address', ['300.1.1.1'], /"300\.1\.1\.1" is not a valid IPv4 address.*\(argument\)/],
      ['a malformed hostname', ['bad_host!'], /"bad_host!" is not a valid target/],
      ['a bad CIDR range', ['10.0.0.0/33'], /not a valid CIDR range: an IPv4 prefix is at most 32/],
      ['an unknown flag', ['--frobnicate', '127.0.0.1'], /Unknown option '--frobnicate'.*pingsphere icmp --help/],
      [
        '--rate 0',
        ['--rate', '0', '127.0.0.1'],
        /--rate must be a number of probes per second above 0.*--unlimited-rate/,
      ],
      ['--senders 0', ['--senders', '0', '127.0.0.1'], /--senders must be auto or a whole number from 1 to 64, got 0/],
      ['a non-numeric sender count', ['--senders', 'two', '127.0.0.1'], /--senders needs a number, got "two"/],
      ['a non-numeric count', ['-c', 'many', '127.0.0.1'], /-c\/--count needs a number, got "many"/],
      ['a payload too small for the cookie', ['-b', '8', '127.0.0.1'], /-b\/--size must be 24 to 65000 bytes/],
      ['no targets at all', [], /no targets: give addresses, hostnames or CIDR ranges/],
      [
        'a missing target file',
        ['-f', '/nonexistent/targets.txt'],
        /cannot read target file "\/nonexistent\/targets\.txt": no such file/,
      ],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      await withNetworkNamespace(async (ns) => {
        const result = await icmp(ns, args);
        expect(result.exitCode).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      });
    });

    it('an empty target file', async () => {
      await withNetworkNamespace(async (ns) => {
        const result = await icmp(ns, ['-f', tempFile('empty.txt', '# nothing here\n')]);
        expect(result.exitCode).toBe(2);
        expect(result.stderr.trim()).toBe(
          'pingsphere: no targets: the target list is empty (give addresses, hostnames or CIDR ranges)',
        );
      });
    });

    it('a malformed line in a target file: named with file, line and fix, skipped, the rest swept', async () => {
      await withNetworkNamespace(async (ns) => {
        const file = tempFile('targets.txt', '127.0.0.1\n127.0.0.256\n127.0.0.2 name=two\n');
        const result = await icmp(ns, ['--json', '-f', file]);
        expect(result.exitCode).toBe(2);
        expect(result.stderr).toMatch(
          /targets\.txt line 2: "127\.0\.0\.256" is not a valid IPv4 address \(expected four numbers 0-255, like 192\.0\.2\.1\); the line is skipped/,
        );
        expect(result.stderr).toContain('1 bad target lines were skipped');
        const targets = result.stdout
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as JsonProbe).target);
        expect(targets.sort()).toEqual(['127.0.0.1', '127.0.0.2']);
      });
    });
  });
});
