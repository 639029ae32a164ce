// A running trace as TypeScript sees it (native/src/trace_engine.*): an async iterable of
// typed-array batches of probe outcomes, like IcmpSweep.
import { loadIcmpAddon, type NativeTraceHandle } from './addon.js';
import { fromAddonError } from './errors.js';
import type { TimestampMode } from './icmp-sweep.js';
import { BatchStream } from './batch-stream.js';

export interface TraceSettings {
  /** IPv4 targets as 32-bit numbers; indices 0 … ipv4.length-1. */
  ipv4: Uint32Array;
  /** IPv6 targets, 16 bytes each; their indices follow the IPv4 ones. */
  ipv6: Uint8Array;
  /** Flows per target (1-64): each its own ICMP id, one checksum for all its probes. */
  flows: number;
  firstTtl: number;
  /** Last TTL / hop limit probed (≤ 255). */
  maxTtl: number;
  /** Probes per hop (1-16). */
  probesPerHop: number;
  /** Global send rate, probes per second; 0 = unlimited. */
  ratePps: number;
  /** A reply later than this is late and its probe lost. */
  timeoutMs: number;
  timestamps?: TimestampMode | 'auto';
  interfaceName?: string;
}

/** What answered a probe (the engine's TraceOutcome). */
export const TraceOutcome = { lost: 0, timeExceeded: 1, echoReply: 2, unreachable: 3 } as const;

/** Outcomes of probes, column-wise; `responder` indexes the run's responder list (-1 = none). */
export interface TraceBatch {
  targetIndex: Uint32Array;
  flow: Uint16Array;
  ttl: Uint8Array;
  probe: Uint8Array;
  outcome: Uint8Array;
  /** Kernel RX stamp − kernel TX stamp, nanoseconds; -1 when lost. */
  rttNs: Float64Array;
  responder: Int32Array;
  sendTimeUs: Float64Array;
  /** Responder addresses first seen in this batch, numbered on from the previous batches'. */
  newResponders: string[];
}

/** Every message the trace received is in exactly one of these (sent = answered + lost). */
export interface TraceStats {
  sent: number;
  /** Not sent: the target's flow had already answered (echo reply / unreachable) below that TTL. */
  skipped: number;
  sendErrors: number;
  echoReplies: number;
  timeExceeded: number;
  unreachable: number;
  /** Valid replies validated by the quoted ICMP header alone (the router quoted no payload). */
  headerOnly: number;
  lost: number;
  duplicates: number;
  late: number;
  /** Messages about one of our targets whose id/seq or cookie fail: counted, never reported. */
  badCookie: number;
  foreign: number;
  kernelDrops: number;
  txStamps: number;
  txStampFallbacks: number;
  probesPlanned: number;
  resolved: number;
  seconds: number;
  timestampMode: TimestampMode;
  timestampNote: string;
}

/** One trace run: open() checks privileges (raw sockets only) and opens sockets; iterating starts it. */
export class IcmpTrace implements AsyncIterable<TraceBatch> {
  private readonly batches: BatchStream<TraceBatch>;

  private constructor(private readonly handle: NativeTraceHandle) {
    this.batches = new BatchStream<TraceBatch>(handle, 'ICMP trace');
  }

  static open(settings: TraceSettings): IcmpTrace {
    const addon = loadIcmpAddon();
    try {
      return new IcmpTrace(new addon.Trace({ timestamps: 'auto', ...settings }));
    } catch (error) {
      throw fromAddonError(error);
    }
  }

  start(): void {
    this.batches.start();
  }

  /** Stops sending; probes in flight are reported lost and the iteration ends soon after. */
  stop(): void {
    this.handle.stop();
  }

  stats(): TraceStats {
    return this.handle.stats() as unknown as TraceStats;
  }

  [Symbol.asyncIterator](): AsyncIterator<TraceBatch> {
    return this.batches[Symbol.asyncIterator]();
  }
}
