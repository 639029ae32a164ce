// Runs inside a network namespace (plain Node, no loader): carries TCP connections between the
// namespace and a Unix socket, which lives in the file system and so is reachable from the host
// without giving the namespace any network link.
//
//   node port-relay.mjs ROUTES_JSON
//
// ROUTES_JSON: [{ "listen": ENDPOINT, "connect": ENDPOINT }, …], ENDPOINT either
// { "unix": PATH } or { "host": ADDRESS, "port": N }. Prints "ready" once every route listens.
import { connect, createServer } from 'node:net';

const routes = JSON.parse(process.argv[2] ?? '[]');
let listening = 0;
for (const { listen, connect: target } of routes) {
  const server = createServer((inbound) => {
    const outbound = target.unix ? connect(target.unix) : connect(target.port, target.host);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  const onListening = () => {
    if (++listening === routes.length) console.log('ready');
  };
  if (listen.unix) server.listen(listen.unix, onListening);
  else server.listen(listen.port, listen.host, onListening);
}
