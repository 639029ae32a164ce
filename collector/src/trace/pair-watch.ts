// Watches every pair this collector measures (collector → ICMP target, collector → HTTP peer) for
// the degradations that call for a trace (--trace-on-change): the RTT p50 of the last window moving
// away from the pair's baseline, or the window's loss passing a threshold. A sweep can hold a
// million targets, so the state is a handful of typed-array columns indexed by a pair's slot (46
// bytes a pair, plus 16-32 in the IPv4 address index), no JavaScript object per pair: the window's
// RTTs are a reservoir of 7 samples (exact p50 for up to 7 probes a window, a uniform sample's
// median beyond), the baseline an exponentially weighted mean of the windows' p50s whose time
// constant is the baseline span (one hour by default).
import { formatIpv4 } from '../icmp/target-list.js';
import { Uint32Index } from '../icmp/uint32-index.js';
import type { HttpBatch, ResultBatch } from '../results/result-batch.js';
import type { IcmpBatch } from '../results/icmp-batch.js';

/** When a pair calls for a trace (the --trace-* flags). */
export interface ChangeThresholds {
  /** Span of the "last minute" whose p50 and loss are judged. */
  windowSeconds: number;
  /** Span of the baseline the window's p50 is compared with ("the previous hour"). */
  baselineSeconds: number;
  /** The p50 must move by more than this share of the baseline (percent)… */
  rttChangePct: number;
  /** …and by more than this many milliseconds (so a 0.3 ms LAN pair's jitter is not a change). */
  rttChangeMs: number;
  /** A window with at least this share of its probes lost (percent) calls for a trace. */
  lossPct: number;
  /** At most one triggered trace per pair in this many seconds. */
  holdoffSeconds: number;
}

export const defaultChangeThresholds: ChangeThresholds = {
  windowSeconds: 60,
  baselineSeconds: 3600,
  rttChangePct: 30,
  rttChangeMs: 5,
  lossPct: 20,
  holdoffSeconds: 600,
};

/** A pair as the trace scheduler needs it: its name in the tables and the address to trace. */
export interface WatchedPair {
  /** The destination as the tables name it: the ICMP target, or the HTTP peer's host. */
  dst: string;
  /** The address to trace. */
  address: string;
}

/** A pair that degraded: trace it. */
export interface PairTrigger extends WatchedPair {
  reason: 'change' | 'loss';
  /** What was seen, for the log ("RTT p50 45.2 ms vs 5.1 ms baseline"). */
  detail: string;
}

export interface PairWatchStats {
  pairs: number;
  windows: number;
  triggers: number;
  /** Degradations not traced because the pair was traced less than --trace-holdoff ago. */
  heldOff: number;
  /** Bytes of the per-pair arrays and the IPv4 index (capacity, not just what is used). */
  stateBytes: number;
}

/** Samples kept per pair and window (odd: the median is one of them). */
const reservoir = 7;
/** Windows a baseline needs before a change against it counts. */
const warmupWindows = 5;
const saturated = 0xffff;

/** Per-pair window statistics and baselines in typed arrays; see the file comment. */
export class PairWatch {
  private capacity = 1024;
  private count = 0;
  private samples = new Float32Array(this.capacity * reservoir);
  /** Replies seen in the window (the reservoir holds min(seen, 7) of them). */
  private seen = new Uint16Array(this.capacity);
  private sent = new Uint16Array(this.capacity);
  private baseline = new Float32Array(this.capacity);
  private baseWindows = new Uint16Array(this.capacity);
  /** Seconds since `originMs` of the pair's last triggered trace, plus one (0 = never). */
  private lastTrigger = new Uint32Array(this.capacity);
  /** IPv4 address of an ICMP pair's slot (other slots are named in `named`). */
  private slotIpv4 = new Uint32Array(this.capacity);
  private readonly ipv4Slots = new Uint32Index(1024);
  /** Slots of IPv6 ICMP targets and HTTP peers (few: an HTTP mesh has hundreds of peers at most). */
  private readonly namedSlots = new Map<string, number>();
  private readonly named = new Map<number, WatchedPair>();
  private readonly scratch = new Float32Array(reservoir);
  private readonly originMs: number;
  private readonly figures = { windows: 0, triggers: 0, heldOff: 0 };

