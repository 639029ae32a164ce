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
    failed: Array<{
        name: string;
        reason: string;
        stale: boolean;
    }>;
    /** Names whose probed addresses changed. */
    changed: string[];
}
/** A TTL-aware cache of hostname → addresses. */
export declare class HostnameResolver {
    private readonly answers;
    private readonly dns;
    private readonly options;
    /** Lookups that failed, over the resolver's life (for /metrics). */
    failures: number;
    constructor(options: HostnameResolverOptions);
    /** The current answer for a name (undefined before its first lookup). */
    answer(name: string): HostAnswer | undefined;
    /** The addresses to probe for a name, IPv4 first. */
    addresses(name: string): string[];
    /** Names (of `names`) that have never been looked up or whose answer expired. */
    due(names: Iterable<string>): string[];
    /** Looks up every due name of `names`, and forgets names no longer in use. */
    refresh(names: readonly string[]): Promise<RefreshReport>;
    private lookUp;
    private clampTtl;
}
