// Builds the demo's emulated WAN from the scenario and describes it: the namespaces and the
// emulator (testbed's EmulatedWan), the targets file, the scenario file the page and the demo's
// test read, and the table of delays printed beside the URLs.
import { EmulatedWan, type BusyClock, type PathModel } from '@pingsphere/testbed';
import {
  cityOf,
  compressedDayMs,
  demoCities,
  demoPath,
  isLossy,
  longerPaths,
  lossyPair,
  quietRoundTripMs,
  scenarioNote,
  targetGroups,
} from './scenario.js';
import { siteTargets, type DemoTarget } from './targets-file.js';

/** Namespace prefix of every demo namespace: psdemo-PID-STARTTICKS-ROLE. */
export const demoNamespacePrefix = 'psdemo';

/** What the demo set up, as written to scenario.json (read by the live page and the demo's test). */
export interface DemoScenario {
  mode: 'wan' | 'loopback';
  note: string[];
  /** The busy clock, and when this run's data on it starts (the page's time-of-day reads it). */
  compressedDay?: BusyClock & { sinceMs: number };
  sites: { site: string; location: string; code: string; collector?: string; targets: string[] }[];
  paths: { from: string; to: string; path: PathModel }[];
}

export async function createDemoWan(): Promise<{ wan: EmulatedWan; targets: DemoTarget[]; scenario: DemoScenario }> {
  // The emulated day starts at noon, so the evening busy hours come round within minutes.
  const now = Date.now();
  const clock: BusyClock = { periodMs: compressedDayMs, epochMs: now - compressedDayMs / 2 };
  const perCity = targetGroups.reduce((n, g) => n + g.count, 0);
  const wan = await EmulatedWan.create({
    prefix: demoNamespacePrefix,
    sites: demoCities.map((c) => ({ name: c.site, host: c.collector, targets: perCity })),
    path: demoPath,
    clock,
  });
  const targets = wan.sites.flatMap((s) => siteTargets(s.name, s.targets));
  const scenario: DemoScenario = {
    mode: 'wan',
    note: scenarioNote(),
    compressedDay: { ...clock, sinceMs: now },
    sites: wan.sites.map((s) => ({
      site: s.name,
      location: cityOf(s.name).location,
      code: cityOf(s.name).code,
      ...(s.address ? { collector: s.address } : {}),
      targets: s.targets,
    })),
    paths: demoCities.flatMap((a) =>
      demoCities.map((b) => ({ from: a.site, to: b.site, path: demoPath(a.site, b.site) })),
    ),
  };
  return { wan, targets, scenario };
}

/**
 * The round trips set, for a viewer to check the matrix against: rows are the collectors (the
 * side that opens the flow, as `src` in the matrix), columns every city.
 */
export function delayTable(): string[] {
  const rows = demoCities.filter((c) => c.collector);
  const cell = (text: string) => text.padStart(6);
  const marks = (from: string, to: string) => {
    const [a, b] = [cityOf(from).location, cityOf(to).location];
    return (longerPaths.some((p) => p.from === a && p.to === b) ? '*' : ' ') + (isLossy(a, b) ? '!' : ' ');
  };
  return [
    `emulated round trips set (ms, outside the busy hour; row = the collector that pings):`,
    `      ${demoCities.map((c) => cell(c.code) + '  ').join('')}`,
    ...rows.map(
      (r) =>
        `  ${r.code} ${demoCities.map((c) => cell(quietRoundTripMs(r.site, c.site).toFixed(1)) + marks(r.site, c.site)).join('')}`,
    ),
    `  * longer path for flows opened from this side (direction asymmetry)   ! ${lossyPair.loss * 100} % loss each way`,
    `  busy hour: one day of the emulated clock = ${compressedDayMs / 60_000} min; see the page's note`,
  ];
}
