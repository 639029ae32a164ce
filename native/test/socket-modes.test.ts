import { withNetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { sweepInNamespace, withoutNetRaw } from './fixtures/run-driver.js';

describe('socket modes', () => {
  it('uses unprivileged ping sockets when asked, for IPv4 and IPv6, with every reply validated', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const out = await sweepInNamespace(ns, {
        targets: ['127.0.0.1', '127.0.0.2', '::1'],
        count: 2,
        periodMs: 20,
        socketMode: 'ping',
      });
      expect(out.error).toBeUndefined();
      expect(out.mode).toBe('ping');
      expect(out.results!.filter(([, , rtt]) => rtt >= 0)).toHaveLength(6);
      expect(out.stats).toMatchObject({ replies: 6, badCookie: 0, foreign: 0 });
    });
  });

  it("lets several senders share each flow's ping socket (its id is the flow's), every reply validated once", async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const out = await sweepInNamespace(ns, {
        targets: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '::1'],
        count: 2,
        periodMs: 20,
        socketMode: 'ping',
        senders: 2,
      });
      expect(out.error).toBeUndefined();
      expect(out.mode).toBe('ping');
      expect(out.results!.filter(([, , rtt]) => rtt >= 0)).toHaveLength(10);
      expect(out.stats).toMatchObject({ senders: 2, replies: 10, duplicates: 0, badCookie: 0, foreign: 0 });
    });
  });

  it('falls back to ping sockets on its own when CAP_NET_RAW is gone and ping_group_range allows', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const out = await sweepInNamespace(ns, { targets: ['127.0.0.1'] }, withoutNetRaw);
      expect(out.error).toBeUndefined();
      expect(out.mode).toBe('ping');
      expect(out.stats!.replies).toBe(1);
    });
  });

  it('says both ways to fix it when neither raw nor ping sockets are allowed', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=1 0']);
      const out = await sweepInNamespace(ns, { targets: ['127.0.0.1'] }, withoutNetRaw);
      expect(out.error?.name).toBe('IcmpPermissionError');
      expect(out.error?.message).toContain('setcap cap_net_raw+ep');
      expect(out.error?.message).toContain('net.ipv4.ping_group_range');
    });
  });

  it('refuses a forced raw mode without CAP_NET_RAW, naming the capability', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const out = await sweepInNamespace(ns, { targets: ['127.0.0.1'], socketMode: 'raw' }, withoutNetRaw);
      expect(out.error?.name).toBe('IcmpPermissionError');
      expect(out.error?.message).toContain('CAP_NET_RAW');
    });
  });
});
