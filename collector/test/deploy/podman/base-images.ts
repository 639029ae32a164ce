// Base images assembled here, since no registry image can be pulled on these machines: a Debian
// bookworm root file system from debootstrap, and on it the images the Dockerfile and the compose
// file name — `node:<major>-slim` (the Node LTS binary and npm from the npm registry's packages),
// and stand-ins for `questdb/questdb` (the Maven Central jar on a Debian JRE) and `curlimages/curl`
// (Debian's curl). Each is cached in podman's store under a content key (see deploy-cache.ts).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentLtsNode, currentLtsVersion, questDbJarPath, repoRoot } from '@pingsphere/testbed';
import {
  cacheKey,
  cacheKeyLabel,
  deployCacheDir,
  ensureCachedImage,
  progress,
  removeImageIfUnused,
} from './deploy-cache.js';
import { podman, runCommand } from './podman-cli.js';

const suite = 'bookworm';
const mirror = 'http://deb.debian.org/debian';
const securityMirror = 'http://deb.debian.org/debian-security';

/** What an image build needs: a Containerfile and the files it copies. */
interface BuildContext {
  containerfile: string;
  files?: Record<string, string>;
}

/**
 * Builds `context` as `name` with --pull=never (nothing may come from a registry) and the host
 * network (apt inside the build reaches Debian's mirror the way the host does).
 */
