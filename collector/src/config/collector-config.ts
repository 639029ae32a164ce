// `pingsphere collect` configuration: pingmesh's flags and environment variables (same meaning,
// same precedence, same warnings) plus PingSphere's own, resolved into one typed CollectorConfig.
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { UsageError } from '../cli/usage-error.js';
import { parseQuestDbConfig, QuestDbConfigError } from '../sinks/questdb/questdb-config.js';
import { describeFlags, parseGoFlags, type FlagSpecs } from './go-flags.js';
import { parseTraceConfig, traceFlags, type TraceConfig } from './trace-config.js';

/** Safety limits of automatic mesh growth (`--auto-mesh`). */
export interface AutoMeshConfig {
  /** Networks (CIDR) a discovered peer's address must be in. */
  allowCidrs: string[];
  /** No discovery adds peers beyond this many active peers. */
  maxPeers: number;
  /** Hops from a peer this collector was told about by a person (CLI or /v1/addpeer = depth 0). */
  maxDepth: number;
  /** Token-bucket rate of additions. */
  addsPerMinute: number;
  /** How often the known peers' peer lists are read. */
  intervalSeconds: number;
}

/** Pull-only sync of another collector's targets (`--targets-from`), and its fences. */
export interface TargetsFromConfig {
  /** The other collector's /v1/targets URL. */
  url: string;
  /** Bearer token sent with each pull (PINGSPHERE_TARGETS_FROM_TOKEN, else PINGSPHERE_TOKEN). */
  token: string | null;
  intervalSeconds: number;
  /** Networks (CIDR) every address taken from the list must be in. */
  allowCidrs: string[];
  /** Most targets taken from the list (addresses a range holds count one each). */
  maxTargets: number;
}

/** Everything `pingsphere collect` needs to run, after flags, environment and defaults. */
export interface CollectorConfig {
  /** -d: seconds between requests to each endpoint (fractions allowed, for tests). */
  delaySeconds: number;
  /** -n: successful pings per endpoint before its pinger stops; 0 = until interrupted. */
  limit: number;
  /** -f: failures before a pinger gives up on its endpoint. */
  maxFail: number;
  /** -s: API server port; 0 = no server. */
  serverPort: number;
  /** -r: port reported to peers as SrvPort (= -s unless a proxy translates ports). */
  reportPort: number;
  /** -c, kept only when the AWS environment it needs is present. */
  cloudWatch: boolean;
  /** -H / PINGMESH_HOSTNAME: my hostname, resolved to SrvIPs. */
  hostname: string;
  /** -I: the IP the command-line endpoints are requested at (Host header and SNI unchanged). */
  ipOverride: string;
  /** -L / REP_LOCATION / my IP: this collector's location. */
  location: string;
  /** pingmesh's verbosity: 0 with -q, 1 by default, +1 with -v, +2 with -V. */
  verbosity: number;
  /** --json: NDJSON of every result on stdout instead of pingmesh's text lines. */
  json: boolean;
  /** --listen: address the API server binds (loopback unless told otherwise). */
  listenAddress: string;
  /** --timeout: per-request time limit in seconds. */
  timeoutSeconds: number;
  /** Endpoints from the command line, then PINGMESH_URL. */
  endpoints: string[];
  /** --questdb / PINGSPHERE_QUESTDB: the QuestDB client's config string, or null. */
  questdb: string | null;
  /** --icmp-targets: file of ICMP targets, or null. */
  icmpTargetsFile: string | null;
  /** --icmp-interval: seconds between ICMP sweeps (default: -d). */
  icmpIntervalSeconds: number;
  /** --icmp-rate: probes per second across a sweep (default 10,000). */
  icmpRatePps: number;
  /** --icmp-timeout: milliseconds after which a probe counts as lost (default 1,000). */
  icmpTimeoutMs: number;
  /** --icmp-flows: fixed flows (ICMP id + checksum) per target, one more per sweep (default 1). */
  icmpFlows: number;
  /** --icmp-timestamps: auto (default), software or user (see `pingsphere icmp --help`). */
  icmpTimestamps: 'auto' | 'software' | 'user';
  /** --spool-dir / PINGSPHERE_SPOOL_DIR: where undeliverable QuestDB rows wait; null = default. */
  spoolDir: string | null;
  /** --spool-max-mb: size bound of the spool. */
  spoolMaxMegabytes: number;
  /** --questdb-ttl-days: drop raw rows and roll-ups older than this; null keeps everything. */
  questdbTtlDays: number | null;
  /** PINGSPHERE_TOKEN: bearer token mutating API calls must carry, or null (no auth). */
  token: string | null;
  /** --auto-mesh settings, or null when automatic growth is off. */
  autoMesh: AutoMeshConfig | null;
  /** --targets-state: where the API's changes to the ICMP targets are kept; null = beside the spool. */
  targetsStateFile: string | null;
  /** --dual-stack: probe a hostname's A and AAAA answers as two targets. */
  dualStack: boolean;
  /** --max-peers: no /v1/addpeer addition (single or imported list) beyond this many peers. */
  maxPeers: number;
  /** --targets-from and its fences, or null. */
  targetsFrom: TargetsFromConfig | null;
  /** --trace-on-change / --trace-interval and their settings, or null (no tracing). */
  trace: TraceConfig | null;
}

