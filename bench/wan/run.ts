// `npm run bench:wan`: the WAN emulator's own added error, against a kernel-stamped capture of
// its TUN device (tcpdump, ns time stamps), at several packet rates. Every packet is seen going
// into the emulator and coming back out; hold − the delay set is what the emulator adds. There is
// no netem on this kernel to run beside it; the 0 ms path is the floor (read, heap, write) that
// every delay carries. As root: it builds two emulated sites in namespaces of its own and sends
// only between them (fping). Also the emulator's CPU per 1,000 packets. Prints a markdown table.
//
//   npm run bench:wan -- [--seconds 4] [--rates 200,2000,10000]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  EmulatedWan,
  ipv4Summary,
  PacketCapture,
  pairHeldPackets,
  quantile,
  removeStaleNamespaces,
} from '@pingsphere/testbed';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '4' }, rates: { type: 'string', default: '200,2000,10000' } },
});
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
if (!(seconds >= 1) || rates.some((r) => !(r >= 10 && r <= 20_000))) {
  process.stderr.write('bench:wan: --seconds must be ≥ 1 and --rates packets/s between 10 and 20000\n');
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`[bench:wan] ${line}\n`);
const targets = 100;

/** utime + stime of a process, seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

await removeStaleNamespaces('psbenchwan');
const wan = await EmulatedWan.create({
  prefix: 'psbenchwan',
  sites: [
    { name: 'a', host: true },
    { name: 'b', host: false, targets },
  ],
  seed: 1,
});
const rows: string[] = [];
try {
  const a = wan.site('a');
  const b = wan.site('b');
  for (const delayMs of [0, 20]) {
    await wan.setPath('a', 'b', { thereUs: delayMs * 1000, backUs: delayMs * 1000 });
    for (const rate of rates) {
      // fping: every target every `period` ms, `targets` of them: rate packets/s of requests.
      const periodMs = Math.max(1, Math.round((targets * 1000) / rate));
      const count = Math.max(3, Math.round((seconds * 1000) / periodMs));
      const cpuBefore = cpuSeconds(wan.emulator.pid!);
      const capture = await PacketCapture.start(wan.router, 'wan0');
      const run = await a.ns!.exec(
        'fping',
        ['-q', '-C', String(count), '-p', String(periodMs), '-i', '0.1', '-t', '1000', ...b.targets],
        { timeoutMs: 120_000 },
      );
      await new Promise((r) => setTimeout(r, 200 + delayMs * 2));
      const { held, unpaired } = pairHeldPackets(await capture.stop());
      const cpu = cpuSeconds(wan.emulator.pid!) - cpuBefore;
      if (run.exitCode > 1) throw new Error(`fping failed: ${run.stderr.slice(0, 500)}`);
      const errorsUs = held
        .filter((p) => ipv4Summary(p.bytes).protocol === 1)
        .map((p) => p.holdNs / 1000 - delayMs * 1000);
      const sent = count * targets;
      rows.push(
        `| ${delayMs} ms | ${rate.toLocaleString('en')} | ${errorsUs.length.toLocaleString('en')} | ${quantile(errorsUs, 0.5).toFixed(0)} | ${quantile(errorsUs, 0.99).toFixed(0)} | ${Math.max(...errorsUs).toFixed(0)} | ${unpaired.length} | ${((cpu / (2 * sent)) * 1e6).toFixed(1)} |`,
      );
      say(rows.at(-1)!);
    }
  }
} finally {
  await wan.dispose();
}

process.stdout.write(
  [
    '',
    `WAN emulator added error, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} after the run`,
    '',
    '| path delay | requests/s | packets held | added p50 µs | added p99 µs | added max µs | unpaired | emulator CPU µs/packet |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