  /**
   * `thresholds` null: pairs are only tracked (for --trace-interval), never triggered.
   * `random` picks reservoir slots (injectable so tests are repeatable).
   */
  constructor(
    private readonly thresholds: ChangeThresholds | null,
    private readonly onTrigger: (trigger: PairTrigger) => void,
    nowMs = Date.now(),
    private readonly random: () => number = Math.random,
  ) {
    this.originMs = nowMs;
  }

  /** Takes the RTTs and losses of a result batch (ICMP columns or HTTP results; others are ignored). */
  observe(batch: ResultBatch): void {
    if (batch.family === 'icmp') this.observeIcmp(batch);
    else if (batch.family === 'http') this.observeHttp(batch);
  }

  /** Judges the window that ends now for every pair, triggers traces, and starts the next window. */
  closeWindow(nowMs = Date.now()): void {
    this.figures.windows += 1;
    const t = this.thresholds;
    const nowS = Math.max(0, Math.floor((nowMs - this.originMs) / 1000));
    for (let slot = 0; slot < this.count; slot++) {
      const sent = this.sent[slot]!;
      if (sent === 0) continue;
      const replies = Math.min(this.seen[slot]!, sent);
      const p50 = replies > 0 ? this.median(slot, Math.min(replies, reservoir)) : NaN;
      if (t) {
        const lost = sent - replies;
        const lossPct = (100 * lost) / sent;
        const base = this.baseline[slot]!;
        let detail = '';
        let reason: PairTrigger['reason'] | null = null;
        if (lost > 0 && lossPct >= t.lossPct) {
          reason = 'loss';
          detail = `loss ${lossPct.toFixed(0)}% (${lost} of ${sent} probes) in the last ${t.windowSeconds} s`;
        } else if (!Number.isNaN(p50) && this.baseWindows[slot]! >= Math.min(warmupWindows, this.baselineWindows())) {
          const moved = Math.abs(p50 - base);
          if (moved > Math.max((base * t.rttChangePct) / 100, t.rttChangeMs)) {
            reason = 'change';
            detail = `RTT p50 ${p50.toFixed(2)} ms over the last ${t.windowSeconds} s vs ${base.toFixed(2)} ms baseline`;
          }
        }
        if (reason) this.trigger(slot, nowS, reason, detail);
      }
      if (!Number.isNaN(p50)) this.fold(slot, p50);
      this.sent[slot] = 0;
      this.seen[slot] = 0;
    }
  }

  /** Pairs from slot `from` on, at most `max` of them, and the slot to continue from (-1: no more). */
  pairsFrom(from: number, max: number): { pairs: WatchedPair[]; next: number } {
    const pairs: WatchedPair[] = [];
    let slot = from;
    for (; slot < this.count && pairs.length < max; slot++) pairs.push(this.pairAt(slot));
    return { pairs, next: slot < this.count ? slot : -1 };
  }

  get size(): number {
    return this.count;
  }

  stats(): PairWatchStats {
    const columns = [
      this.samples,
      this.seen,
      this.sent,
      this.baseline,
      this.baseWindows,
      this.lastTrigger,
      this.slotIpv4,
    ];
    const stateBytes = columns.reduce((sum, column) => sum + column.byteLength, 0) + this.ipv4Slots.byteLength;
    return { pairs: this.count, ...this.figures, stateBytes };
  }

  private baselineWindows(): number {
    return this.thresholds
      ? Math.max(1, Math.round(this.thresholds.baselineSeconds / this.thresholds.windowSeconds))
      : 1;
  }

  private trigger(slot: number, nowS: number, reason: PairTrigger['reason'], detail: string): void {
    const last = this.lastTrigger[slot]!;
    if (last !== 0 && nowS - (last - 1) < this.thresholds!.holdoffSeconds) {
      this.figures.heldOff += 1;
      return;
    }
    this.lastTrigger[slot] = nowS + 1;
    this.figures.triggers += 1;
    this.onTrigger({ ...this.pairAt(slot), reason, detail });
  }

