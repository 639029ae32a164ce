// A kernel-stamped capture of one device (tcpdump, nanosecond time stamps) and the pairing of a
// WAN emulator's packets in it. On the emulator's TUN device every packet shows twice, byte for
// byte the same: when the kernel hands it to the emulator and when the emulator writes it back.
// The time between the two is the hold the emulator really applied, measured by the kernel, not
// by the emulator: the truth its own error is measured against.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { NetworkNamespace } from '../netns.js';

const tcpdump = '/usr/bin/tcpdump';

/** One captured packet: the kernel's time stamp (ns since the epoch) and the IP packet. */
export interface CapturedPacket {
  atNs: bigint;
  bytes: Buffer;
}

/** A packet that went into the emulator and came back out. */
export interface HeldPacket {
  inNs: bigint;
  outNs: bigint;
  holdNs: number;
  bytes: Buffer;
}

/** tcpdump on a device inside a namespace, writing a pcap file until stopped. */
export class PacketCapture {
  private constructor(
    private readonly child: ChildProcess,
    private readonly file: string,
    private readonly exited: Promise<void>,
    private readonly stderr: () => string,
  ) {}

  static async start(ns: NetworkNamespace, device: string): Promise<PacketCapture> {
    const file = join(tmpdir(), `${ns.name}-${device}-${Date.now()}.pcap`);
    const child = ns.spawn(
      tcpdump,
      [
        '-i',
        device,
        '-n',
        '-U',
        '--immediate-mode',
        '-B',
        '32768',
        '-s',
        '2048',
        '-Z',
        'root',
        '--time-stamp-precision=nano',
        '-w',
        file,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start within 10 s: ${stderr}`)), 10_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) =>
        reject(new Error(`cannot run ${tcpdump} (${error.message}): install it (apt-get install tcpdump)`)),
      );
      void exited.then(() => reject(new Error(`tcpdump exited: ${stderr.trim()}`)));
    });
    return new PacketCapture(child, file, exited, () => stderr);
  }

  /** Stops the capture and returns what it saw, in capture order. */
  async stop(): Promise<CapturedPacket[]> {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
    // tcpdump's closing lines: "N packets captured … M packets dropped by kernel".
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(this.stderr())?.[1] ?? 0);
    if (dropped > 0) {
      rmSync(this.file, { force: true });
      throw new Error(`the capture lost ${dropped} packets (tcpdump: "dropped by kernel"): it is not a complete truth`);
    }
    try {
      return readPcap(readFileSync(this.file));
    } finally {
      rmSync(this.file, { force: true });
    }
  }
}

/** Reads a nanosecond pcap file of raw IP packets (what tcpdump writes for a TUN device). */
export function readPcap(file: Buffer): CapturedPacket[] {
  if (file.length < 24) throw new Error('not a pcap file: shorter than its header');
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b23c4d;
  if (!little && file.readUInt32BE(0) !== 0xa1b23c4d) {
    throw new Error(
      `not a nanosecond pcap file (magic ${magic.toString(16)}): capture with --time-stamp-precision=nano`,
    );
  }
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const packets: CapturedPacket[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const length = u32(at + 8);
    const atNs = BigInt(u32(at)) * 1_000_000_000n + BigInt(u32(at + 4));
    packets.push({ atNs, bytes: file.subarray(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return packets;
}

/**
 * Pairs each packet's first sighting (into the emulator) with its second (back out). Packets
 * seen once were dropped (loss) or still held when the capture stopped.
 */
export function pairHeldPackets(packets: readonly CapturedPacket[]): {
  held: HeldPacket[];
  unpaired: CapturedPacket[];
} {
  const waiting = new Map<string, CapturedPacket>();
  const held: HeldPacket[] = [];
  for (const packet of packets) {
    const key = packet.bytes.toString('hex');
    const first = waiting.get(key);
    if (first) {
      waiting.delete(key);
      held.push({
        inNs: first.atNs,
        outNs: packet.atNs,
        holdNs: Number(packet.atNs - first.atNs),
        bytes: packet.bytes,
      });
    } else {
      waiting.set(key, packet);
    }
  }
  return { held, unpaired: [...waiting.values()] };
}

/** The fields of an IPv4 packet the tests look at. */
export function ipv4Summary(bytes: Buffer): { src: string; dst: string; protocol: number; icmpType?: number } {
  const address = (at: number) => [...bytes.subarray(at, at + 4)].join('.');
  const protocol = bytes[9]!;
  const ihl = (bytes[0]! & 0x0f) * 4;
  return {
    src: address(12),
    dst: address(16),
    protocol,
    ...(protocol === 1 ? { icmpType: bytes[ihl] } : {}),
  };
}
