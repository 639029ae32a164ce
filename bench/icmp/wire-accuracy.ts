// Accuracy against the wire: 60,000 TUN hosts answer after 1-9.5 ms; a kernel-stamped AF_PACKET
// capture of the TUN device (native/testing/wire-capture.c) gives each probe's true RTT at the
// device, so the responder's own lateness is not counted as anyone's error. pingsphere (kernel
// TX stamps, and user-space send times for comparison) and fping run on the same bed at 10 k
// probes/s, 100 k probes/s and unlimited. Part of `npm run bench:icmp`; alone with
// `tsx bench/icmp/run.ts --only accuracy`.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { median, quantile, type NetworkNamespace } from '@pingsphere/testbed';
import {
  probeKey,
  tunAddresses,
  TunResponder,
  WireCapture,
  wireRttsNs,
  type TunHost,
  type WirePacket,
} from '@pingsphere/native/testing';

const hostCount = 60_000;
const timeoutMs = 1_000;

interface Contender {
  name: string;
  /** Runs one sweep of every host; returns [target, rttUs | null] per probe. */
  run(ns: NetworkNamespace, file: string): Promise<Map<string, number | null>>;
  /** The wire's RTT (ns) of each probe this contender sent, keyed by target. */
  wire(packets: WirePacket[], index: Map<string, number>): Map<string, number>;
}

interface Accuracy {
  p50Us: number;
  p99Us: number;
  maxUs: number;
  falseLosses: number;
  lost: number;
  /** Replies the capture did not see (its own drops), left out of the error figures. */
  unseen: number;
  captureDrops: number;
  seconds: number;
}

export interface AccuracyOptions {
  bin: string;
  repeat: number;
  log: (message: string) => void;
  outDir: string;
}

const rates: { label: string; pps: number | 'unlimited'; fpingIntervalMs: string }[] = [
  { label: '10 k probes/s', pps: 10_000, fpingIntervalMs: '0.1' },
  { label: '100 k probes/s', pps: 100_000, fpingIntervalMs: '0.01' },
  { label: 'unlimited', pps: 'unlimited', fpingIntervalMs: '0' },
];

/** The wire RTT of the first request to each address and its first reply (one probe per target). */
function wireByAddress(packets: WirePacket[]): Map<string, number> {
  const out = new Map<string, bigint>();
  const rtts = new Map<string, number>();
  for (const p of packets) if (p.direction === 'out' && !out.has(p.dst)) out.set(p.dst, p.tsNs);
  for (const p of packets) {
    const sent = out.get(p.src);
    if (p.direction === 'in' && sent !== undefined && !rtts.has(p.src)) rtts.set(p.src, Number(p.tsNs - sent));
  }
  return rtts;
}

function pingsphere(bin: string, rateArgs: string[], stampArgs: string[], name: string): Contender {
  return {
    name,
    async run(ns, file) {
      // The installed command itself (a launcher script, not a file for node to run).
      const r = await ns.exec(bin, ['icmp', '--json', '-t', String(timeoutMs), ...rateArgs, ...stampArgs, '-f', file], {
        timeoutMs: 300_000,
      });
      if (r.exitCode !== 0) throw new Error(`pingsphere failed (${r.exitCode}): ${r.stderr}`);
      const results = new Map<string, number | null>();
      for (const line of r.stdout.trim().split('\n')) {
        const probe = JSON.parse(line) as { target: string; rtt_ms: number | null };
        results.set(probe.target, probe.rtt_ms === null ? null : probe.rtt_ms * 1000);
      }
      return results;
    },
    wire(packets, index) {
      const byKey = wireRttsNs(packets);
      const rtts = new Map<string, number>();
      for (const [target, i] of index) {
        const rtt = byKey.get(probeKey(target, i, 0));
        if (rtt !== undefined) rtts.set(target, rtt);
      }
      return rtts;
    },
  };
}

function fping(intervalMs: string): Contender {
  return {
    name: `\`fping -C1 -q -i ${intervalMs}\``,
    async run(ns, file) {
      const r = await ns.exec('fping', ['-C1', '-q', '-i', intervalMs, '-t', String(timeoutMs), '-f', file], {
        timeoutMs: 300_000,
      });
      const results = new Map<string, number | null>();
      for (const m of r.stderr.matchAll(/^(\S+)\s+:\s+(\S+)$/gm)) {
        results.set(m[1]!, m[2] === '-' ? null : Number(m[2]) * 1000);
      }
      if (results.size === 0) throw new Error(`fping failed (${r.exitCode}): ${r.stderr.slice(-500)}`);
      return results;
    },
    wire: (packets) => wireByAddress(packets),
  };
}

