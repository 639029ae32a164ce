#!/usr/bin/env node
// The `pingsphere` command: the compiled CLI in collector/dist (built by `npm install`, see
// collector/scripts/build-bin.mjs), so a run starts without compiling any TypeScript.
import * as nodeModule from 'node:module';

// Node 22.1+ keeps V8's code cache of the modules between runs (Node 20 has no such cache).
nodeModule.enableCompileCache?.();

try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/collector/dist/main.js')) throw error;
  process.stderr.write(
    'pingsphere: the command is not built (collector/dist/main.js is missing): run `npm install`, or\n' +
      '`npm run build --workspace collector` after changing its sources.\n',
  );
  process.exitCode = 1;
}
