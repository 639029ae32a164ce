// What the demo's emulated WAN models: the cities (placed by the Grafana plugin's own city table,
// so the map and the delays agree), the ICMP targets in each, and the path of every directed pair
// of sites: a one-way delay from the great-circle distance, jitter, a busy hour, a little loss on
// one pair and a longer path for the flows opened from one end of a few pairs.
import { busyPhase, expectedRoundTripMs, type BusyClock, type PathModel } from '@pingsphere/testbed';
import { CityLocator, type Coordinates } from '../../grafana-plugin/src/geo/city-locator.js';

export interface DemoCity {
  /** Site (and namespace role) name. */
  site: string;
  /** The collector's -L and the targets' loc=: "City,CC", as the map places it. */
  location: string;
  /** Three letters for names and the printed table. */
  code: string;
  /** Whether a collector runs here (else the city holds ICMP targets only). */
  collector: boolean;
}

export const demoCities: readonly DemoCity[] = [
  { site: 'frankfurt', location: 'Frankfurt,DE', code: 'FRA', collector: true },
  { site: 'london', location: 'London,GB', code: 'LON', collector: true },
  { site: 'newyork', location: 'New York,US', code: 'NYC', collector: true },
  { site: 'saopaulo', location: 'São Paulo,BR', code: 'SAO', collector: true },
  { site: 'singapore', location: 'Singapore,SG', code: 'SIN', collector: true },
  { site: 'sydney', location: 'Sydney,AU', code: 'SYD', collector: true },
  { site: 'tokyo', location: 'Tokyo,JP', code: 'TYO', collector: false },
  { site: 'mumbai', location: 'Mumbai,IN', code: 'BOM', collector: false },
  { site: 'johannesburg', location: 'Johannesburg,ZA', code: 'JNB', collector: false },
];

/** ICMP targets per city, by group: 40 per city, 360 in all. */
export const targetGroups: readonly { group: string; count: number }[] = [
  { group: 'web', count: 16 },
  { group: 'db', count: 8 },
  { group: 'cdn', count: 8 },
  { group: 'dns', count: 4 },
  { group: 'vpn', count: 4 },
];

// The model's constants (one-way, per direction).
/** "About 1 ms per 100 km of fibre" (issue 13), on the great-circle distance. */
export const fibreUsPerKm = 10;
/** Access networks, queues and routers at both ends. */
export const fixedOverheadUs = 2000;
/** Inside one city (a metro network). */
export const metroUs = 300;
const jitterBaseUs = 200;
const jitterShare = 0.01;
const busyBaseUs = 2000;
const busyShare = 0.1;
/** The busy hour peaks at this local time of the site that opened the flow, ± busyHalfWidthHours. */
const busyPeakLocalHour = 20;
const busyHalfWidthHours = 4;
/** One emulated day of the busy clock: a day compressed into four minutes. */
export const compressedDayMs = 4 * 60_000;

/** Flows opened at `from` toward `to` (locations) take a longer path: the direction asymmetry to see. */
export const longerPaths: readonly { from: string; to: string; extraUs: number; why: string }[] = [
  { from: 'Singapore,SG', to: 'Frankfurt,DE', extraUs: 35_000, why: 'source-routed via the Middle East' },
  { from: 'São Paulo,BR', to: 'London,GB', extraUs: 20_000, why: 'an ECMP member via Miami' },
];
/** Loss on one pair (locations), each way, whoever opened the flow. */
export const lossyPair = { a: 'Singapore,SG', b: 'Sydney,AU', loss: 0.02 };

/** Great-circle distance (haversine, mean Earth radius). */
export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const locator = new CityLocator();

export function cityOf(site: string): DemoCity {
  const city = demoCities.find((c) => c.site === site);
  if (!city) throw new Error(`no demo city "${site}"`);
  return city;
}