async function measure(
  ns: NetworkNamespace,
  contender: Contender,
  file: string,
  index: Map<string, number>,
): Promise<Accuracy> {
  const capture = await WireCapture.start(ns, 'pstun0');
  const started = Date.now();
  const results = await contender.run(ns, file);
  const seconds = (Date.now() - started) / 1000;
  const wire = await capture.stop();
  const wireRtts = contender.wire(wire.packets, index);
  const errorsUs: number[] = [];
  let falseLosses = 0;
  let lost = 0;
  let unseen = 0;
  for (const [target, rttUs] of results) {
    const wireNs = wireRtts.get(target);
    if (rttUs === null) {
      lost++;
      if (wireNs !== undefined && wireNs < timeoutMs * 1e6) falseLosses++;
    } else if (wireNs === undefined) {
      unseen++;
    } else {
      errorsUs.push(Math.abs(rttUs - wireNs / 1000));
    }
  }
  // NaN in the table when no probe had both a reply and a wire time (all lost or unseen).
  const at = (q: number) => (errorsUs.length > 0 ? quantile(errorsUs, q) : NaN);
  return {
    p50Us: at(0.5),
    p99Us: at(0.99),
    maxUs: at(1),
    falseLosses,
    lost,
    unseen,
    captureDrops: wire.drops,
    seconds,
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs the accuracy benchmark in `ns` and returns its markdown section. */
export async function wireAccuracy(ns: NetworkNamespace, options: AccuracyOptions): Promise<string[]> {
  // Delays of 1.0-9.5 ms (a fixed permutation): fping prints such RTTs to 10 µs.
  const hosts: TunHost[] = tunAddresses(hostCount).map((address, i) => ({
    address,
    delayUs: 1_000 + ((i * 7_919) % 8_500),
    behaviour: 'reply',
  }));
  const file = join(options.outDir, 'tun-60k.txt');
  writeFileSync(file, hosts.map((h) => h.address).join('\n') + '\n');
  const index = new Map(hosts.map((h, i) => [h.address, i]));
  const responder = await TunResponder.start(ns, hosts);
  // Room in the device queue for an unlimited sweep's bursts.
  await ns.exec('ip', ['link', 'set', 'pstun0', 'txqueuelen', '10000']);
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const lines = [
    `### 3. Accuracy against the wire: ${fmt(hostCount)} TUN hosts, delays 1-9.5 ms, one probe each (median of ${options.repeat})`,
    '',
    '| rate | contender | abs. error p50 µs | p99 µs | max µs | p99 µs (worst run) | false losses (worst run) | lost | sweep s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes: string[] = [];
  try {
    for (const rate of rates) {
      const rateArgs = rate.pps === 'unlimited' ? ['--unlimited-rate'] : ['--rate', String(rate.pps)];
      const contenders = [
        pingsphere(options.bin, rateArgs, [], `**pingsphere** \`icmp ${rateArgs.join(' ')}\` (kernel TX stamps)`),
        pingsphere(
          options.bin,
          rateArgs,
          ['--timestamps', 'user'],
          'pingsphere `--timestamps user` (send time read before sendmmsg)',
        ),
        fping(rate.fpingIntervalMs),
      ];
      for (const contender of contenders) {
        const runs: Accuracy[] = [];
        for (let i = 1; i <= options.repeat; i++) {
          options.log(`3/3 accuracy against the wire, ${rate.label}, ${contender.name}: round ${i}/${options.repeat}`);
          runs.push(await measure(ns, contender, file, index));
        }
        lines.push(
          `| ${rate.label} | ${contender.name} | ${fmt(median(runs.map((r) => r.p50Us)), 1)} | ${fmt(median(runs.map((r) => r.p99Us)), 1)} | ${fmt(median(runs.map((r) => r.maxUs)))} | ${fmt(Math.max(...runs.map((r) => r.p99Us)), 1)} | ${fmt(Math.max(...runs.map((r) => r.falseLosses)))} | ${fmt(median(runs.map((r) => r.lost)))} | ${fmt(median(runs.map((r) => r.seconds)), 2)} |`,
        );
        const unseen = Math.max(...runs.map((r) => r.unseen));
        const drops = Math.max(...runs.map((r) => r.captureDrops));
        if (unseen > 0 || drops > 0) {
          notes.push(
            `${rate.label}, ${contender.name}: the capture missed up to ${fmt(unseen)} replies (${fmt(drops)} kernel drops of the capture socket); left out of the errors.`,
          );
        }
      }
    }
  } finally {
    await responder.stop();
  }
  lines.push(
    '',
    'error = |measured RTT − RTT on the wire|, the wire being the kernel time stamps of the request leaving and the reply',
    'arriving at the TUN device (AF_PACKET capture), so the responder’s own scheduling is in both and counts for no one.',
    'A false loss is a probe reported lost whose reply the capture saw within the timeout. fping prints RTTs to 3',
    'significant digits (10 µs here); "sweep s" is the contender’s wall time including start-up.',
    `Load average before: ${loadBefore}; after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    ...notes,
  );
  return lines;
}
