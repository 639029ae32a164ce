#!/usr/bin/env node
// Builds native/build/Release/pingsphere_icmp.node from source with the machine's compiler, offline.
// Runs as native's npm "install" script and from scripts/setup.mjs. Plain JavaScript: it runs before
// any TypeScript tooling is installed.
//
// node-gyp would download Node's headers unless it is told where they are, so we always pass
// --nodedir=<prefix of this node> (Debian: /usr; official tarballs: their own prefix) and never rely
// on a user's ~/.npmrc. Every missing piece (compiler, make, python3, headers) is named with the fix.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function fail(message) {
  process.stderr.write(`[native] cannot build the ICMP addon: ${message}\n`);
  process.exit(1);
}

function hasTool(command, args = ['--version']) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

const missingTools = [
  ['g++', 'g++'],
  ['make', 'make'],
  ['python3', 'python3'],
].filter(([command]) => !hasTool(command));
if (missingTools.length > 0) {
  const names = missingTools.map(([, pkg]) => pkg).join(' ');
  fail(
    `missing build tools: ${names}. Install them (Debian: \`sudo apt-get install -y ${names}\`) and run \`npm install\` again.`,
  );
}

// Node's own headers, from the installation that runs this script.
const nodePrefix = dirname(dirname(process.execPath));
if (!existsSync(join(nodePrefix, 'include', 'node', 'node_api.h'))) {
  fail(
    `Node.js headers not found under ${join(nodePrefix, 'include', 'node')}. ` +
      'Install the headers that match this node (Debian: `sudo apt-get install -y libnode-dev`; ' +
      'an official Node.js tarball ships them in include/node) and run `npm install` again.',
  );
}

let nodeGypBin;
try {
  nodeGypBin = require.resolve('node-gyp/bin/node-gyp.js');
  require.resolve('node-addon-api');
} catch {
  fail('node-gyp or node-addon-api is not installed: run `npm install` at the repository root first.');
}

// A user-level nodedir or a stray devdir must not change what we build against.
const env = { ...process.env };
for (const key of Object.keys(env)) {
  if (/^npm_config_(nodedir|devdir|dist_url|tarball)$/i.test(key)) delete env[key];
}

process.stdout.write(`[native] building the ICMP addon against ${nodePrefix}/include/node\n`);
const result = spawnSync(process.execPath, [nodeGypBin, 'rebuild', `--nodedir=${nodePrefix}`, '--jobs=2'], {
  cwd: nativeDir,
  stdio: 'inherit',
  env,
});
if (result.error) fail(`could not run node-gyp: ${result.error.message}`);
if (result.status !== 0) {
  fail('node-gyp failed (see the compiler output above). It needs g++ with C++17, make, python3 and the Node headers.');
}
if (!existsSync(join(nativeDir, 'build', 'Release', 'pingsphere_icmp.node'))) {
  fail('node-gyp finished but build/Release/pingsphere_icmp.node is missing; see the output above.');
}
process.stdout.write('[native] built build/Release/pingsphere_icmp.node\n');
