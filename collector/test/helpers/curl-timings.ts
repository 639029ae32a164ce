// Our timed requests beside curl's `-w` timings, request for request, for the timing test and the
// timing benchmark (bench/http/timing-vs-curl.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseEndpoint } from '../../src/http/endpoint.js';
import { timedRequest, type TimedResponse } from '../../src/http/timed-request.js';

/** curl's -w timings in milliseconds, each cumulative from the start of the transfer. */
export interface CurlTimes {
  namelookup: number;
  connect: number;
  appconnect: number;
  pretransfer: number;
  starttransfer: number;
  total: number;
}

/** One curl request and its -w timings (proxies ignored, body discarded). */
export async function curlTimes(url: string, extra: readonly string[] = []): Promise<CurlTimes> {
  const format =
    '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}';
  const { stdout } = await promisify(execFile)('curl', [
    '-s',
    '-o',
    '/dev/null',
    '--noproxy',
    '*',
    '-w',
    format,
    ...extra,
    url,
  ]);
  const [namelookup, connect, appconnect, pretransfer, starttransfer, total] = stdout
    .trim()
    .split(' ')
    .map((s) => Number(s) * 1000) as [number, number, number, number, number, number];
  return { namelookup, connect, appconnect, pretransfer, starttransfer, total };
}

/** Alternates our requests and curl's so both see the same machine state; returns both series. */
export async function measureBesideCurl(
  url: string,
  options: { runs: number; ca?: string; curlArgs?: readonly string[] },
): Promise<{ ours: TimedResponse[]; theirs: CurlTimes[] }> {
  const endpoint = parseEndpoint(url);
  const request = () => timedRequest(endpoint, { timeoutMs: 5000, ca: options.ca });
  for (let i = 0; i < 3; i++) await request(); // JIT warm-up
  const ours: TimedResponse[] = [];
  const theirs: CurlTimes[] = [];
  for (let i = 0; i < options.runs; i++) {
    ours.push(await request());
    theirs.push(await curlTimes(url, options.curlArgs));
  }
  return { ours, theirs };
}