  /** Running mean for the first baseline-span's windows, then an exponentially weighted one. */
  private fold(slot: number, p50: number): void {
    const n = this.baseWindows[slot]!;
    const alpha = Math.max(1 / (n + 1), 1 / this.baselineWindows());
    this.baseline[slot] = n === 0 ? p50 : this.baseline[slot]! + alpha * (p50 - this.baseline[slot]!);
    if (n < saturated) this.baseWindows[slot] = n + 1;
  }

  private median(slot: number, n: number): number {
    const values = this.scratch.subarray(0, n);
    values.set(this.samples.subarray(slot * reservoir, slot * reservoir + n));
    values.sort();
    return n % 2 === 1 ? values[n >> 1]! : (values[n / 2 - 1]! + values[n / 2]!) / 2;
  }

  private record(slot: number, rttMs: number | null): void {
    const sent = this.sent[slot]!;
    if (sent < saturated) this.sent[slot] = sent + 1;
    if (rttMs === null) return;
    const seen = this.seen[slot]!;
    // Reservoir sampling: every reply of the window is equally likely to be among the kept ones.
    const at = seen < reservoir ? seen : Math.floor(this.random() * (seen + 1));
    if (at < reservoir) this.samples[slot * reservoir + at] = rttMs;
    if (seen < saturated) this.seen[slot] = seen + 1;
  }

  private observeIcmp(batch: IcmpBatch): void {
    const ipv4 = batch.targets.ipv4Addresses();
    const ipv4Size = batch.targets.ipv4Size;
    for (let i = 0; i < batch.length; i++) {
      const target = batch.targetIndex[i]!;
      let slot: number;
      if (target < ipv4Size) {
        const address = ipv4[target]!;
        slot = this.ipv4Slots.get(address);
        if (slot < 0) {
          slot = this.allocate();
          this.slotIpv4[slot] = address;
          this.ipv4Slots.set(address, slot);
        }
      } else {
        const address = batch.targets.addressAt(target);
        slot = this.namedSlot(`icmp ${address}`, { dst: address, address });
      }
      const rttNs = batch.rttNs[i]!;
      this.record(slot, rttNs < 0 ? null : rttNs / 1e6);
    }
  }

  private observeHttp(batch: HttpBatch): void {
    for (const result of batch.results) {
      // A peer is one pair per URL, traced at the address it was last reached at: a request that
      // failed before connecting has no address but still counts against the peer it was for.
      const key = `http ${result.dst}`;
      let slot: number | undefined;
      if (result.dstIp) {
        const pair = { dst: result.dstHost || result.dst, address: result.dstIp };
        slot = this.namedSlot(key, pair);
        if (this.named.get(slot)!.address !== pair.address) this.named.set(slot, pair);
      } else {
        slot = this.namedSlots.get(key);
        // Never reached yet: nothing to trace.
        if (slot === undefined) continue;
      }
      // The TCP handshake is the mesh's RTT; a request that never connected is a lost probe.
      if (result.connectMs > 0) this.record(slot, result.connectMs);
      else if (result.status === 0) this.record(slot, null);
    }
  }

  private namedSlot(key: string, pair: WatchedPair): number {
    let slot = this.namedSlots.get(key);
    if (slot === undefined) {
      slot = this.allocate();
      this.namedSlots.set(key, slot);
      this.named.set(slot, pair);
    }
    return slot;
  }

  private pairAt(slot: number): WatchedPair {
    const named = this.named.get(slot);
    if (named) return named;
    const address = formatIpv4(this.slotIpv4[slot]!);
    return { dst: address, address };
  }

  private allocate(): number {
    if (this.count === this.capacity) this.grow();
    return this.count++;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const grown = <T extends Float32Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T, per = 1): T => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.samples = grown(this.samples, (n) => new Float32Array(n), reservoir);
    this.seen = grown(this.seen, (n) => new Uint16Array(n));
    this.sent = grown(this.sent, (n) => new Uint16Array(n));
    this.baseline = grown(this.baseline, (n) => new Float32Array(n));
    this.baseWindows = grown(this.baseWindows, (n) => new Uint16Array(n));
    this.lastTrigger = grown(this.lastTrigger, (n) => new Uint32Array(n));
    this.slotIpv4 = grown(this.slotIpv4, (n) => new Uint32Array(n));
    this.capacity = capacity;
  }
}
