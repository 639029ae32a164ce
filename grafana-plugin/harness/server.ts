// Serves the harness pages (harness/dist) and a same-origin, read-only proxy to QuestDB's /exec,
// so a browser with no Grafana can show the live panels. Used by the browser tests, the matrix
// benchmark and the demo.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:harness --workspace grafana-plugin` writes the pages. */
export const harnessDistDir = join(dirname(fileURLToPath(import.meta.url)), 'dist') + sep;

export interface LivePageOptions {
  /** QuestDB's HTTP base URL, e.g. http://127.0.0.1:9000; undefined serves the pages only. */
  questdbUrl?: string;
  port?: number;
  host?: string;
  /**
   * What the serving process set up, served as /scenario.json for the page to show: `note` lines
   * (the demo's emulated WAN, say) and `compressedDay` ({ periodMs, epochMs }: the data's busy
   * cycle is a day compressed into periodMs, so the time-of-day panel reads it on that clock).
   */
  scenario?: unknown;
  /** Pages to serve instead of harness/dist (bench:plugin --baseline serves an older build). */
  distDir?: string;
}

export interface LivePage {
  /** Base URL of the live page (index.html); bench.html sits beside it. */
  url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Only reading statements go through: the page must not be a way to drop tables. */
export function isReadOnlySql(sql: string): boolean {
  return /^\s*(select|with|show|explain)\b/i.test(sql) && !/;\s*\S/.test(sql);
}

/** Starts the server (loopback by default) and resolves once it listens. */
export async function serveLivePage(options: LivePageOptions = {}): Promise<LivePage> {
  const root = options.distDir ? normalize(options.distDir).replace(/\/?$/, sep) : harnessDistDir;
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(
      `the live page is not built (${root} is empty): run \`npm run build:harness --workspace grafana-plugin\``,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    void handle(request, response, options.questdbUrl, root, options.scenario).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `proxy to QuestDB failed: ${error.message}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  questdbUrl: string | undefined,
  root: string,
  scenario: unknown,
) {
  const url = new URL(request.url ?? '/', 'http://page');
  if (url.pathname === '/scenario.json') {
    return scenario === undefined
      ? json(response, 404, { error: 'no scenario: this page was started without one' })
      : json(response, 200, scenario);
  }
  if (url.pathname === '/questdb/exec') {
    const sql = url.searchParams.get('query') ?? '';
    if (!questdbUrl) return json(response, 503, { error: 'this page was started without a QuestDB URL' });
    if (request.method !== 'GET' || !isReadOnlySql(sql)) {
      return json(response, 403, { error: 'only single SELECT/WITH/SHOW/EXPLAIN statements are proxied' });
    }
    const upstream = await fetch(`${questdbUrl.replace(/\/$/, '')}/exec?query=${encodeURIComponent(sql)}`, {
      signal: AbortSignal.timeout(30_000),
    });
    response.writeHead(upstream.status, { 'content-type': 'application/json' });
    return response.end(Buffer.from(await upstream.arrayBuffer()));
  }
  const file = normalize(join(root, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!file.startsWith(root) || !existsSync(file)) return json(response, 404, { error: 'not found' });
  response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
