// Starts wire-capture.c on a device inside a test namespace and reads back what crossed it, with
// the kernel's time stamp at the device: the truth that the engine's RTTs are judged against.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkNamespace } from '@pingsphere/testbed';
import { startTestTool, stopTestTool, testToolDir, buildTestTool, type RunningTool } from './test-tool.js';

/** One ICMP or ICMPv6 echo request ('out') or reply ('in') seen on the device. */
export interface WirePacket {
  direction: 'out' | 'in';
  /** Kernel time stamp at the device, nanoseconds since the Unix epoch. */
  tsNs: bigint;
  src: string;
  dst: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  /** ICMP type: 8/0 (IPv4) or 128/129 (IPv6). */
  type: number;
  id: number;
  seq: number;
  checksum: number;
  /** The engine's payload: target index and probe number (-1 when the payload is too short). */
  index: number;
  probe: number;
}

/** What the capture saw, and what the kernel dropped before it could read it. */
export interface WireCaptureResult {
  packets: WirePacket[];
  captured: number;
  drops: number;
}

/** A capture running on one device of a namespace. */
export class WireCapture {
  private constructor(
    private readonly tool: RunningTool,
    private readonly file: string,
  ) {}

  /** Starts capturing `device` (it must exist); resolves once the capture socket is bound. */
  static async start(ns: NetworkNamespace, device: string): Promise<WireCapture> {
    buildTestTool('wire-capture');
    const file = join(testToolDir, `capture-${process.pid}-${Date.now()}-${device}.txt`);
    return new WireCapture(await startTestTool(ns, 'wire-capture', [device, file]), file);
  }

  /** Stops the capture (after reading everything queued) and parses it. */
  async stop(): Promise<WireCaptureResult> {
    const counters = await stopTestTool(this.tool);
    const text = readFileSync(this.file, 'utf8');
    rmSync(this.file, { force: true });
    const packets = text
      .split('\n')
      .filter((line) => line !== '')
      .map(parseLine);
    return { packets, captured: counters.captured ?? packets.length, drops: counters.drops ?? 0 };
  }
}

function parseLine(line: string): WirePacket {
  const [direction, ts, src, dst, ttl, type, id, seq, checksum, index, probe] = line.split(' ');
  return {
    direction: direction === 'out' ? 'out' : 'in',
    tsNs: BigInt(ts!),
    src: src!,
    dst: dst!,
    ttl: Number(ttl),
    type: Number(type),
    id: Number(id),
    seq: Number(seq),
    checksum: Number(checksum),
    index: Number(index),
    probe: Number(probe),
  };
}

/** Key of one probe on the wire: its target address, target index and probe number. */
export function probeKey(target: string, index: number, probe: number): string {
  return `${target} ${index} ${probe}`;
}

/** When each probe's request left on the wire (its first copy), in nanoseconds, keyed by probeKey. */
export function wireRequestTimesNs(packets: readonly WirePacket[]): Map<string, bigint> {
  const sent = new Map<string, bigint>();
  for (const packet of packets) {
    if (packet.direction === 'out' && (packet.type === 8 || packet.type === 128)) {
      const key = probeKey(packet.dst, packet.index, packet.probe);
      if (!sent.has(key)) sent.set(key, packet.tsNs);
    }
  }
  return sent;
}

/**
 * The RTT of each probe on the wire: its first reply in − its request out, in nanoseconds, keyed by
 * probeKey. Probes the capture missed (or that got no reply) are absent.
 */
export function wireRttsNs(packets: readonly WirePacket[]): Map<string, number> {
  const sent = wireRequestTimesNs(packets);
  const rtts = new Map<string, number>();
  for (const packet of packets) {
    if (packet.direction !== 'in' || (packet.type !== 0 && packet.type !== 129)) continue;
    const key = probeKey(packet.src, packet.index, packet.probe);
    const out = sent.get(key);
    if (out !== undefined && !rtts.has(key)) rtts.set(key, Number(packet.tsNs - out));
  }
  return rtts;
}
