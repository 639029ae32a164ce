// `pingsphere trace` on a chain of router namespaces (testbed RouterChain): the hops and their
// addresses, the delay the WAN emulator adds on one link (emulated: a userspace TUN process, this
// kernel has no netem), both ECMP branches with --flows, the silent hop, and forged quotes that
// are counted and never reported. All probes stay inside the chain's namespaces.
import { join } from 'node:path';
import { chainHops, firstHopDevice, QuoteForger, repoRoot, RouterChain } from '@pingsphere/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(repoRoot, 'collector', 'bin', 'pingsphere.mjs');
const delayMs = 15;

interface JsonHop {
  target: string;
  flow: number;
  hop: number;
  addr: string | null;
  sent: number;
  received: number;
  rtt_ms_min: number | null;
  rtt_ms_avg: number | null;
  rtt_ms_max: number | null;
}

let chain: RouterChain;

beforeAll(async () => {
  chain = await RouterChain.create({ targets: 20, delayMs });
});

afterAll(async () => {
  await chain?.dispose();
});

async function trace(args: string[]) {
  const result = await chain.tracer.exec(process.execPath, [bin, 'trace', ...args], { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`pingsphere trace exited ${result.exitCode}: ${result.stderr}`);
  return result;
}

function parseHops(stdout: string): JsonHop[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonHop);
}

/** A counter from the summary line on stderr ("trace: … 12 failed validation …"). */
function summaryCount(stderr: string, label: string): number {
  const summary = stderr.split('\n').find((line) => line.startsWith('trace: ')) ?? '';
  const match = new RegExp(`(\\d+) ${label}`).exec(summary);
  if (!match) throw new Error(`no "${label}" in the summary: ${stderr}`);
  return Number(match[1]);
}

