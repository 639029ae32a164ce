// Entry point of the `pingsphere` command. Foundation stage: only a placeholder `collect` that
// serves /v1/ping so the demo has a process to run; the real subcommands arrive with their issues.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const usage = `Usage: pingsphere <command> [options]

Commands:
  collect -s PORT [-L LOCATION] [--listen ADDR]   run a collector (placeholder: serves /v1/ping)

Run \`pingsphere <command> --help\` for a command's options.`;

function runCollectPlaceholder(args: string[]): void {
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
    return;
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
  server.listen(port, values.listen, () => {
    process.stdout.write(`collector at ${location} serving http://${values.listen}:${port}/v1/ping\n`);
  });
  const shutdown = (signal: string) => {
    process.stdout.write(`collector at ${location}: ${signal}, stopping\n`);
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

class UsageError extends Error {}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(usage + '\n');
    return;
  }
  if (command === 'collect') return runCollectPlaceholder(rest);
  throw new UsageError(`unknown command "${command}"\n\n${usage}`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`pingsphere: ${(error as Error).message}\n`);
  process.exit(2);
}