/** The config plus what the user should be told about how it was reached. */
export interface ResolvedConfig {
  config: CollectorConfig;
  /** pingmesh-style "Note: …" lines (environment overriding a flag). */
  notes: string[];
  /** pingmesh-style "Warning: …" lines (invalid environment values, disabled features). */
  warnings: string[];
  /** --help was asked for. */
  help: boolean;
}

/** Every flag `pingsphere collect` accepts: pingmesh's, then PingSphere's own. */
export const collectFlags: FlagSpecs = {
  d: { kind: 'string', valueName: 'SECONDS', help: 'delay in seconds between ping requests (default 10)' },
  n: { kind: 'string', valueName: 'N', help: 'number of tests to each endpoint (default 0 runs until interrupted)' },
  f: { kind: 'string', valueName: 'N', help: 'maximum failures before pinger quits trying (default 100)' },
  s: { kind: 'string', valueName: 'PORT', help: "server listen port; default zero means don't run a server" },
  r: { kind: 'string', valueName: 'PORT', help: 'server port to report as SrvPort (default: -s)' },
  c: { kind: 'boolean', help: 'publish metrics to CloudWatch (needs AWS_REGION and credentials)' },
  H: { kind: 'string', valueName: 'NAME', help: 'my hostname (should resolve to accessible IPs)' },
  I: { kind: 'string', valueName: 'IP', help: 'remote peer IP address override (keeps Host header and TLS SNI)' },
  L: { kind: 'string', valueName: 'LOC', help: 'my location to report, "City,CC" (default $REP_LOCATION, else my IP)' },
  v: { kind: 'boolean', help: 'be more verbose' },
  V: { kind: 'boolean', help: 'be even more verbose' },
  q: { kind: 'boolean', help: 'be less verbose' },
  json: { kind: 'boolean', help: 'print every result as one NDJSON line on stdout' },
  listen: { kind: 'string', valueName: 'ADDR', help: 'address the API server binds (default 127.0.0.1)' },
  timeout: { kind: 'string', valueName: 'SECONDS', help: 'per-request time limit (default 10)' },
  questdb: { kind: 'string', valueName: 'CONF', help: 'QuestDB client config, e.g. "http::addr=host:9000;"' },
  'icmp-targets': {
    kind: 'string',
    valueName: 'FILE',
    help: 'ICMP targets to sweep, one a line: ADDRESS|HOSTNAME|CIDR [name=…] [group=…] [loc=City,CC|LAT,LON] [k=v…]',
  },
  'icmp-interval': { kind: 'string', valueName: 'SECONDS', help: 'seconds between ICMP sweeps (default: -d)' },
  'icmp-rate': { kind: 'string', valueName: 'PPS', help: 'ICMP probes per second during a sweep (default 10000)' },
  'icmp-timeout': { kind: 'string', valueName: 'MS', help: 'ICMP reply timeout in milliseconds (default 1000)' },
  'icmp-flows': {
    kind: 'string',
    valueName: 'N',
    help: 'fixed ICMP flows per target, each sweep on the next one (default 1)',
  },
  'icmp-timestamps': {
    kind: 'string',
    valueName: 'MODE',
    help: 'how ICMP RTTs are timed: auto, software (kernel TX stamps) or user (default auto)',
  },
  'spool-dir': {
    kind: 'string',
    valueName: 'DIR',
    help: 'where rows wait while QuestDB is unreachable (default ~/.local/state/pingsphere/spool/…)',
  },
  'spool-max-mb': { kind: 'string', valueName: 'MB', help: 'size bound of the spool (default 1024)' },
  'questdb-ttl-days': { kind: 'string', valueName: 'DAYS', help: 'keep rows in QuestDB this many days (default: all)' },
  'auto-mesh': { kind: 'boolean', help: "grow the mesh from peers' peer lists, within the limits below" },
  'mesh-allow': { kind: 'string', valueName: 'CIDR,…', help: 'networks discovered peers must be in (required)' },
  'mesh-max-peers': { kind: 'string', valueName: 'N', help: 'no automatic additions beyond N peers (default 50)' },
  'mesh-max-depth': { kind: 'string', valueName: 'N', help: 'hops from a hand-added peer (default 2)' },
  'mesh-add-rate': { kind: 'string', valueName: 'N', help: 'at most N automatic additions per minute (default 10)' },
  'mesh-interval': { kind: 'string', valueName: 'SECONDS', help: "how often peers' lists are read (default 60)" },
  'targets-state': {
    kind: 'string',
    valueName: 'FILE',
    help: 'where /v1/targets changes are kept across restarts (default: beside the spool, <spool>.targets.ndjson)',
  },
  'dual-stack': { kind: 'boolean', help: 'probe both the A and the AAAA address of hostname targets (two series)' },
  'max-peers': {
    kind: 'string',
    valueName: 'N',
    help: 'no peer added through /v1/addpeer (or an imported peer list) beyond N peers (default 1000)',
  },
  'targets-from': {
    kind: 'string',
    valueName: 'URL',
    help: "also sweep another collector's ICMP targets (its /v1/targets), pulled every --targets-from-interval",
  },
  'targets-from-interval': { kind: 'string', valueName: 'SECONDS', help: 'seconds between pulls (default 60)' },
  'targets-allow': {
    kind: 'string',
    valueName: 'CIDR,…',
    help: 'networks the pulled targets must be in (required with --targets-from)',
  },
  'targets-max': {
    kind: 'string',
    valueName: 'N',
    help: 'most targets taken from --targets-from (default 100000)',
  },
  ...traceFlags,
  help: { kind: 'boolean', help: 'print this help' },
  h: { kind: 'boolean', help: 'print this help' },
};

