// A running sweep as TypeScript sees it: an async iterable of typed-array batches (no per-probe
// callback, no object per probe until the caller wants one).
import { loadIcmpAddon, type NativeSweepHandle } from './addon.js';
import { fromAddonError } from './errors.js';
import { BatchStream } from './batch-stream.js';

/** How the engine reaches the network: raw sockets (CAP_NET_RAW) or unprivileged ping sockets. */
export type SocketMode = 'raw' | 'ping';

/**
 * Where RTTs are timed: `hardware` = the NIC's clock at both ends (needs `interfaceName`),
 * `software` = the kernel's TX stamp as the probe reaches the driver and its RX stamp of the reply,
 * `user` = the send time read just before sendmmsg and the kernel's RX stamp.
 */
export type TimestampMode = 'hardware' | 'software' | 'user';

/** Everything the engine needs, already validated and packed (see collector/src/icmp for parsing). */
export interface SweepSettings {
  /** IPv4 targets as 32-bit numbers (a.b.c.d = a·2²⁴ + b·2¹⁶ + c·2⁸ + d); indices 0 … ipv4.length-1. */
  ipv4: Uint32Array;
  /** IPv6 targets, 16 bytes each; their indices follow the IPv4 ones. */
  ipv6: Uint8Array;
  /** Probes per target. */
  count: number;
  /** Time between successive probes to one target. */
  periodMs: number;
  /** A reply later than this is counted late and the probe reported lost. */
  timeoutMs: number;
  /** Global send rate in probes per second; 0 means unlimited. */
  ratePps: number;
  /** ICMP data bytes after the 8-byte header (at least minPayloadBytes: index, seq, send time, cookie). */
  payloadBytes: number;
  /** IPv4 TTL / IPv6 hop limit; 0 keeps the system default. */
  ttl: number;
  sourceIpv4?: number;
  sourceIpv6?: Uint8Array;
  interfaceName?: string;
  socketMode?: SocketMode | 'auto';
  /** Results per batch handed to JavaScript (default 4096). */
  chunkProbes?: number;
  /**
   * Sender threads, each with its own sockets and a contiguous share of the targets and the rate;
   * 0 (default) = auto: one per usable CPU when the rate is unlimited, one per 100,000 probes/s otherwise.
   */
  senders?: number;
  /** auto (default): hardware when `interfaceName`'s NIC already stamps every packet, else software (Linux 6.13+), else user. */
  timestamps?: TimestampMode | 'auto';
  /**
   * Fixed flows per target (default 1): probe `seq` of a target goes on flow (firstFlow + seq) mod
   * flows, each flow with its own ICMP id and one checksum for all its probes (1-64).
   */
  flows?: number;
  /** Flow of each target's probe 0 (a collector moves it on per sweep to cover every flow). */
  firstFlow?: number;
  /** Receive buffer of the sending sockets, whose error queues hold the TX stamps (default 32 MiB). */
  stampQueueBytes?: number;
}

/** Outcomes of up to chunkProbes probes, column-wise. */
export interface ProbeBatch {
  targetIndex: Uint32Array;
  seq: Uint32Array;
  /** Round-trip time in nanoseconds (kernel receive time − send time), -1 when lost. */
  rttNs: Float64Array;
  /** Send time, microseconds since the Unix epoch. */
  sendTimeUs: Float64Array;
  /** The probe's flow (0 … flows-1; 0 when the sweep has one flow). */
  flow: Uint16Array;
}

/** The engine's counters: every reply that is not reported is counted in one of them. */
export interface SweepStats {
  sent: number;
  sendErrors: number;
  replies: number;
  lost: number;
  duplicates: number;
  late: number;
  badCookie: number;
  foreign: number;
  kernelDrops: number;
  /** Replies without a kernel receive stamp (timed with the clock read in user space). */
  userTimestamps: number;
  /** TX stamps read from the sending sockets' error queues. */
  txStamps: number;
  /** Replies timed from the payload's send time because their TX stamp never came (error queue full). */
  txStampFallbacks: number;
  /** The time stamps the sweep ran with. */
  timestampMode: TimestampMode;
  /** Why auto chose less than software stamps (empty otherwise). */
  timestampNote: string;
  receiveBufferBytes: number;
  /** Sender threads the sweep ran with. */
  senders: number;
  /** First to last send (what the send rate is measured over). */
  sendSeconds: number;
  /** First send until every probe was answered or timed out. */
  sweepSeconds: number;
}

export interface SweepProgress {
  probesTotal: number;
  sent: number;
  resolved: number;
}

/** Smallest payload that holds the probe's index, seq, send time and cookie. */
export function minPayloadBytes(): number {
  return loadIcmpAddon().minPayloadBytes;
}

/** Largest payload the engine sends. */
export function maxPayloadBytes(): number {
  return loadIcmpAddon().maxPayloadBytes;
}

/** One sweep: open() checks privileges and opens sockets; iterating starts sending. */
export class IcmpSweep implements AsyncIterable<ProbeBatch> {
  private readonly batches: BatchStream<ProbeBatch>;

  private constructor(private readonly handle: NativeSweepHandle) {
    this.batches = new BatchStream<ProbeBatch>(handle, 'ICMP sweep');
  }

  /** Opens the sockets; throws IcmpPermissionError, IcmpSocketError or AddonNotBuiltError. */
  static open(settings: SweepSettings): IcmpSweep {
    const addon = loadIcmpAddon();
    try {
      return new IcmpSweep(
        new addon.Sweep({ chunkProbes: 4096, socketMode: 'auto', timestamps: 'auto', flows: 1, ...settings }),
      );
    } catch (error) {
      throw fromAddonError(error);
    }
  }

  /** Which sockets the engine uses. */
  get mode(): SocketMode {
    return this.handle.mode;
  }

  /** Starts sending (iterating starts it too). */
  start(): void {
    this.batches.start();
  }

  /** Stops sending; probes in flight are reported lost and the iteration ends soon after. */
  stop(): void {
    this.handle.stop();
  }

  progress(): SweepProgress {
    return this.handle.progress();
  }

  stats(): SweepStats {
    return this.handle.stats() as unknown as SweepStats;
  }

  [Symbol.asyncIterator](): AsyncIterator<ProbeBatch> {
    return this.batches[Symbol.asyncIterator]();
  }
}
