/** perftest's timing breakdown of one request, in milliseconds (0 for a stage not reached). */
export interface HttpTimings {
    /** DNS lookup (perftest DnsLk); 0 when the host is an IP literal or overridden. */
    dnsMs: number;
    /** TCP handshake (TcpHs): the network round-trip estimate. */
    connectMs: number;
    /** TLS handshake (TlsHs); 0 for plain HTTP. */
    tlsMs: number;
    /** Request written until the first response byte (Reply). */
    ttfbMs: number;
    /** First byte until the body is read and the connection closed (Close). */
    closeMs: number;
    /** Whole request (Total / RespTime). */
    totalMs: number;
}
/**
 * One HTTP ping's outcome with perftest's timing breakdown (milliseconds): the single shape every
 * sink, the API and the CLI use.
 */
export interface HttpResult extends HttpTimings {
    /** Start of the request, microseconds since the Unix epoch (UTC). */
    tsUs: number;
    /** Collector that made the request. */
    src: string;
    /** Location of the collector ("City,CC"). */
    srcLoc: string;
    /** Target URL as configured (without the #Location suffix). */
    dst: string;
    /** Host part of the URL (what goes in the Host header and TLS SNI). */
    dstHost: string;
    /** Address actually connected to (the IP override when set), empty if none was reached. */
    dstIp: string;
    /** Location of the target: from `#Location`, else learned from its /v1/ping reply, else empty. */
    dstLoc: string;
    /** HTTP status code, 0 when no response arrived. */
    status: number;
    /** Response body size in bytes. */
    sizeBytes: number;
    /** Status <= 304 with no transport error, as pingmesh counts success. */
    ok: boolean;
    /** Short error class ("ECONNREFUSED", "timeout", "http_500"), empty when ok. */
    error: string;
}
