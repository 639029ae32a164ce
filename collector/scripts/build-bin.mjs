#!/usr/bin/env node
// Compiles the `pingsphere` command to plain JavaScript in collector/dist, so a run starts without
// compiling TypeScript. Runs as the collector's npm "install" script (so `npm ci`, the Dockerfile's
// included, builds it), from scripts/setup.mjs when the build is stale, and by hand:
//
//   npm run build --workspace collector        (or: node collector/scripts/build-bin.mjs)
//
// Two outputs, both bundled by esbuild from our own TypeScript (the collector and the
// @pingsphere/native wrapper, whose package exports point at .ts sources):
// - dist/cli/pingsphere.cjs: the one-shot commands (`--version`, `icmp`, `trace`) in one CommonJS
//   file. A short run is mostly start-up, and Node starts a single CommonJS file faster than a
//   graph of ES modules (no ESM loader, no module linking): ~25 ms less per run here.
// - dist/chunks/: the daemon, `collect`, as ES modules split per lazily imported module (the API
//   server, each sink), loaded by the entry with import() only when `collect` runs.
// npm packages stay external (but for the small ones `icmp` needs, see bundledPackages): Node loads
// them from node_modules as before, and only the subcommand that imports one pays for it.
//
// dist/build-info.json records a hash of every input; `binFreshness()` compares them with the
// files on disk (setup rebuilds a stale build; a test fails on one). Plain JavaScript: it runs
// before any TypeScript tooling.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const collectorDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(collectorDir, '..');
export const distDir = join(collectorDir, 'dist');
const infoFile = join(distDir, 'build-info.json');
const thisScript = relative(repoRoot, fileURLToPath(import.meta.url));

/**
 * Packages compiled into the bundle: our workspace packages, and the small ones on `pingsphere
 * icmp`'s path, because Node's import of a CommonJS package from ES modules (parsing its source for
 * named exports) cost more start-up than the package itself: ~20 ms for ipaddr.js.
 */
const bundledPackages = [/^@pingsphere\//, /^ipaddr\.js$/];

/** Every other bare import stays external and is loaded from node_modules when first imported. */
const externalPackages = {
  name: 'external-npm-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      bundledPackages.some((pattern) => pattern.test(args.path)) ? undefined : { path: args.path, external: true },
    );
  },
};

function sha256(path) {
  return createHash('sha256')
    .update(readFileSync(join(repoRoot, path)))
    .digest('hex');
}

/**
 * `collect` stays out of the CommonJS entry: the entry imports it from the ES-module build. Both
 * outputs sit two folders below collector/, so module-relative paths (city-table.ts) hold in both.
 */
const collectFromEsmBuild = {
  name: 'collect-from-esm-build',
  setup(build) {
    build.onResolve({ filter: /^\.\/collect-command\.js$/ }, () => ({
      path: '../chunks/collect-command.js',
      external: true,
    }));
  },
};

/** What both builds share. */
function commonOptions(esbuild) {
  return {
    absWorkingDir: repoRoot,
    outdir: relative(repoRoot, distDir),
    // The compiler settings that change emitted code, here rather than from tsconfig files, so the
    // Dockerfile's build (which copies no tsconfig) emits the same code as a checkout.
    tsconfigRaw: { compilerOptions: { target: 'ES2022', verbatimModuleSyntax: true, useDefineForClassFields: true } },
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Recorded so that a different esbuild counts as a different build.
    banner: { js: `// Built by ${thisScript} with esbuild ${esbuild.version}; do not edit.` },
  };
}

/**
 * esbuild options of the two builds (the one-shot CommonJS entry, then the ES-module daemon);
 * `write: false` builds in memory (the freshness test compares with dist).
 */
export function buildOptions(esbuild) {
  const common = commonOptions(esbuild);
  return [
    {
      ...common,
      entryPoints: { 'cli/pingsphere': 'collector/src/cli/main.ts' },
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      // CommonJS has no import.meta: the sources' import.meta.url becomes this file's URL.
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: `${common.banner.js}\nvar importMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [collectFromEsmBuild, externalPackages],
    },
    {
      ...common,
      entryPoints: { 'chunks/collect-command': 'collector/src/cli/collect-command.ts' },
      splitting: true,
      format: 'esm',
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [externalPackages],
    },
  ];
}

/** What a build depended on: every bundled source, this script and the esbuild version. */
function buildInfo(esbuildVersion, metafiles) {
  const inputs = {};
  const paths = new Set([thisScript, ...metafiles.flatMap((metafile) => Object.keys(metafile.inputs))]);
  for (const path of [...paths].sort()) inputs[path] = sha256(path);
  return { esbuild: esbuildVersion, inputs };
}

/** Builds collector/dist (replacing what was there) and returns the output paths. */
export async function buildBin() {
  const esbuild = await import('esbuild');
  rmSync(distDir, { recursive: true, force: true });
  const results = await Promise.all(buildOptions(esbuild).map((options) => esbuild.build(options)));
  const metafiles = results.map((result) => result.metafile);
  mkdirSync(distDir, { recursive: true });
  writeFileSync(infoFile, `${JSON.stringify(buildInfo(esbuild.version, metafiles), null, 1)}\n`);
  return metafiles.flatMap((metafile) => Object.keys(metafile.outputs));
}

/**
 * Whether collector/dist was built from the sources as they are now. Cheap (hashes a few hundred
 * kilobytes), needs no esbuild: `{ fresh: false, reason }` names the first thing that changed.
 */
export function binFreshness() {
  if (!existsSync(infoFile)) return { fresh: false, reason: 'collector/dist is not built' };
  let info;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch (error) {
    return { fresh: false, reason: `collector/dist/build-info.json is unreadable (${error.message})` };
  }
  if (!info.inputs?.[thisScript]) return { fresh: false, reason: 'collector/dist was built by another script' };
  for (const [path, hash] of Object.entries(info.inputs)) {
    if (!existsSync(join(repoRoot, path))) return { fresh: false, reason: `${path} is gone since the build` };
    if (sha256(path) !== hash) return { fresh: false, reason: `${path} changed since the build` };
  }
  return { fresh: true, reason: '' };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const outputs = await buildBin();
    process.stdout.write(
      `[collector] built the pingsphere command: ${outputs.filter((o) => /\.c?js$/.test(o)).length} files in collector/dist\n`,
    );
  } catch (error) {
    process.stderr.write(
      `[collector] cannot build the pingsphere command: ${error.message}\n` +
        '  It needs esbuild (a dependency of the collector): run `npm install` at the repository root.\n',
    );
    process.exit(1);
  }
}
