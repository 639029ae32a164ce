// The per-endpoint loop: one timed request per schedule slot, slots every -d seconds jittered by
// ±1 %, -n successes or -f failures end it. Unlike pingmesh (sleep, fetch, sleep: the period drifts
// by the request time), slots are fixed-rate; a slot whose predecessor is still running is skipped
// and counted, so a slow peer never piles up requests and a missed slot is never silent.
import { performance } from 'node:perf_hooks';
import type { Endpoint } from './endpoint.js';
import { timedRequest, type TimedResponse } from './timed-request.js';

/** How a pinger ended. */
export type PingerEnd = 'limit' | 'maxfail' | 'stopped';

/** Schedule health of one pinger. */
export interface SlotStats {
  /** Slots that came due. */
  slots: number;
  /** Slots skipped because the previous request was still running. */
  skipped: number;
  /** Slots started more than 10 % of the delay after they were due (event-loop lag). */
  late: number;
  /** Worst start delay after the due time, milliseconds. */
  maxLateMs: number;
}

/** Settings of one pinger. */
export interface PingerOptions {
  /** Read at every slot, so a delay change (/v1/delay) applies from the next slot on. */
  delayMs: () => number;
  /** Successful pings before stopping; 0 = forever. */
  limit: number;
  /** Failures (status > 304 or transport error) before giving up. */
  maxFail: number;
  timeoutMs: number;
  /** Every response, in completion order. */
  onResponse: (response: TimedResponse) => void;
  /** Every slot as it comes due: how late it started (ms) and whether it was skipped. */
  onSlot?: (lateMs: number, skipped: boolean) => void;
  /** Addresses this peer may be pinged at (timedRequest's allowAddress); default any. */
  allowAddress?: (ip: string) => boolean;
  /** Start of the first slot after start(); default a random phase within one delay. */
  firstSlotInMs?: number;
  /** Jitter as a fraction of the delay either way (pingmesh: about ±1 %). */
  jitter?: number;
  random?: () => number;
}

/** Whether pingmesh counts a response as a successful ping. */
export function isSuccess(response: TimedResponse): boolean {
  return response.error === '' && response.status > 0 && response.status <= 304;
}

/** Pings one endpoint on a fixed-rate schedule until its limit, its failure limit, or stop(). */
export class Pinger {
  /** Successful pings so far. */
  pings = 0;
  /** Failed pings so far. */
  fails = 0;
  readonly slotStats: SlotStats = { slots: 0, skipped: 0, late: 0, maxLateMs: 0 };
  /** Resolves with the reason once the pinger has ended and its last request is finished. */
  readonly ended: Promise<PingerEnd>;

  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private nextDueMs = 0;
  private finished = false;
  private resolveEnded!: (end: PingerEnd) => void;
  private readonly random: () => number;
  private readonly abandon = new AbortController();

  constructor(
    readonly endpoint: Endpoint,
    private readonly options: PingerOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Schedules the first slot. */
  start(): void {
    const first = this.options.firstSlotInMs ?? this.random() * this.options.delayMs();
    this.nextDueMs = performance.now() + first;
    this.timer = setTimeout(() => this.slot(), first);
  }

  /**
   * Stops scheduling. A request in flight gets `graceMs` to finish (and is reported); after that
   * it is abandoned and not counted, so shutdown never waits a whole timeout.
   */
  async stop(graceMs = 1000): Promise<void> {
    this.finish('stopped');
    if (!this.inFlight) return;
    const grace = setTimeout(() => this.abandon.abort(), graceMs);
    await this.inFlight;
    clearTimeout(grace);
  }

  private slot(): void {
    if (this.finished) return;
    const now = performance.now();
    const delayMs = this.options.delayMs();
    const lateMs = Math.max(0, now - this.nextDueMs);
    this.slotStats.slots++;
    this.slotStats.maxLateMs = Math.max(this.slotStats.maxLateMs, lateMs);
    if (lateMs > delayMs * 0.1) this.slotStats.late++;
    const skipped = this.inFlight !== undefined;
    if (skipped) {
      this.slotStats.skipped++;
    } else {
      this.inFlight = this.ping().finally(() => (this.inFlight = undefined));
    }
    this.options.onSlot?.(lateMs, skipped);
    const jitter = this.options.jitter ?? 0.01;
    this.nextDueMs += delayMs * (1 + jitter * (2 * this.random() - 1));
    // After a long stall (suspend, debugger), restart the grid instead of firing a burst.
    if (this.nextDueMs < now) this.nextDueMs = now + delayMs;
    this.timer = setTimeout(() => this.slot(), this.nextDueMs - now);
  }

  private async ping(): Promise<void> {
    const response = await timedRequest(this.endpoint, {
      timeoutMs: this.options.timeoutMs,
      signal: this.abandon.signal,
      allowAddress: this.options.allowAddress,
    });
    if (response.error === 'aborted') return; // abandoned at shutdown: neither success nor failure
    // A request that finished within stop()'s grace is still reported (its slot was taken).
    if (isSuccess(response)) this.pings++;
    else this.fails++;
    this.options.onResponse(response);
    if (this.options.limit > 0 && this.pings >= this.options.limit) this.finish('limit');
    else if (this.fails >= this.options.maxFail) this.finish('maxfail');
  }

  private finish(end: PingerEnd): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    // Let a request still in flight complete (and be reported) before announcing the end.
    void Promise.resolve(this.inFlight).then(() => this.resolveEnded(end));
  }
}