/** The text of `pingsphere collect --help`. */
export function collectUsage(): string {
  return `Usage: pingsphere collect [flags] endpoints...
endpoints: zero or more URLs or hostnames (bare host = http://host/), each optionally suffixed
"#Location". Each is requested every -d seconds. With -s PORT a pingmesh-compatible API server runs
on that port (/v1/ping, /v1/peers, /v1/addpeer, /v1/memstats, /v1/quit, /metrics). Stop with ^C
(SIGINT) or SIGTERM; per-endpoint averages print on the way out.

Flags (Go syntax works too: -d 5, -d=5, --d 5):
${describeFlags(collectFlags)}

Environment (overrides the matching flag, with a note): PINGMESH_DELAY, PINGMESH_LIMIT,
PINGMESH_MAXFAIL, PINGMESH_URL (one more endpoint), PINGMESH_HOSTNAME, REP_LOCATION (or REP_CITY +
REP_COUNTRY), AWS_REGION/AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (-c), PINGSPHERE_QUESTDB, PINGSPHERE_SPOOL_DIR,
PINGSPHERE_TOKEN (bearer token required by /v1/addpeer, /v1/quit, /v1/delay and /v1/targets),
PINGSPHERE_TARGETS_FROM_TOKEN (token sent to the --targets-from collector; default PINGSPHERE_TOKEN).
SIGHUP re-reads the --icmp-targets file (it is also re-read when it changes on disk).
`;
}

type Env = Readonly<Record<string, string | undefined>>;

function numberFlag(
  raw: string | boolean | undefined,
  name: string,
  fallback: number,
  rule: { integer: boolean; min: number; max?: number; what: string },
): number {
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  const bad =
    text === '' ||
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    value < rule.min ||
    (rule.max !== undefined && value > rule.max);
  if (bad) throw new UsageError(`invalid value "${text}" for flag -${name}: ${rule.what}`);
  return value;
}

/**
 * pingmesh's environment override: a valid value replaces the flag (with a note if the flag was
 * also given), an invalid one is reported and the flag's value kept.
 */
