// `pingsphere icmp` judged by what crosses the namespace's devices (a kernel-stamped capture of
// the TUN responder's device), not only by the replies it prints.
import { join } from 'node:path';
import { TunResponder, WireCapture, type WirePacket } from '@pingsphere/native/testing';
import { repoRoot, withNetworkNamespace, type NetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

const bin = join(repoRoot, 'collector', 'bin', 'pingsphere.mjs');

function icmp(ns: NetworkNamespace, args: string[]) {
  return ns.exec(process.execPath, [bin, 'icmp', ...args], { timeoutMs: 60_000 });
}

const requests = (packets: WirePacket[]) => packets.filter((p) => p.direction === 'out');

interface JsonProbe {
  target: string;
  seq: number;
  rtt_ms: number | null;
  flow?: number;
}

function probes(stdout: string): JsonProbe[] {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonProbe);
}

describe('pingsphere icmp on the wire', () => {
  it('sends from the -S address with the --ttl hop limit, and without them from the device address with TTL 64', async () => {
    await withNetworkNamespace(async (ns) => {
      const responder = await TunResponder.start(ns, [
        { address: '198.18.0.1', delayUs: 1_000, behaviour: 'reply' },
        { address: '2001:2::1', delayUs: 1_000, behaviour: 'reply' },
      ]);
      await ns.exec('ip', ['addr', 'add', '198.19.255.253/32', 'dev', 'pstun0']);
      const capture = await WireCapture.start(ns, 'pstun0');
      const plain = await icmp(ns, ['--json', '198.18.0.1', '2001:2::1']);
      const chosen = await icmp(ns, ['--json', '-S', '198.19.255.253', '--ttl', '3', '198.18.0.1']);
      const hopLimit = await icmp(ns, ['--json', '--ttl', '5', '2001:2::1']);
      const wire = requests((await capture.stop()).packets);
      await responder.stop();
      for (const result of [plain, chosen, hopLimit]) {
        expect(result.exitCode, result.stderr).toBe(0);
        expect(probes(result.stdout).every((p) => p.rtt_ms !== null)).toBe(true);
      }
      expect(wire.map((p) => [p.src, p.dst, p.ttl]).sort()).toEqual(
        [
          ['198.19.255.254', '198.18.0.1', 64],
          ['2001:2:0:ffff::1', '2001:2::1', 64],
          ['198.19.255.253', '198.18.0.1', 3],
          ['2001:2:0:ffff::1', '2001:2::1', 5],
        ].sort(),
      );
    });
  });

  it('sends through the -I interface even when the route says another one', async () => {
    await withNetworkNamespace(async (ns) => {
      // 198.18.0.0/16 is routed to pstun0; pstun1 has a responder of its own and no route.
      const routed = await TunResponder.start(ns, [{ address: '198.18.0.1', delayUs: 1_000, behaviour: 'reply' }]);
      const other = await TunResponder.start(
        ns,
        [{ address: '198.18.0.1', delayUs: 2_000, behaviour: 'reply' }],
        'pstun1',
        {
          route: false,
          localAddress: '198.19.255.250',
          localAddress6: '2001:2:0:ffff::2',
        },
      );
      const onRouted = await WireCapture.start(ns, 'pstun0');
      const onOther = await WireCapture.start(ns, 'pstun1');
      const viaRoute = await icmp(ns, ['--json', '198.18.0.1']);
      const viaInterface = await icmp(ns, ['--json', '-I', 'pstun1', '198.18.0.1']);
      const routedWire = requests((await onRouted.stop()).packets);
      const otherWire = requests((await onOther.stop()).packets);
      const routedCounters = await routed.stop();
      const otherCounters = await other.stop();
      expect(viaRoute.exitCode).toBe(0);
      expect(viaInterface.exitCode, viaInterface.stderr).toBe(0);
      expect(probes(viaInterface.stdout)[0]!.rtt_ms).toBeGreaterThanOrEqual(2);
      expect(routedWire.map((p) => [p.src, p.dst])).toEqual([['198.19.255.254', '198.18.0.1']]);
      expect(otherWire.map((p) => [p.src, p.dst])).toEqual([['198.19.255.250', '198.18.0.1']]);
      expect(routedCounters.requests).toBe(1);
      expect(otherCounters.requests).toBe(1);
    });
  });

  it('on Ctrl-C reports every probe in flight as lost at once, and every probe sent exactly once', async () => {
    await withNetworkNamespace(async (ns) => {
      const responder = await TunResponder.start(ns, [
        { address: '198.18.0.1', delayUs: 300_000, behaviour: 'reply' },
        { address: '198.18.0.2', delayUs: 0, behaviour: 'drop' },
      ]);
      // A probe every 100 ms to each; with a 20 s timeout, the silent host's probes are all in
      // flight when the signal comes, and so are the answering host's last three.
      const child = ns.spawn(
        process.execPath,
        [bin, 'icmp', '--json', '-c', '1000', '-p', '100', '-t', '20000', '198.18.0.1', '198.18.0.2'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      // Signal once the sweep is well under way (start-up alone can take seconds on a busy machine,
      // and a SIGINT before the handler is installed would just kill the process).
      const deadline = Date.now() + 60_000;
      const answered = () => probes(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).filter((p) => p.rtt_ms !== null);
      while (answered().length < 5 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const signalledAt = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      const exitMs = Date.now() - signalledAt;
      await responder.stop();
      expect(code).toBe(130);
      // At once, not after their 20 s timeout (the margin is for a busy machine).
      expect(exitMs).toBeLessThan(10_000);
      const sent = Number(/sent (\d+) probes/.exec(stderr)?.[1]);
      const printed = probes(stdout);
      expect(printed).toHaveLength(sent);
      expect(stderr).toMatch(new RegExp(`${sent} probes: \\d+ replies, \\d+ lost`));
      for (const target of ['198.18.0.1', '198.18.0.2']) {
        const seqs = printed.filter((p) => p.target === target).map((p) => p.seq);
        // Each probe sent is reported once: probes 0 … k-1, none missing, none twice.
        expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i));
      }
      const silent = printed.filter((p) => p.target === '198.18.0.2');
      expect(silent.length).toBeGreaterThan(5);
      expect(silent.every((p) => p.rtt_ms === null)).toBe(true);
      // The answering host: what came back within 300 ms of sending has its RTT; the probes sent
      // in the last 300 ms before the signal are reported lost, not dropped.
      const answering = printed.filter((p) => p.target === '198.18.0.1').sort((a, b) => a.seq - b.seq);
      const firstLost = answering.findIndex((p) => p.rtt_ms === null);
      expect(firstLost).toBeGreaterThan(0);
      expect(answering.slice(0, firstLost).every((p) => p.rtt_ms! >= 300)).toBe(true);
      expect(answering.slice(firstLost).every((p) => p.rtt_ms === null)).toBe(true);
      expect(answering.length - firstLost).toBeGreaterThanOrEqual(2);
    });
  });

  it('with --flows 4 gives each target four ICMP ids and checksums and prints the flow of each probe', async () => {
    await withNetworkNamespace(async (ns) => {
      const responder = await TunResponder.start(ns, [{ address: '198.18.0.1', delayUs: 1_000, behaviour: 'reply' }]);
      const capture = await WireCapture.start(ns, 'pstun0');
      const result = await icmp(ns, ['--json', '--flows', '4', '-c', '8', '-p', '20', '198.18.0.1']);
      const wire = requests((await capture.stop()).packets);
      await responder.stop();
      expect(result.exitCode, result.stderr).toBe(0);
      expect(probes(result.stdout).map((p) => [p.seq, p.flow])).toEqual(
        [0, 1, 2, 3, 4, 5, 6, 7].map((seq) => [seq, seq % 4]),
      );
      expect(new Set(wire.map((p) => `${p.id}/${p.checksum}`)).size).toBe(4);
      expect(result.stderr).toContain('time stamps: software (kernel TX and RX stamps), 0 TX-stamp fallbacks');
    });
  });

  it('says which time stamps it used, and refuses hardware stamps on a device without them, with the fix', async () => {
    await withNetworkNamespace(async (ns) => {
      const user = await icmp(ns, ['-q', '--timestamps', 'user', '127.0.0.1']);
      expect(user.exitCode).toBe(0);
      expect(user.stderr).toContain('time stamps: user (send time read before sending, kernel RX stamps)');
      const loopback = await icmp(ns, ['--timestamps', 'hardware', '-I', 'lo', '127.0.0.1']);
      expect(loopback.exitCode).toBe(2);
      expect(loopback.stderr.trim()).toMatch(/^pingsphere: lo cannot stamp every packet in hardware.*ethtool -T lo/);
    });
  });
});
