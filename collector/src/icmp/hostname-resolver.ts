// Hostname targets → the addresses to probe, kept as long as DNS says (the answer's TTL) and
// looked up again before the first sweep after that. The system resolver (getaddrinfo: /etc/hosts,
// then DNS, as nsswitch says) gives the addresses; DNS asked directly at the same time (c-ares, which
// reports TTLs) gives how long they hold. An answer DNS did not give (/etc/hosts) is kept for
// `systemTtlSeconds`. A failed lookup is reported and retried with backoff; a name that resolved
// before keeps its last addresses meanwhile (serve-stale, RFC 8767) unless the name no longer exists.
import { lookup, Resolver } from 'node:dns/promises';
import { isIPv4 } from 'node:net';

export interface HostnameResolverOptions {
  /** Probe both an A and an AAAA answer (two series); otherwise A, or AAAA when there is no A. */
  dualStack: boolean;
  /** How long an answer DNS did not give (/etc/hosts, no TTL) is kept. */
  systemTtlSeconds?: number;
  /** TTLs are kept within these bounds. */
  minTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** First retry after a failure; doubles up to `maxRetrySeconds`. */
  retrySeconds?: number;
  maxRetrySeconds?: number;
  concurrency?: number;
  /**
   * How long a refresh waits for the system resolver. getaddrinfo has no deadline of its own
   * (glibc retries an unresponsive server for 10 s and more), and a sweep plan — or a stopping
   * collector — must not wait on it: past this the lookup counts as failed (ETIMEOUT) and is
   * retried later; its answer, if it comes, is used then.
   */
  lookupTimeoutMs?: number;
  now?: () => number;
}

/** What is known about one name. */
export interface HostAnswer {
  /** The IPv4 address probed, or null. */
  ipv4: string | null;
  /** The IPv6 address probed, or null. */
  ipv6: string | null;
  /** When to look the name up again (ms since the epoch). */
  expiresAtMs: number;
  /** Where the answer came from. */
  source: 'dns' | 'system' | 'none';
  /** The last lookup's failure, or null when it succeeded. */
  error: string | null;
  failures: number;
}

/** What one refresh did. */
export interface RefreshReport {
  looked: number;
  failed: Array<{ name: string; reason: string; stale: boolean }>;
  /** Names whose probed addresses changed. */
  changed: string[];
}

/** The system resolver's addresses, or its error code. */
type SystemAnswer = Array<{ address: string; family: number }> | string;

/** What a resolver says of a name that does not exist (NXDOMAIN; getaddrinfo's EAI_NONAME). */
const absent = ['ENOTFOUND'];

/** A TTL-aware cache of hostname → addresses. */
export class HostnameResolver {
  private readonly answers = new Map<string, HostAnswer>();
  // Only for TTLs: a slow or absent DNS server costs at most a second per lookup.
  private readonly dns = new Resolver({ timeout: 1000, tries: 1 });
  private readonly options: Required<HostnameResolverOptions>;
  /**
   * System lookups still running (past their timeout): a later refresh waits on the same one
   * instead of starting another, so a dead DNS server cannot fill libuv's four-thread pool (which
   * file reads share) with stuck getaddrinfo calls.
   */
  private readonly systemLookups = new Map<string, Promise<SystemAnswer>>();
  /** Lookups that failed, over the resolver's life (for /metrics). */
  failures = 0;

  constructor(options: HostnameResolverOptions) {
    this.options = {
      systemTtlSeconds: 30,
      minTtlSeconds: 1,
      maxTtlSeconds: 86_400,
      retrySeconds: 5,
      maxRetrySeconds: 300,
      concurrency: 32,
      lookupTimeoutMs: 3000,
      now: () => Date.now(),
      ...options,
    };
  }

  /** The current answer for a name (undefined before its first lookup). */
  answer(name: string): HostAnswer | undefined {
    return this.answers.get(name);
  }

  /** The addresses to probe for a name, IPv4 first. */
  addresses(name: string): string[] {
    const answer = this.answers.get(name);
    if (!answer) return [];
    return [answer.ipv4, answer.ipv6].filter((address): address is string => address !== null);
  }

  /** Names (of `names`) that have never been looked up or whose answer expired. */
  due(names: Iterable<string>): string[] {
    const now = this.options.now();
    const due: string[] = [];
    for (const name of names) {
      const answer = this.answers.get(name);
      if (!answer || answer.expiresAtMs <= now) due.push(name);
    }
    return due;
  }

