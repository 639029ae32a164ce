import type { Sender } from '@questdb/nodejs-client';
import type { HttpResult } from '../../results/http-result.js';
import type { IcmpResult } from '../../results/icmp-result.js';
import type { ResultBatch } from '../../results/result-batch.js';

// ILP cannot carry an empty symbol value: leave the column out (NULL) instead.
function symbolIfSet(sender: Sender, name: string, value: string): void {
  if (value !== '') sender.symbol(name, value);
}

async function writeIcmp(sender: Sender, r: IcmpResult): Promise<void> {
  sender.table('icmp').symbol('src', r.src);
  symbolIfSet(sender, 'src_loc', r.srcLoc);
  sender.symbol('dst', r.dst);
  if (r.rttMs !== null) sender.floatColumn('rtt_ms', r.rttMs);
  sender.intColumn('seq', r.seq);
  await sender.at(BigInt(r.tsUs), 'us');
}

async function writeHttp(sender: Sender, r: HttpResult): Promise<void> {
  sender.table('http').symbol('src', r.src);
  symbolIfSet(sender, 'src_loc', r.srcLoc);
  sender.symbol('dst', r.dst);
  symbolIfSet(sender, 'dst_host', r.dstHost);
  symbolIfSet(sender, 'dst_ip', r.dstIp);
  symbolIfSet(sender, 'dst_loc', r.dstLoc);
  symbolIfSet(sender, 'error', r.error);
  sender
    .intColumn('status', r.status)
    .floatColumn('dns_ms', r.dnsMs)
    .floatColumn('connect_ms', r.connectMs)
    .floatColumn('tls_ms', r.tlsMs)
    .floatColumn('ttfb_ms', r.ttfbMs)
    .floatColumn('close_ms', r.closeMs)
    .floatColumn('total_ms', r.totalMs)
    .intColumn('size_bytes', r.sizeBytes)
    .booleanColumn('ok', r.ok);
  await sender.at(BigInt(r.tsUs), 'us');
}

/** Encodes batches as ILP rows into the sender's buffer (tables icmp and http of DESIGN.md). */
export async function writeRows(sender: Sender, batches: readonly ResultBatch[]): Promise<void> {
  for (const batch of batches) {
    if (batch.family === 'icmp') for (const r of batch.results) await writeIcmp(sender, r);
    else for (const r of batch.results) await writeHttp(sender, r);
  }
}