function envOverride(
  env: Env,
  variable: string,
  flag: string,
  flagGiven: boolean,
  current: number,
  isValid: (value: number) => boolean,
  what: string,
  notes: string[],
  warnings: string[],
): number {
  const raw = env[variable];
  if (raw === undefined) return current;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || !isValid(value)) {
    warnings.push(
      `Warning: ${variable} from environment is "${raw}" -- value must be ${what}. Using -${flag} ${current} instead`,
    );
    return current;
  }
  if (flagGiven) notes.push(`Note: ${variable} from environment, ${value} overrides -${flag} ${current}`);
  return value;
}

/** This host's first non-internal address, pingmesh's fallback location (no packet is sent). */
function primaryAddress(fallback: string): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') return address.address;
    }
  }
  return fallback;
}

function locationFromEnv(env: Env): string {
  const location = env.REP_LOCATION ?? '';
  if (location) return location;
  const city = env.REP_CITY ?? '';
  const country = env.REP_COUNTRY ?? '';
  if (city && country) return `${city},${country}`;
  return city + country;
}

function checkQuestDbConf(conf: string, source: string): string {
  try {
    parseQuestDbConfig(conf);
  } catch (error) {
    if (error instanceof QuestDbConfigError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
  return conf;
}

function parseAutoMesh(values: Map<string, string | boolean>): AutoMeshConfig | null {
  const meshFlags = ['mesh-allow', 'mesh-max-peers', 'mesh-max-depth', 'mesh-add-rate', 'mesh-interval'];
  if (!values.get('auto-mesh')) {
    const stray = meshFlags.find((name) => values.has(name));
    if (stray) throw new UsageError(`--${stray} only applies with --auto-mesh: add --auto-mesh or drop --${stray}`);
    return null;
  }
  const allow = String(values.get('mesh-allow') ?? '').trim();
  if (!allow) {
    throw new UsageError(
      '--auto-mesh needs --mesh-allow CIDR[,CIDR…] naming the networks discovered peers may be in (e.g. 10.0.0.0/8)',
    );
  }
  const allowCidrs = parseCidrList(allow, '--mesh-allow');
  return {
    allowCidrs,
    maxPeers: numberFlag(values.get('mesh-max-peers'), 'mesh-max-peers', 50, {
      integer: true,
      min: 1,
      what: 'use a whole number of peers >= 1',
    }),
    maxDepth: numberFlag(values.get('mesh-max-depth'), 'mesh-max-depth', 2, {
      integer: true,
      min: 1,
      max: 16,
      what: 'use a whole number of hops from 1 to 16',
    }),
    addsPerMinute: numberFlag(values.get('mesh-add-rate'), 'mesh-add-rate', 10, {
      integer: false,
      min: 0.01,
      what: 'use a number of additions per minute > 0',
    }),
    intervalSeconds: numberFlag(values.get('mesh-interval'), 'mesh-interval', 60, {
      integer: false,
      min: 0.1,
      what: 'use a number of seconds >= 0.1',
    }),
  };
}

/** Checks a comma-separated CIDR list of `flag`. */
function parseCidrList(text: string, flag: string): string[] {
  const cidrs = text.split(',').map((cidr) => cidr.trim());
  for (const cidr of cidrs) {
    const [address, bits, extra] = cidr.split('/');
    const family = isIP(address ?? '');
    const prefix = Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      bits === undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > (family === 4 ? 32 : 128)
    ) {
      throw new UsageError(`invalid network "${cidr}" in ${flag}: write CIDRs like 10.0.0.0/8 or fd00::/8`);
    }
  }
  return cidrs;
}

function parseTargetsFrom(values: Map<string, string | boolean>, env: Env): TargetsFromConfig | null {
  const dependent = ['targets-from-interval', 'targets-allow', 'targets-max'];
  const from = values.get('targets-from');
  if (from === undefined) {
    const stray = dependent.find((name) => values.has(name));
    if (stray)
      throw new UsageError(`--${stray} only applies with --targets-from: add --targets-from URL or drop --${stray}`);
    return null;
  }
  const url = String(from).trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--targets-from "${url}" is not a URL: give the other collector's /v1/targets, e.g. http://10.0.0.5:8080/v1/targets`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--targets-from "${url}": only http:// and https:// URLs`);
  }
  const allow = String(values.get('targets-allow') ?? '').trim();
  if (!allow) {
    throw new UsageError(
      '--targets-from needs --targets-allow CIDR[,CIDR…] naming the networks the pulled targets may be in (e.g. 198.18.0.0/15)',
    );
  }
  return {
    url,
    token: env.PINGSPHERE_TARGETS_FROM_TOKEN ?? env.PINGSPHERE_TOKEN ?? null,
    intervalSeconds: numberFlag(values.get('targets-from-interval'), 'targets-from-interval', 60, {
      integer: false,
      min: 0.1,
      what: 'use a number of seconds >= 0.1',
    }),
    allowCidrs: parseCidrList(allow, '--targets-allow'),
    maxTargets: numberFlag(values.get('targets-max'), 'targets-max', 100_000, {
      integer: true,
      min: 1,
      max: 2 ** 24,
      what: 'use a whole number of targets from 1 to 16777216',
    }),
  };
}

