#!/usr/bin/env node
// Brings a fresh clone (or a stale checkout) to the state the demo, the tests or the benchmarks
// need, doing only what is missing. Plain JavaScript on purpose: it runs before any dependency
// (TypeScript, tsx) is installed.
//
//   node scripts/setup.mjs --for test|demo|bench
//
// Steps: Node version, Debian packages (installed with apt when root, else a list to install),
// podman's settings for the container tests, Java and Maven for QuestDB, npm dependencies (which
// also build the native addon and the compiled `pingsphere` command), the QuestDB jar, the Grafana
// plugin's dist/ and live page (rebuilt when older than their sources; the command when its
// sources changed), and for tests the @grafana packages of the newer Grafana majors the plugin is
// checked against.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = parsePurpose(process.argv.slice(2));

/** Debian packages each purpose needs, with the command that proves each one is present. */
const debianPackages = {
  test: [
    { pkg: 'chromium', provides: '/usr/bin/chromium' },
    { pkg: 'fping', provides: '/usr/bin/fping' },
    { pkg: 'iproute2', provides: '/usr/sbin/ip' },
    { pkg: 'curl', provides: '/usr/bin/curl' },
    { pkg: 'openssl', provides: '/usr/bin/openssl' },
    // Validates and resolves docker-compose.yml (no Docker engine is needed for that).
    { pkg: 'docker-compose', provides: '/usr/bin/docker-compose' },
    // Builds and runs the collector image and the compose stack (collector/test/deploy/): podman
    // with runc (Debian's crun refuses hybrid cgroups), its network stack, and debootstrap for
    // the locally assembled base images.
    { pkg: 'podman', provides: '/usr/bin/podman' },
    { pkg: 'runc', provides: '/usr/sbin/runc' },
    { pkg: 'netavark', provides: '/usr/lib/podman/netavark' },
    { pkg: 'aardvark-dns', provides: '/usr/lib/podman/aardvark-dns' },
    { pkg: 'iptables', provides: '/usr/sbin/iptables' },
    { pkg: 'debootstrap', provides: '/usr/sbin/debootstrap' },
    // A real DNS server inside a test's namespace (hostname targets re-resolved when their TTL ends).
    { pkg: 'dnsmasq-base', provides: '/usr/sbin/dnsmasq' },
    // Kernel-stamped captures: the truth the WAN emulator's own error is measured against.
    { pkg: 'tcpdump', provides: '/usr/bin/tcpdump' },
  ],
  demo: [{ pkg: 'iproute2', provides: '/usr/sbin/ip' }],
  bench: [
    { pkg: 'fping', provides: '/usr/bin/fping' },
    // bench:icmp times start-up with it.
    { pkg: 'hyperfine', provides: '/usr/bin/hyperfine' },
    { pkg: 'iproute2', provides: '/usr/sbin/ip' },
    { pkg: 'chromium', provides: '/usr/bin/chromium' },
    // bench:trace: mtr --report beside `pingsphere trace`, on a router chain that needs iptables.
    { pkg: 'mtr-tiny', provides: '/usr/bin/mtr' },
    { pkg: 'iptables', provides: '/usr/sbin/iptables' },
    { pkg: 'time', provides: '/usr/bin/time' },
  ],
}[purpose];

function parsePurpose(args) {
  const i = args.indexOf('--for');
  const value = i >= 0 ? args[i + 1] : 'test';
  if (!['test', 'demo', 'bench'].includes(value ?? '')) {
    fail(`unknown purpose "${value}": use --for test, --for demo or --for bench`);
  }
  return value;
}

function step(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[setup] error: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  step(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repoRoot, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: PingSphere needs Node 20.19 or newer (20 or the current LTS).`);
  }
}

function ensureDebianPackages() {
  const missing = debianPackages.filter(({ provides }) => !existsSync(provides)).map(({ pkg }) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    fail(
      `missing system packages: ${missing.join(', ')}. Install them first, for example:\n` +
        `  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}

/**
 * podman's settings for this kind of machine, as a drop-in beside the administrator's own
 * containers.conf (read after it, so only these two keys change): runc as the runtime, and no
 * default ulimits — podman's defaults (1,048,576 open files) exceed the hard limits a sandboxed
 * host allows, and every container then fails in setrlimit. Written only when root and only when
 * its content differs, so running setup again changes nothing.
 */
const podmanDropIn = {
  path: '/etc/containers/containers.conf.d/50-pingsphere.conf',
  text: [
    "# Written by PingSphere's scripts/setup.mjs for its container tests (collector/test/deploy/).",
    '[containers]',
    'default_ulimits = []',
    '',
    '[engine]',
    'runtime = "runc"',
    '',
  ].join('\n'),
};

function ensurePodmanConfig() {
  if (!existsSync('/usr/bin/podman')) return;
  if (existsSync(podmanDropIn.path) && readFileSync(podmanDropIn.path, 'utf8') === podmanDropIn.text) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    step(`podman is not configured for the container tests (they run as root only): ${podmanDropIn.path} is missing`);
    return;
  }
  step(`writing ${podmanDropIn.path} (runc, no default ulimits)`);
  mkdirSync(dirname(podmanDropIn.path), { recursive: true });
  writeFileSync(podmanDropIn.path, podmanDropIn.text);
}

function javaMajorVersion() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) return null;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr ?? '');
  if (!match) return null;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

