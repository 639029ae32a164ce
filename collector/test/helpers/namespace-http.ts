// HTTP requests to a collector that runs inside a network namespace, made with curl inside it
// (the namespace has no link to the host). Bodies go through files, so a 100,000-target body is
// no command line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkNamespace } from '@pingsphere/testbed';

export interface CurlReply {
  status: number;
  body: string;
  headers: Record<string, string>;
  json<T = Record<string, unknown>>(): T;
}

/** One request; `body` is sent as given with the content type in `headers`. */
export async function curl(
  ns: NetworkNamespace,
  method: string,
  url: string,
  options: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CurlReply> {
  const dir = mkdtempSync(join(tmpdir(), 'pingsphere-curl-'));
  try {
    const args = ['-s', '-S', '-X', method, '-D', join(dir, 'headers'), '-o', join(dir, 'body'), '-w', '%{http_code}'];
    for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
    if (options.body !== undefined) {
      writeFileSync(join(dir, 'request'), options.body);
      args.push('--data-binary', `@${join(dir, 'request')}`);
    }
    const result = await ns.exec('curl', [...args, url], { timeoutMs: options.timeoutMs ?? 120_000 });
    if (result.exitCode !== 0) throw new Error(`curl ${method} ${url} failed: ${result.stderr}`);
    const body = readFileSync(join(dir, 'body'), 'utf8');
    const headers: Record<string, string> = {};
    for (const line of readFileSync(join(dir, 'headers'), 'utf8').split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(result.stdout), body, headers, json: <T>() => JSON.parse(body) as T };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value of one OpenMetrics sample ("name{labels} value"), or NaN when it is absent. */
export function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}
