// The system resolver's deadline for the long-running collector. getaddrinfo (hostname targets,
// -H, peers) has none of its own: with resolv.conf's defaults (timeout:5 attempts:2) a DNS server
// that takes queries and never answers holds a lookup 10 s per server, and a thread of libuv's
// pool with it. Node joins that pool on exit, so a collector told to stop while such a lookup runs
// could not exit before it ended — longer than a container runtime's stop grace (podman and Docker
// send SIGKILL after 10 s). glibc reads RES_OPTIONS from the environment over resolv.conf: one
// second per try, two tries, unless the operator set RES_OPTIONS themselves.
export const daemonResolverOptions = 'timeout:1 attempts:2';

/** Sets RES_OPTIONS for this process when unset; call before the first lookup. */
export function applyDaemonResolverOptions(env: NodeJS.ProcessEnv = process.env): void {
  env.RES_OPTIONS ??= daemonResolverOptions;
}