function ensureQuestDbJar() {
  const coords = JSON.parse(readFileSync(join(repoRoot, 'testbed/questdb.json'), 'utf8'));
  const javaMajor = javaMajorVersion();
  if (javaMajor === null) {
    fail(
      `Java not found: QuestDB needs Java ${coords.minimumJava} or newer (apt-get install openjdk-17-jre-headless).`,
    );
  }
  if (javaMajor < coords.minimumJava) {
    fail(`Java ${javaMajor} is too old: QuestDB needs Java ${coords.minimumJava} or newer.`);
  }
  const cacheDir = join(repoRoot, '.cache/questdb');
  const jar = join(cacheDir, `${coords.artifactId}-${coords.version}.jar`);
  if (existsSync(jar)) return;
  if (spawnSync('mvn', ['--version'], { stdio: 'ignore' }).error) {
    fail('Maven (mvn) not found: it fetches the QuestDB jar from Maven Central (apt-get install maven).');
  }
  mkdirSync(cacheDir, { recursive: true });
  run('mvn', [
    '-q',
    '-B',
    'dependency:copy',
    `-Dartifact=${coords.groupId}:${coords.artifactId}:${coords.version}`,
    `-DoutputDirectory=${cacheDir}`,
  ]);
  if (!existsSync(jar)) fail(`Maven finished but ${jar} is not there; check the Maven output above.`);
}

/** The current LTS Node beside the machine's, so the tests can run the CLI on both. */
function ensureCurrentLtsNode() {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'testbed/node-lts.json'), 'utf8'));
  const pkg = `node-linux-${process.arch}`;
  const prefix = join(repoRoot, '.cache/node-lts');
  const binary = join(prefix, 'node_modules', pkg, 'bin/node');
  const installed = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (installed === `v${version}`) return;
  mkdirSync(prefix, { recursive: true });
  run('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', `${pkg}@${version}`]);
}

function ensureNpmDependencies() {
  const lock = join(repoRoot, 'package-lock.json');
  const installed = join(repoRoot, 'node_modules/.package-lock.json');
  const fresh = existsSync(installed) && existsSync(lock) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
  if (!fresh) {
    run('npm', existsSync(lock) && !existsSync(installed) ? ['ci'] : ['install']);
  }
  // The addon is built by native's install script; build it again when it is missing or older
  // than its sources (a pull that changed the engine does not re-run npm's install scripts).
  const addon = join(repoRoot, 'native/build/Release/pingsphere_icmp.node');
  const binding = join(repoRoot, 'native/binding.gyp');
  const built = existsSync(addon) ? statSync(addon).mtimeMs : 0;
  if (existsSync(binding) && newestMtimeMs([binding, join(repoRoot, 'native/src')]) > built) {
    run('npm', ['run', 'build', '--workspace', 'native']);
  }
}

/** Newest modification time (ms) of the files under `paths` (missing paths count as 0). */
function newestMtimeMs(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      newest = Math.max(newest, newestMtimeMs([join(path, entry.name)]));
    }
  }
  return newest;
}

/**
 * Builds the Grafana plugin's dist/ and the live page (harness/dist/) when missing or older than
 * their sources, so the tests check what ships. Each build writes dist/.build-stamp when it ends.
 */
function ensurePluginBuilt() {
  const plugin = join(repoRoot, 'grafana-plugin');
  if (!existsSync(join(plugin, 'webpack.config.ts'))) return;
  const shared = ['src', 'data', 'package.json'].map((p) => join(plugin, p));
  const builds = [
    {
      script: 'build',
      stamp: 'dist/.build-stamp',
      sources: [...shared, join(plugin, 'webpack.config.ts'), join(plugin, '.config')],
    },
    { script: 'build:harness', stamp: 'harness/dist/.build-stamp', sources: [...shared, join(plugin, 'harness')] },
  ];
  for (const { script, stamp, sources } of builds) {
    const stampPath = join(plugin, stamp);
    if (existsSync(stampPath) && statSync(stampPath).mtimeMs >= newestMtimeMs(sources)) continue;
    run('npm', ['run', script, '--workspace', 'grafana-plugin']);
  }
}

/**
 * The `pingsphere` bin runs collector/dist, compiled by the collector's install script; compile it
 * again when any of its sources changed since (a pull or an edit does not re-run npm's scripts).
 */
async function ensureCollectorBinBuilt() {
  const { binFreshness } = await import('../collector/scripts/build-bin.mjs');
  const { fresh, reason } = binFreshness();
  if (fresh) return;
  step(`rebuilding the pingsphere command: ${reason}`);
  run('npm', ['run', 'build', '--workspace', 'collector']);
}

/**
 * The @grafana packages of the newer Grafana majors the plugin is checked against (beside the 11.0
 * it builds with), each in its own folder with its own lockfile: installed when missing or when
 * the lockfile changed. test/bundle/grafana-majors.test.ts uses them.
 */
function ensureGrafanaCompatPackages() {
  const compat = join(repoRoot, 'grafana-plugin/compat');
  if (!existsSync(compat)) return;
  for (const entry of readdirSync(compat, { withFileTypes: true })) {
    const dir = join(compat, entry.name);
    const lock = join(dir, 'package-lock.json');
    if (!entry.isDirectory() || !existsSync(lock)) continue;
    const installed = join(dir, 'node_modules/.package-lock.json');
    if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) continue;
    run('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts']);
  }
}

checkNode();
step(`preparing for ${purpose}`);
ensureDebianPackages();
if (purpose === 'test') ensurePodmanConfig();
ensureQuestDbJar();
ensureNpmDependencies();
await ensureCollectorBinBuilt();
ensurePluginBuilt();
if (purpose === 'test') {
  ensureCurrentLtsNode();
  ensureGrafanaCompatPackages();
}
step('ready');
