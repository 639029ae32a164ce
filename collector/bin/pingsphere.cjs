#!/usr/bin/env node
// The `pingsphere` command: the compiled CLI in collector/dist (built by `npm install`, see
// collector/scripts/build-bin.mjs), so a run starts without compiling any TypeScript. CommonJS,
// like the entry it loads: a one-shot run never starts Node's ES-module loader (bin/pingsphere,
// the installed command, is a shell launcher in front of this file; see there why).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const nodeModule = require('node:module');

const entry = join(__dirname, '..', 'dist', 'cli', 'pingsphere.cjs');

// Node 22.1+ keeps V8's code cache of the modules between runs (Node 20 has no such cache).
nodeModule.enableCompileCache?.();

if (existsSync(entry)) {
  require(entry);
} else {
  process.stderr.write(
    'pingsphere: the command is not built (collector/dist/cli/pingsphere.cjs is missing): run `npm install`,\n' +
      'or `npm run build --workspace collector` after changing its sources.\n',
  );
  process.exitCode = 1;
}