describe.each([4, 6] as const)('pingsphere trace over the router chain, IPv%i', (family) => {
  const target = () => (family === 4 ? chain.targetsV4[0]! : chain.targetsV6[0]!);

  it('finds every hop, the delayed link, the silent hop and both ECMP paths (--flows 2)', async () => {
    const result = await trace([
      '--json',
      '-q',
      '3',
      '--max-hops',
      '12',
      '--flows',
      '2',
      '--rate',
      '500',
      '-t',
      '1000',
      target(),
    ]);
    const hops = parseHops(result.stdout);
    for (const hop of hops) {
      expect(Object.keys(hop)).toEqual([
        'target',
        'flow',
        'hop',
        'addr',
        'sent',
        'received',
        'rtt_ms_min',
        'rtt_ms_avg',
        'rtt_ms_max',
      ]);
    }
    const branches = new Set<string>();
    for (const flow of [0, 1]) {
      const path = hops.filter((h) => h.flow === flow);
      // Stops at the destination (hop 7), not at --max-hops.
      expect(path.map((h) => h.hop)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const branch = path[3]!.addr === RouterChain.expectedHops(family, 'a')[3] ? 'a' : 'b';
      branches.add(branch);
      const expected = [...RouterChain.expectedHops(family, branch), target()];
      expected[chainHops.r5 - 1] = null as unknown as string; // the silent hop
      expect(path.map((h) => h.addr)).toEqual(expected);
      const silent = path[chainHops.r5 - 1]!;
      expect(silent).toMatchObject({ sent: 3, received: 0, rtt_ms_min: null, rtt_ms_avg: null, rtt_ms_max: null });
      for (const hop of path.filter((h) => h.addr !== null)) expect(hop.received).toBe(3);
      // r2 delays its link toward r3 by delayMs each way: hop 3 onward is 2 × delayMs slower than
      // hop 2. Minimums: the emulator may be late under load, never early.
      const before = path[chainHops.r2 - 1]!;
      for (const after of path.slice(chainHops.r3 - 1).filter((h) => h.addr !== null)) {
        expect(after.rtt_ms_min! - before.rtt_ms_min!).toBeGreaterThan(2 * delayMs * 0.9);
        expect(after.rtt_ms_min! - before.rtt_ms_min!).toBeLessThan(2 * delayMs + 40);
      }
      expect(before.rtt_ms_min!).toBeLessThan(2 * delayMs * 0.9);
    }
    // Two flows, neighbouring ICMP ids: r3's ECMP hash on the id sends them different ways.
    expect(branches).toEqual(new Set(['a', 'b']));
    expect(summaryCount(result.stderr, 'failed validation')).toBe(0);
  });

  it('keeps each flow on its ECMP branch from one trace to the next in one process (no false path changes)', async () => {
    // A collector traces a pair again and again; flow f's ICMP id (what r3 hashes on) must not
    // change between those traces. Six traces of four flows: with an id drawn anew per trace, all
    // six would agree by chance once in 32.
    const script = join(repoRoot, 'collector', 'test', 'trace', 'fixtures', 'trace-repeatedly.ts');
    const result = await chain.tracer.exec(process.execPath, ['--import', 'tsx', script, target(), '6'], {
      timeoutMs: 90_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const runs = JSON.parse(result.stdout) as Array<Array<{ flow: number; hops: Array<string | null> }>>;
    expect(runs).toHaveLength(6);
    for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
    // …and the four flows do take both branches (the test would be empty otherwise).
    expect(new Set(runs[0]!.map((path) => JSON.stringify(path.hops))).size).toBe(2);
  });

  it('prints an mtr-like report with the distinct paths, ??? for the silent hop', async () => {
    const result = await trace(['-q', '2', '--flows', '4', '--rate', '500', '-t', '800', target()]);
    expect(result.stdout).toContain(`trace to ${target()} (flow 0): reached in 7 hops`);
    expect(result.stdout).toMatch(/ {2}5\.\|-- \?\?\? +100\.0% +2 /);
    expect(result.stdout).toContain(`2 distinct paths to ${target()} over 4 flows`);
    expect(result.stdout).toContain(RouterChain.expectedHops(family, 'a')[3]);
    expect(result.stdout).toContain(RouterChain.expectedHops(family, 'b')[3]);
  });

  it('counts forged time-exceeded and echo replies and reports none of them', async () => {
    const fake = { fakeSource4: '198.18.250.1', fakeSource6: 'fd00:5054:250::1' };
    const forger = await QuoteForger.start(chain.router('r1'), firstHopDevice, { ...fake, maxProbes: 6, seconds: 20 });
    let result;
    try {
      result = await trace(['--json', '-q', '3', '--max-hops', '8', '--rate', '200', '-t', '1500', target()]);
    } catch (error) {
      forger.kill();
      throw error;
    }
    // The forger answers the trace's first 6 probes (3 forgeries each) and exits.
    const forged = await forger.done();
    expect(forged.probes).toBe(6);
    const hops = parseHops(result.stdout);
    expect(hops.map((h) => h.addr)).not.toContain(fake.fakeSource4);
    expect(hops.map((h) => h.addr)).not.toContain(fake.fakeSource6);
    expect(hops.at(-1)).toMatchObject({ hop: 7, addr: target(), received: 3 });
    // Every forgery is counted as failing validation (none as an answer, none lost from the count).
    expect(summaryCount(result.stderr, 'failed validation')).toBe(
      forged['quote-payload'] + forged['quote-header'] + forged['echo-payload'],
    );
  });
});

describe('pingsphere trace of many targets in one run', () => {
  it('traces 20 IPv4 and 20 IPv6 targets together and skips the TTLs past each destination', async () => {
    const targets = [...chain.targetsV4, ...chain.targetsV6];
    const result = await trace(['--json', '-q', '2', '--max-hops', '20', '--rate', '2000', '-t', '1000', ...targets]);
    const hops = parseHops(result.stdout);
    for (const target of targets) {
      const path = hops.filter((h) => h.target === target);
      expect(path.map((h) => h.hop)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(path.at(-1)).toMatchObject({ addr: target, received: 2 });
    }
    // 40 targets × 20 TTLs × 2 probes planned; those sent after a destination answered are not.
    const sent = summaryCount(result.stderr, 'probes sent');
    expect(sent).toBeLessThan(40 * 20 * 2);
    expect(sent).toBeGreaterThanOrEqual(40 * 7 * 2);
    expect(result.stderr).toContain('40/40 reached');
  });
});

describe('a degradation on one link', () => {
  it('shows in the next trace at the hop after the delayed link, and only from there', async () => {
    const target = chain.targetsV4[1]!;
    const added = async () => {
      const hops = parseHops((await trace(['--json', '-q', '3', '--rate', '500', '-t', '1000', target])).stdout);
      const min = (hop: number) => hops.find((h) => h.hop === hop)!.rtt_ms_min!;
      return { atR2: min(chainHops.r2) - min(chainHops.r1), atR3: min(chainHops.r3) - min(chainHops.r2) };
    };
    const before = await added();
    await chain.setDelayMs(delayMs + 25);
    try {
      const after = await added();
      // 25 ms more each way on r2 → r3: +50 ms from hop 3 on, nothing at hop 2.
      expect(after.atR3 - before.atR3).toBeGreaterThan(50 * 0.9);
      expect(after.atR3 - before.atR3).toBeLessThan(50 + 40);
      expect(Math.abs(after.atR2 - before.atR2)).toBeLessThan(10);
    } finally {
      await chain.setDelayMs(delayMs);
    }
  });
});
