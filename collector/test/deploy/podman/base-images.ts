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
  type CachedImage,
} from './deploy-cache.js';
import { localBuildArgs, podman, runCommand } from './podman-cli.js';

const suite = 'bookworm';
const mirror = 'http://deb.debian.org/debian';
const securityMirror = 'http://deb.debian.org/debian-security';

/** An image built from a Containerfile on one of the cached images. */
interface ImageRecipe {
  name: string;
  from: { name: string; key: string };
  /** The Containerfile's steps after its FROM line. */
  steps: string[];
  /** Inputs the steps do not spell out (versions of copied files); they go into the key. */
  inputs?: Record<string, string>;
  /** The files the steps COPY, by their name in the build context (found when building). */
  files?: () => Promise<Record<string, string>>;
}

/**
 * A cached image made by `podman build` of the recipe, with --pull=never (nothing may come from a
 * registry) and the host network (apt inside the build reaches Debian's mirror as the host does).
 */
function recipeImage(recipe: ImageRecipe): CachedImage {
  const containerfile = [`FROM ${recipe.from.name}`, ...recipe.steps, ''].join('\n');
  const key = cacheKey({ base: recipe.from.key, containerfile, ...recipe.inputs });
  return {
    name: recipe.name,
    key,
    async build() {
      const dir = mkdtempSync(join(deployCacheDir, 'context-'));
      try {
        writeFileSync(join(dir, 'Containerfile'), containerfile);
        for (const [target, source] of Object.entries((await recipe.files?.()) ?? {})) {
          cpSync(source, join(dir, target), { recursive: true, dereference: true });
        }
        await podman([...localBuildArgs, '--label', `${cacheKeyLabel}=${key}`, '-t', recipe.name, dir], {
          timeoutMs: 15 * 60_000,
          onLine: (line) => line.startsWith('STEP ') && progress(`${recipe.name}: ${line}`),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A Containerfile step that installs Debian packages (and runs a check that they work, if given). */
const aptInstall = (packages: string, check?: string) =>
  `RUN apt-get update && apt-get install -y --no-install-recommends ${packages} && rm -rf /var/lib/apt/lists/*` +
  (check ? ` && ${check}` : '');

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
  return recipeImage({
    name,
    from: debianImage,
    steps: [
      // Node's binary links libatomic; the `node --version` below proves it loads.
      aptInstall('libatomic1'),
      'COPY node/bin/node /usr/local/bin/node',
      'COPY node/include/node /usr/local/include/node',
      'COPY npm /usr/local/lib/node_modules/npm',
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
      ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\',
      ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\',
      ' && node --version && npm --version',
      `ENV NODE_VERSION=${currentLtsVersion}`,
      'CMD ["node"]',
    ],
    inputs: { node: currentLtsVersion, npm: npmVersion },
    files: async () => ({ node: nodeDir, npm: await npmPackage(npmVersion) }),
  });
}

/** Debian's OpenJDK 17 runtime on the bookworm image (the base of the QuestDB stand-in). */
export const jreImage = recipeImage({
  name: `localhost/pingsphere-cache/debian-jre:${suite}-17`,
  from: debianImage,
  steps: [aptInstall('openjdk-17-jre-headless', 'java -version')],
});

const questDbVersion = (JSON.parse(readFileSync(join(repoRoot, 'testbed/questdb.json'), 'utf8')) as { version: string })
  .version;

/**
 * Stand-in for `questdb/questdb:<version>`: the same QuestDB release from Maven Central (the jar
 * the other tests run) on the JRE image, with the official image's data folder and ports. The
 * official image is QuestDB's own runtime bundle, not this; what the compose file relies on (the
 * ports, /var/lib/questdb, the health server on 9003, QDB_* settings from the environment) is
 * QuestDB's server itself.
 */
export const questDbStandIn = {
  version: questDbVersion,
  ...recipeImage({
    name: `localhost/pingsphere-standin/questdb:${questDbVersion}`,
    from: jreImage,
    steps: [
      'COPY questdb.jar /opt/questdb/questdb.jar',
      'VOLUME ["/var/lib/questdb"]',
      'EXPOSE 9000 9003 9009 8812',
      // A small heap: the stack stores a few thousand rows; the JVM default would claim a quarter of RAM.
      'CMD ["java", "-Xmx512m", "-p", "/opt/questdb/questdb.jar", "-m", "io.questdb/io.questdb.ServerMain", "-d", "/var/lib/questdb"]',
    ],
    inputs: { questdb: questDbVersion },
    files: () => Promise.resolve({ 'questdb.jar': questDbJarPath }),
  }),
};

/** Stand-in for `curlimages/curl` (the compose file's one-shot jobs): Debian's curl and /bin/sh. */
export const curlStandIn = recipeImage({
  name: `localhost/pingsphere-standin/curl:${suite}`,
  from: debianImage,
  steps: [aptInstall('curl', 'curl --version'), 'ENTRYPOINT ["curl"]'],
});

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
