// The labelled inventory fixture from the command line: write its targets file, and optionally
// load realistic rows for it into a QuestDB (the targets table through the collector's writer,
// then ICMP sweeps, then wait for the roll-ups). For the views, their tests and benchmarks.
//
//   npx tsx bench/targets/fixture.ts --targets 100000 --groups 200 --out targets.txt
//   npx tsx bench/targets/fixture.ts --targets 100000 --groups 200 \
//     --questdb 'http::addr=127.0.0.1:9000;' --sweeps 60 --every 1 [--start 2026-12-01T00:00:00Z]
import { parseArgs } from 'node:util';
import { loadFixture, writeFixtureTargetsFile } from '../../collector/test/fixtures/inventory-fixture.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '100000' },
    groups: { type: 'string', default: '200' },
    out: { type: 'string' },
    questdb: { type: 'string' },
    sweeps: { type: 'string', default: '10' },
    every: { type: 'string', default: '1' },
    sources: { type: 'string', default: '3' },
    start: { type: 'string' },
  },
});
const shape = { targets: Number(values.targets), groups: Number(values.groups) };
if (!Number.isInteger(shape.targets) || shape.targets < 1 || !Number.isInteger(shape.groups) || shape.groups < 1) {
  throw new Error('--targets and --groups take whole numbers >= 1');
}
if (!values.out && !values.questdb)
  throw new Error('give --out FILE (the targets file) and/or --questdb CONF (load rows)');
if (values.out) {
  writeFixtureTargetsFile(values.out, shape);
  process.stderr.write(`wrote ${shape.targets} targets in ${shape.groups} groups to ${values.out}\n`);
}
if (values.questdb) {
  const sweeps = Number(values.sweeps);
  const everyMinutes = Number(values.every);
  // By default the sweeps end an hour ago, so every hourly roll-up period is complete.
  const startMs = values.start
    ? Date.parse(values.start)
    : Math.floor((Date.now() - 3_600_000 - sweeps * everyMinutes * 60_000) / 3_600_000) * 3_600_000;
  const started = Date.now();
  const loaded = await loadFixture({
    ...shape,
    conf: values.questdb,
    startMs,
    sweeps,
    everyMinutes,
    sources: Number(values.sources),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(
    `loaded ${loaded.icmpRows} ICMP rows for ${loaded.targets} targets from ${new Date(startMs).toISOString()} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
