#!/usr/bin/env node
// A small webhook receiver for the demo stack: Grafana's "PingSphere webhook" contact point posts
// here; every notification is printed (one block per alert: the message Grafana rendered from the
// pingsphere.message template) and the last 100 are served at GET / as JSON, so a newcomer can
// watch an alert arrive (`docker compose logs -f alert-receiver`, http://127.0.0.1:9095/).
// Plain Node, no dependencies. Stops on SIGINT/SIGTERM.
//
//   node provisioning/alert-receiver/server.mjs [--port 9095] [--host 0.0.0.0]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '9095' }, host: { type: 'string', default: '0.0.0.0' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`alert-receiver: --port must be a port number, got "${values.port}"\n`);
  process.exit(2);
}
const maxBodyBytes = 1024 * 1024;
const received = [];

/** One printable block per notification: Grafana's rendered title and message, or the alerts' labels. */
function describe(notification) {
  const lines = [`== ${new Date().toISOString()} ${notification.title ?? notification.status ?? 'notification'}`];
  if (typeof notification.message === 'string' && notification.message.trim()) lines.push(notification.message.trim());
  else
    for (const alert of notification.alerts ?? []) lines.push(`${alert.status}: ${JSON.stringify(alert.labels ?? {})}`);
  return lines.join('\n');
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/' || req.url === '/alerts')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(received, null, 2));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end('POST Grafana webhook notifications here; GET / lists them\n');
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > maxBodyBytes) {
      res.writeHead(413).end('notification larger than 1 MiB\n');
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    let notification;
    try {
      notification = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      res.writeHead(400).end(`body is not JSON: ${error.message}\n`);
      return;
    }
    received.push({ receivedAt: new Date().toISOString(), ...notification });
    if (received.length > 100) received.shift();
    process.stdout.write(describe(notification) + '\n');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
});

server.listen(port, values.host, () => {
  const address = server.address();
  process.stdout.write(`alert-receiver listening on http://${values.host}:${address.port}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
