// One parse in a fresh process, for bench/targets/run.ts: prints {"ms","cpuMs","count","rssMb"}.
//   node --import tsx bench/targets/parse-once.ts ours|previous|floor FILE
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readTargetsFile } from '../../collector/src/icmp/target-file.js';
import { TargetList } from '../../collector/src/icmp/target-list.js';
import { parseTargetSpec } from '../../collector/src/icmp/target-spec.js';

/** The reader this repo used before the labelled format (plain lines only): the anchor. */
async function previousReader(path: string): Promise<number> {
  const list = new TargetList();
  const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of input) {
    const text = line.replace(/#.*/, '').trim();
    if (text === '') continue;
    const spec = parseTargetSpec(text);
    if (spec.kind === 'ipv4') list.addIpv4(spec.address);
    else if (spec.kind === 'ipv6') list.addIpv6(spec.bytes);
  }
  return list.size;
}

/** The floor of any JavaScript reader: read, decode, split into lines; nothing parsed. */
function floor(path: string): number {
  return readFileSync(path).toString('utf8').split('\n').length - 1;
}

const [which, path] = process.argv.slice(2) as [string, string];
const readers: Record<string, () => Promise<number> | number> = {
  ours: async () => (await readTargetsFile(path)).table.size,
  previous: () => previousReader(path),
  floor: () => floor(path),
};
const reader = readers[which];
if (!reader || !path) throw new Error('usage: parse-once.ts ours|previous|floor FILE');
const cpu = process.cpuUsage();
const started = performance.now();
const count = await reader();
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, count, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`,
);
