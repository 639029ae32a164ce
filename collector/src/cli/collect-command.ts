// Placeholder `collect` (foundation stage): serves /v1/ping so the demo has a process to run.
// Issue 4 replaces it with the pingmesh-compatible collector.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** Runs the placeholder collector until SIGINT/SIGTERM. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      s: { type: 'string' },
      L: { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: pingsphere collect -s PORT [-L LOCATION] [--listen ADDR]\n');
    return 0;
  }
  const port = Number(values.s);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UsageError(`-s needs a TCP port between 1 and 65535, got "${values.s ?? ''}"`);
  }
  const location = values.L ?? values.listen;
  const server = createServer((request, response) => {
    if (request.url === '/v1/ping') {
      response.setHeader('content-type', 'text/html');
      response.end(`<html><body>pingsphere ping response from ${location}</body></html>\n`);
      return;
    }
    response.statusCode = 404;
    response.end('not found\n');
  });
  await new Promise<void>((resolve) => server.listen(port, values.listen, resolve));
  process.stdout.write(`collector at ${location} serving http://${values.listen}:${port}/v1/ping\n`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(`collector at ${location}: ${signal}, stopping\n`);
  await new Promise((resolve) => server.close(resolve));
  return 0;
}