  /** Looks up every due name of `names`, and forgets names no longer in use. */
  async refresh(names: readonly string[]): Promise<RefreshReport> {
    const inUse = new Set(names);
    for (const name of this.answers.keys()) if (!inUse.has(name)) this.answers.delete(name);
    const due = this.due(names);
    const report: RefreshReport = { looked: due.length, failed: [], changed: [] };
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const name = due[next++]!;
        const before = this.addresses(name).join(' ');
        const answer = await this.lookUp(name);
        this.answers.set(name, answer);
        if (answer.error) {
          this.failures++;
          report.failed.push({ name, reason: answer.error, stale: answer.ipv4 !== null || answer.ipv6 !== null });
        }
        if (this.addresses(name).join(' ') !== before) report.changed.push(name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return report;
  }

  private async lookUp(name: string): Promise<HostAnswer> {
    const now = this.options.now();
    const previous = this.answers.get(name);
    const { dualStack } = this.options;
    // The system resolver decides the addresses (it knows /etc/hosts and the rest of nsswitch, as
    // every other tool on the host does); DNS, asked at the same time, says how long they hold.
    const ttlOf = (query: Promise<Array<{ address: string; ttl: number }>>) =>
      query.catch((error: NodeJS.ErrnoException) => error.code ?? error.message);
    const [system, a, aaaa] = await Promise.all([
      this.systemLookup(name),
      ttlOf(this.dns.resolve4(name, { ttl: true })),
      ttlOf(this.dns.resolve6(name, { ttl: true })),
    ]);
    if (Array.isArray(system) && system.length > 0) {
      const ipv4s = system.filter((r) => isIPv4(r.address)).map((r) => r.address);
      const ipv6s = system.filter((r) => !isIPv4(r.address)).map((r) => r.address);
      const ipv4 = ipv4s.length > 0 ? sticky(previous?.ipv4 ?? null, ipv4s) : null;
      const ipv6 = ipv6s.length > 0 && (dualStack || ipv4 === null) ? sticky(previous?.ipv6 ?? null, ipv6s) : null;
      // The DNS TTL applies when DNS gave the same answer (not /etc/hosts overriding it).
      const records = [...(Array.isArray(a) ? a : []), ...(Array.isArray(aaaa) ? aaaa : [])];
      const ttls = [ipv4, ipv6]
        .filter((address): address is string => address !== null)
        .map((address) => records.find((record) => record.address === address)?.ttl);
      const fromDns = ttls.every((ttl) => ttl !== undefined);
      return {
        ipv4,
        ipv6,
        expiresAtMs:
          now + 1000 * (fromDns ? this.clampTtl(Math.min(...(ttls as number[]))) : this.options.systemTtlSeconds),
        source: fromDns ? 'dns' : 'system',
        error: null,
        failures: 0,
      };
    }
    const dnsError = [a, aaaa].map((e) => (typeof e === 'string' ? e : 'OK'));
    const systemError = typeof system === 'string' ? system : 'ENODATA';
    const failures = (previous?.failures ?? 0) + 1;
    const retry = Math.min(this.options.maxRetrySeconds, this.options.retrySeconds * 2 ** (failures - 1));
    // One code for the message: "the name does not exist" if anyone said so, else the system's word.
    const reason = [...dnsError, systemError].some((code) => absent.includes(code)) ? 'ENOTFOUND' : systemError;
    // Stale addresses bridge an unreachable or failing DNS; a name that no longer exists is dropped.
    const keep = reason !== 'ENOTFOUND';
    return {
      ipv4: keep ? (previous?.ipv4 ?? null) : null,
      ipv6: keep ? (previous?.ipv6 ?? null) : null,
      expiresAtMs: now + 1000 * retry,
      source: previous?.source ?? 'none',
      error: reason,
      failures,
    };
  }

  /** getaddrinfo's answer (or error code), waited for at most lookupTimeoutMs. */
  private async systemLookup(name: string): Promise<SystemAnswer> {
    let pending = this.systemLookups.get(name);
    if (!pending) {
      pending = lookup(name, { all: true })
        .catch((error: NodeJS.ErrnoException) => error.code ?? error.message)
        .finally(() => this.systemLookups.delete(name));
      this.systemLookups.set(name, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SystemAnswer>((resolve) => {
      timer = setTimeout(() => resolve('ETIMEOUT'), this.options.lookupTimeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private clampTtl(ttl: number): number {
    return Math.min(this.options.maxTtlSeconds, Math.max(this.options.minTtlSeconds, Number.isFinite(ttl) ? ttl : 0));
  }
}

/** Keeps probing the address probed so far while DNS still lists it (round-robin answers rotate). */
function sticky(current: string | null, answers: readonly string[]): string {
  return current !== null && answers.includes(current) ? current : answers[0]!;
}