function locate(location: string): Coordinates {
  const placed = locator.locate(location);
  if (!placed) throw new Error(`the map's city table has no "${location}"`);
  return placed;
}

/** Whether the lossy pair joins these two locations. */
export function isLossy(a: string, b: string): boolean {
  return (a === lossyPair.a && b === lossyPair.b) || (a === lossyPair.b && b === lossyPair.a);
}

/**
 * The path of flows opened at one location toward another ("City,CC", placed by the map's city
 * table). The busy hour peaks at 20:00 local solar time (longitude / 15°) of the opening city.
 */
export function pathBetween(from: string, to: string): PathModel {
  const same = from === to;
  const a = locate(from);
  const oneWayUs = same ? metroUs : fixedOverheadUs + greatCircleKm(a, locate(to)) * fibreUsPerKm;
  const longer = longerPaths.find((p) => p.from === from && p.to === to)?.extraUs ?? 0;
  const peakUtcHour = (((busyPeakLocalHour - a.lon / 15) % 24) + 24) % 24;
  return {
    thereUs: oneWayUs + longer,
    backUs: oneWayUs + longer,
    jitterUs: jitterBaseUs + jitterShare * oneWayUs,
    loss: isLossy(from, to) ? lossyPair.loss : 0,
    busyUs: same ? 0 : busyBaseUs + busyShare * oneWayUs,
    busyPeak: peakUtcHour / 24,
    busyWidth: busyHalfWidthHours / 24,
  };
}

/** The path of flows opened in demo site `from` toward demo site `to`. */
export function demoPath(from: string, to: string): PathModel {
  return pathBetween(cityOf(from).location, cityOf(to).location);
}

/** The emulated hour of day (UTC) at a wall-clock time. */
export function emulatedHour(atMs: number, clock: BusyClock): number {
  return Math.floor(busyPhase(atMs, clock) * 24);
}

/** The round trip set between two sites outside the busy hour, ms. */
export function quietRoundTripMs(from: string, to: string): number {
  return expectedRoundTripMs(demoPath(from, to), 0);
}

/** What the page and the console say was modelled. */
export function scenarioNote(): string[] {
  const collectors = demoCities.filter((c) => c.collector);
  const targetCities = demoCities.filter((c) => !c.collector);
  const perCity = targetGroups.reduce((n, g) => n + g.count, 0);
  return [
    `Emulated WAN (no real network): ${collectors.length} collectors in ${collectors.map((c) => c.location).join(', ')}, each in its own network namespace; ${perCity} ICMP targets in each of those cities and in ${targetCities.map((c) => c.location).join(', ')}. Every packet between them crosses a userspace WAN emulator that holds it for its path's delay: the numbers shown are really measured through it.`,
    `One-way delay: ${fixedOverheadUs / 1000} ms + 1 ms per ${1000 / fibreUsPerKm} km of great-circle distance (${metroUs / 1000} ms within a city), plus jitter of up to ${jitterBaseUs / 1000} ms + ${jitterShare * 100} %.`,
    `Direction asymmetry, as source-dependent routing and ECMP make it: the first packet of a flow (TCP SYN, echo request) picks its path, so ${longerPaths.map((p) => `flows opened in ${p.from} toward ${p.to} take a path ${(2 * p.extraUs) / 1000} ms longer round trip (${p.why})`).join('; ')}. The other direction of those pairs is unaffected.`,
    `Loss: ${lossyPair.loss * 100} % each way between ${lossyPair.a} and ${lossyPair.b}.`,
    `Busy hour: up to +${busyBaseUs / 1000} ms + ${busyShare * 100} % each way around ${busyPeakLocalHour}:00 local (solar) time of the city that opened the flow (± ${busyHalfWidthHours} h). The period is compressed: one day of this busy clock lasts ${compressedDayMs / 60_000} minutes of the demo, so the time-of-day view shows the pattern within minutes (hours there are emulated hours, UTC; the demo starts at emulated noon).`,
  ];
}