/** Resolves `pingsphere collect`'s arguments and environment into a CollectorConfig. */
export function resolveCollectorConfig(args: readonly string[], env: Env): ResolvedConfig {
  const { values, positionals } = parseGoFlags(args, collectFlags);
  const notes: string[] = [];
  const warnings: string[] = [];
  const help = values.get('help') === true || values.get('h') === true;

  let delaySeconds = numberFlag(values.get('d'), 'd', 10, {
    integer: false,
    min: 0.01,
    what: 'use a number of seconds > 0, e.g. -d 5',
  });
  let limit = numberFlag(values.get('n'), 'n', 0, {
    integer: true,
    min: 0,
    what: 'use a whole number >= 0 (0 = until interrupted)',
  });
  let maxFail = numberFlag(values.get('f'), 'f', 100, { integer: true, min: 1, what: 'use a whole number >= 1' });
  const serverPort = numberFlag(values.get('s'), 's', 0, {
    integer: true,
    min: 0,
    max: 65535,
    what: 'use a TCP port from 1 to 65535 (0 = no server)',
  });
  const reportPort = numberFlag(values.get('r'), 'r', serverPort, {
    integer: true,
    min: 0,
    max: 65535,
    what: 'use a TCP port from 1 to 65535',
  });

  delaySeconds = envOverride(
    env,
    'PINGMESH_DELAY',
    'd',
    values.has('d'),
    delaySeconds,
    (v) => v > 0,
    'a number > 0',
    notes,
    warnings,
  );
  limit = envOverride(
    env,
    'PINGMESH_LIMIT',
    'n',
    values.has('n'),
    limit,
    (v) => Number.isInteger(v) && v >= 1,
    'int > 0',
    notes,
    warnings,
  );
  maxFail = envOverride(
    env,
    'PINGMESH_MAXFAIL',
    'f',
    values.has('f'),
    maxFail,
    (v) => Number.isInteger(v) && v >= 1,
    'int > 0',
    notes,
    warnings,
  );

  const ipOverride = String(values.get('I') ?? '').trim();
  if (ipOverride && isIP(ipOverride) === 0) {
    throw new UsageError(`invalid value "${ipOverride}" for flag -I: give an IPv4 or IPv6 address`);
  }
  const listenAddress = String(values.get('listen') ?? '127.0.0.1').trim();
  if (isIP(listenAddress) === 0) {
    throw new UsageError(
      `invalid value "${listenAddress}" for --listen: give an IP address (127.0.0.1, ::1, or 0.0.0.0 for all)`,
    );
  }

  let cloudWatch = values.get('c') === true;
  if (cloudWatch && !(env.AWS_REGION && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) {
    warnings.push('Warning: CloudWatch requires in environment: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY');
    cloudWatch = false;
  }

  const flagLocation = String(values.get('L') ?? '');
  const location = flagLocation || locationFromEnv(env) || primaryAddress(listenAddress);
  const hostname = String(values.get('H') ?? '') || env.PINGMESH_HOSTNAME || '';

  const verbosity = values.get('q') ? 0 : 1 + (values.get('v') ? 1 : 0) + (values.get('V') ? 2 : 0);

  // Not tied to -d: a slot that comes due while a request still runs is skipped and counted.
  const timeoutSeconds = numberFlag(values.get('timeout'), 'timeout', 10, {
    integer: false,
    min: 0.01,
    what: 'use a number of seconds > 0',
  });

  const questdbFlag = values.get('questdb');
  let questdb: string | null = null;
  if (env.PINGSPHERE_QUESTDB) {
    if (questdbFlag !== undefined) notes.push('Note: PINGSPHERE_QUESTDB from environment overrides --questdb');
    questdb = checkQuestDbConf(env.PINGSPHERE_QUESTDB, 'PINGSPHERE_QUESTDB');
  } else if (questdbFlag !== undefined) {
    questdb = checkQuestDbConf(String(questdbFlag), '--questdb');
  }

  const icmpTargetsFile = values.has('icmp-targets') ? String(values.get('icmp-targets')) : null;
  if (icmpTargetsFile !== null) {
    try {
      accessSync(icmpTargetsFile, constants.R_OK);
    } catch {
      throw new UsageError(`--icmp-targets "${icmpTargetsFile}" cannot be read: give a readable file of targets`);
    }
  }
  const icmpIntervalSeconds = numberFlag(values.get('icmp-interval'), 'icmp-interval', delaySeconds, {
    integer: false,
    min: 0.01,
    what: 'use a number of seconds > 0',
  });

  const icmpRatePps = numberFlag(values.get('icmp-rate'), 'icmp-rate', 10_000, {
    integer: true,
    min: 1,
    max: 10_000_000,
    what: 'use a whole number of probes per second from 1 to 10000000',
  });
  const icmpTimeoutMs = numberFlag(values.get('icmp-timeout'), 'icmp-timeout', 1000, {
    integer: true,
    min: 1,
    max: 60_000,
    what: 'use a whole number of milliseconds from 1 to 60000',
  });
  const icmpFlows = numberFlag(values.get('icmp-flows'), 'icmp-flows', 1, {
    integer: true,
    min: 1,
    max: 64,
    what: 'use a whole number of flows from 1 to 64',
  });
  const icmpTimestampsFlag = String(values.get('icmp-timestamps') ?? 'auto');
  if (!['auto', 'software', 'user'].includes(icmpTimestampsFlag)) {
    // Hardware stamps need the NIC named (`pingsphere icmp -I IFACE --timestamps hardware`).
    throw new UsageError(
      `--icmp-timestamps "${icmpTimestampsFlag}" is not a time-stamp mode here: use auto, software or user`,
    );
  }
  const icmpTimestamps = icmpTimestampsFlag as CollectorConfig['icmpTimestamps'];
  const spoolDirFlag = values.get('spool-dir');
  let spoolDir = spoolDirFlag === undefined ? null : String(spoolDirFlag);
  if (env.PINGSPHERE_SPOOL_DIR) {
    if (spoolDir !== null) notes.push('Note: PINGSPHERE_SPOOL_DIR from environment overrides --spool-dir');
    spoolDir = env.PINGSPHERE_SPOOL_DIR;
  }
  const spoolMaxMegabytes = numberFlag(values.get('spool-max-mb'), 'spool-max-mb', 1024, {
    integer: false,
    min: 1,
    what: 'use a number of megabytes >= 1',
  });
  const ttlFlag = values.get('questdb-ttl-days');
  const questdbTtlDays =
    ttlFlag === undefined
      ? null
      : numberFlag(ttlFlag, 'questdb-ttl-days', 0, { integer: true, min: 1, what: 'use a whole number of days >= 1' });

  const endpoints = [...positionals];
  if (env.PINGMESH_URL) endpoints.push(env.PINGMESH_URL);

  const token = env.PINGSPHERE_TOKEN ?? null;
  if (token !== null && token.length < 8) {
    throw new UsageError('PINGSPHERE_TOKEN is too short: use at least 8 characters (e.g. `openssl rand -hex 16`)');
  }

  return {
    config: {
      delaySeconds,
      limit,
      maxFail,
      serverPort,
      reportPort: reportPort || serverPort,
      cloudWatch,
      hostname,
      ipOverride,
      location,
      verbosity,
      json: values.get('json') === true,
      listenAddress,
      timeoutSeconds,
      endpoints,
      questdb,
      icmpTargetsFile,
      icmpIntervalSeconds,
      icmpRatePps,
      icmpTimeoutMs,
      icmpFlows,
      icmpTimestamps,
      spoolDir,
      spoolMaxMegabytes,
      questdbTtlDays,
      token,
      autoMesh: parseAutoMesh(values),
      targetsStateFile: values.has('targets-state') ? String(values.get('targets-state')) : null,
      dualStack: values.get('dual-stack') === true,
      maxPeers: numberFlag(values.get('max-peers'), 'max-peers', 1000, {
        integer: true,
        min: 1,
        what: 'use a whole number of peers >= 1',
      }),
      targetsFrom: parseTargetsFrom(values, env),
      trace: parseTraceConfig(values, (name, fallback, rule) => numberFlag(values.get(name), name, fallback, rule)),
    },
    notes,
    warnings,
    help,
  };
}