async function buildImage(name: string, key: string, context: BuildContext): Promise<void> {
  const dir = mkdtempSync(join(deployCacheDir, 'context-'));
  try {
    writeFileSync(join(dir, 'Containerfile'), context.containerfile);
    for (const [target, source] of Object.entries(context.files ?? {})) {
      cpSync(source, join(dir, target), { recursive: true, dereference: true });
    }
    await podman(
      [
        'build',
        '--pull=never',
        '--network',
        'host',
        '--format',
        'docker',
        '--label',
        `${cacheKeyLabel}=${key}`,
        '-t',
        name,
        dir,
      ],
      { timeoutMs: 15 * 60_000, onLine: (line) => line.startsWith('STEP ') && progress(`${name}: ${line}`) },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// What Debian's own container images change in a debootstrap tree (apt keeps no package caches or
// translations, services are never started in a build), so the stand-ins behave like them.
const imageTweaks: Record<string, string> = {
  '/etc/apt/apt.conf.d/docker-clean': [
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'Dir::Cache::pkgcache "";',
    'Dir::Cache::srcpkgcache "";',
    '',
  ].join('\n'),
  '/etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
  '/etc/apt/apt.conf.d/docker-gzip-indexes': 'Acquire::GzipIndexes "true";\n',
  '/etc/apt/apt.conf.d/docker-autoremove-suggests': 'Apt::AutoRemove::SuggestsImportant "false";\n',
  '/usr/sbin/policy-rc.d': '#!/bin/sh\nexit 101\n',
  '/etc/apt/sources.list.d/debian.sources': [
    'Types: deb',
    `URIs: ${mirror}`,
    `Suites: ${suite} ${suite}-updates`,
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
    'Types: deb',
    `URIs: ${securityMirror}`,
    `Suites: ${suite}-security`,
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
  ].join('\n'),
};

/** Debian bookworm, `debootstrap --variant=minbase`, as a podman image (the slow step: ~25 s idle). */
export const debianImage = {
  name: `localhost/pingsphere-cache/debian:${suite}-minbase`,
  key: cacheKey({ suite, variant: 'minbase', mirror, imageTweaks }),
  async build() {
    const rootfs = mkdtempSync(join(deployCacheDir, 'rootfs-'));
    try {
      progress(`debootstrap --variant=minbase ${suite} (about 25 s on an idle machine)`);
      await runCommand('debootstrap', ['--variant=minbase', suite, rootfs, mirror], { timeoutMs: 15 * 60_000 });
      // Nothing of this machine goes into the image: no name server, host name or package lists.
      rmSync(join(rootfs, 'etc/apt/sources.list'), { force: true });
      writeFileSync(join(rootfs, 'etc/resolv.conf'), '');
      writeFileSync(join(rootfs, 'etc/hostname'), 'localhost\n');
      for (const folder of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
        await runCommand('find', [join(rootfs, folder), '-type', 'f', '-delete']);
      }
      for (const [path, text] of Object.entries(imageTweaks)) {
        writeFileSync(join(rootfs, path), text, { mode: path.startsWith('/usr/sbin/') ? 0o755 : 0o644 });
      }
      const tarball = `${rootfs}.tar`;
      try {
        await runCommand('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', tarball, '.'], {
          timeoutMs: 5 * 60_000,
        });
        await podman(
          ['import', '--change', `LABEL ${cacheKeyLabel}=${this.key}`, '--change', 'CMD ["bash"]', tarball, this.name],
          { timeoutMs: 10 * 60_000 },
        );
      } finally {
        rmSync(tarball, { force: true });
      }
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  },
};

/** The npm release a Node release bundles, read from that release's own changelog. */
function bundledNpmVersion(nodePackageDir: string): string {
  const changelog = readFileSync(join(nodePackageDir, 'CHANGELOG.md'), 'utf8');
  const section = changelog.indexOf(`<a id="${currentLtsVersion}"></a>`);
  const match = section >= 0 ? /upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog.slice(section)) : null;
  if (!match)
    throw new Error(`cannot tell which npm Node ${currentLtsVersion} bundles from ${nodePackageDir}/CHANGELOG.md`);
  return match[1]!;
}

/** npm's own package from the registry, unpacked once into the deploy cache. */
async function npmPackage(version: string): Promise<string> {
  const dir = join(deployCacheDir, `npm-${version}`);
  if (existsSync(join(dir, 'package', 'bin', 'npm-cli.js'))) return join(dir, 'package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  progress(`fetching npm ${version} from the npm registry`);
  await runCommand('npm', ['pack', `npm@${version}`, '--silent', '--pack-destination', dir], { timeoutMs: 5 * 60_000 });
  await runCommand('tar', ['-xzf', join(dir, `npm-${version}.tgz`), '-C', dir]);
  rmSync(join(dir, `npm-${version}.tgz`));
  return join(dir, 'package');
}

/**
 * The images the collector's Dockerfile builds FROM (its ARG defaults applied), as podman names
 * them: `node:26-slim` is `docker.io/library/node:26-slim`.
 */
export function dockerfileBaseImages(
  dockerfile = readFileSync(join(repoRoot, 'collector/Dockerfile'), 'utf8'),
): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const arg = /^ARG (\w+)=(\S+)$/.exec(line);
    if (arg && images.length === 0 && stages.size === 0) args.set(arg[1]!, arg[2]!);
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (!from) continue;
    const image = from[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? '');
    if (image !== 'scratch' && !stages.has(image) && !images.includes(image)) images.push(image);
    if (from[2]) stages.add(from[2]);
  }
  return images.map((image) => (image.includes('/') ? image : `docker.io/library/${image}`));
}

/**
 * `node:<major>-slim` as the official image lays it out: node and npm under /usr/local (with
 * Node's headers, which the addon build uses), libatomic1, and the `node` user with uid 1000.
 * Built from the Node LTS the tests already fetch (testbed/node-lts.json).
 */
export function nodeSlimImage(name: string) {
  const major = /node:(\d+)-slim$/.exec(name)?.[1];
  if (major !== currentLtsVersion.split('.')[0]) {
    throw new Error(
      `collector/Dockerfile builds FROM ${name}, but the Node the tests fetch is ${currentLtsVersion} ` +
        '(testbed/node-lts.json): make the two agree (the Dockerfile uses the current LTS).',
    );
  }
  const nodeDir = join(currentLtsNode(), '..', '..');
  const npmVersion = bundledNpmVersion(nodeDir);
  const containerfile = [
    `FROM ${debianImage.name}`,
    'RUN apt-get update && apt-get install -y --no-install-recommends libatomic1 && rm -rf /var/lib/apt/lists/*',
    'COPY node/bin/node /usr/local/bin/node',
    'COPY node/include/node /usr/local/include/node',
    'COPY npm /usr/local/lib/node_modules/npm',
    'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
    ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\',
    ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\',
    ' && node --version && npm --version',
    `ENV NODE_VERSION=${currentLtsVersion}`,
    'CMD ["node"]',
    '',
  ].join('\n');
  return {
    name,
    key: cacheKey({ base: debianImage.key, node: currentLtsVersion, npm: npmVersion, containerfile }),
    async build() {
      const npm = await npmPackage(npmVersion);
      await buildImage(this.name, this.key, { containerfile, files: { node: nodeDir, npm } });
    },
  };
}

/** Debian's OpenJDK 17 runtime on the bookworm image (the base of the QuestDB stand-in). */
export const jreImage = (() => {
  const containerfile = [
    `FROM ${debianImage.name}`,
    'RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \\',
    ' && rm -rf /var/lib/apt/lists/* && java -version',
    '',
  ].join('\n');
  return {
    name: `localhost/pingsphere-cache/debian-jre:${suite}-17`,
    key: cacheKey({ base: debianImage.key, containerfile }),
    build() {
      return buildImage(this.name, this.key, { containerfile });
    },
  };
})();

/**
 * Stand-in for `questdb/questdb:<version>`: the same QuestDB release from Maven Central (the jar
 * the other tests run) on the JRE image, with the official image's data folder and ports. The
 * official image is QuestDB's own runtime bundle, not this; what the compose file relies on (the
 * ports, /var/lib/questdb, the health server on 9003, QDB_* settings from the environment) is
 * QuestDB's server itself.
 */
export const questDbStandIn = (() => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'testbed/questdb.json'), 'utf8')) as { version: string };
  const containerfile = [
    `FROM ${jreImage.name}`,
    'COPY questdb.jar /opt/questdb/questdb.jar',
    'VOLUME ["/var/lib/questdb"]',
    'EXPOSE 9000 9003 9009 8812',
    // A small heap: the stack stores a few thousand rows; the JVM default would claim a quarter of RAM.
    'CMD ["java", "-Xmx512m", "-p", "/opt/questdb/questdb.jar", "-m", "io.questdb/io.questdb.ServerMain", "-d", "/var/lib/questdb"]',
    '',
  ].join('\n');
  return {
    name: `localhost/pingsphere-standin/questdb:${version}`,
    version,
    key: cacheKey({ base: jreImage.key, questdb: version, containerfile }),
    build() {
      return buildImage(this.name, this.key, { containerfile, files: { 'questdb.jar': questDbJarPath } });
    },
  };
})();

/** Stand-in for `curlimages/curl` (the compose file's one-shot jobs): Debian's curl and /bin/sh. */
export const curlStandIn = (() => {
  const containerfile = [
    `FROM ${debianImage.name}`,
    'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* && curl --version',
    'ENTRYPOINT ["curl"]',
    '',
  ].join('\n');
  return {
    name: `localhost/pingsphere-standin/curl:${suite}`,
    key: cacheKey({ base: debianImage.key, containerfile }),
    build() {
      return buildImage(this.name, this.key, { containerfile });
    },
  };
})();

/** Ensures every base image and stand-in is in podman's store (call under withCacheLock). */
export async function ensureBaseImages(): Promise<void> {
  const images = [debianImage, ...dockerfileBaseImages().map(nodeSlimImage), jreImage, questDbStandIn, curlStandIn];
  const replaced: string[] = [];
  for (const image of images) {
    const { replacedId } = await ensureCachedImage(image);
    if (replacedId) replaced.push(replacedId);
  }
  // A replaced base is still the parent of the images built on it until they are replaced too.
  for (const id of replaced.reverse()) await removeImageIfUnused(id);
}
