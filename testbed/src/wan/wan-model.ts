// The WAN emulator's model, as the TypeScript side states it: what a path, a link and the busy
// clock mean (wan-emulator.c applies them per packet), and the round trip a path should give, so
// tests can compare what was measured with what was set.

/**
 * How the emulator treats the flows that a host of one site opens toward another site. The
 * first packet of a flow (a TCP SYN, an ICMP echo request) decides which site opened it, so the
 * path from A to B and the path from B to A are separate entries, as with source-dependent
 * routing. Times in microseconds; every term is added per packet, each way.
 */
export interface PathModel {
  /** One-way delay of packets from the opening site toward the other. */
  thereUs: number;
  /** One-way delay of the packets coming back. */
  backUs: number;
  /** A uniform random extra, 0 … jitterUs. Packets of one flow still leave in order. */
  jitterUs?: number;
  /** Probability that a packet is lost. */
  loss?: number;
  /** Extra delay at the peak of the busy hour (a raised cosine over the busy clock's period). */
  busyUs?: number;
  /** Where in the period the busy hour peaks, 0 … 1. */
  busyPeak?: number;
  /** How far either side of the peak the busy term reaches, in periods (0 … 0.5). */
  busyWidth?: number;
}

/** Added to every packet through one of the emulator's devices (a link of a router chain). */
export interface LinkModel {
  delayUs?: number;
  jitterUs?: number;
  loss?: number;
}

/** The busy clock: phase = ((wall clock − epochMs) mod periodMs) / periodMs. */
export interface BusyClock {
  periodMs: number;
  epochMs: number;
}

export const defaultBusyPeak = 0.5;
export const defaultBusyWidth = 0.125;

/** The clock's phase (0 … 1) at a wall-clock time. */
export function busyPhase(atMs: number, clock: BusyClock): number {
  const phase = ((atMs - clock.epochMs) % clock.periodMs) / clock.periodMs;
  return phase < 0 ? phase + 1 : phase;
}

/** The busy term's weight at a time: 1 at the peak, a raised cosine down to 0 at ±width. */
export function busyShape(
  atMs: number,
  clock: BusyClock | undefined,
  peak = defaultBusyPeak,
  width = defaultBusyWidth,
) {
  if (!clock || clock.periodMs <= 0 || width <= 0) return 0;
  let distance = Math.abs(busyPhase(atMs, clock) - peak);
  if (distance > 0.5) distance = 1 - distance;
  return distance >= width ? 0 : 0.5 * (1 + Math.cos((Math.PI * distance) / width));
}

/**
 * The median round trip (ms) of a flow opened along `path` at `atMs`: both one-way delays, both
 * busy terms, and the median of the two uniform jitters' sum (which is one jitter's maximum).
 */
export function expectedRoundTripMs(path: PathModel, atMs: number, clock?: BusyClock): number {
  const busy = 2 * (path.busyUs ?? 0) * busyShape(atMs, clock, path.busyPeak, path.busyWidth);
  return (path.thereUs + path.backUs + (path.jitterUs ?? 0) + busy) / 1000;
}

/** The fraction of round trips lost on a path: either way loses the exchange. */
export function roundTripLoss(path: PathModel): number {
  return 1 - (1 - (path.loss ?? 0)) ** 2;
}
