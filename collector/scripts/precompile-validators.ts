// `npm run build:validators --workspace collector`: regenerates the JSON-schema validators that
// the API and discovery run without Ajv (collector/src/api/validator-codegen.ts says how). Run it
// after changing a route's schema or the peer list schema, or after upgrading ajv or fastify; a
// test fails while the checked-in files are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateValidatorModules } from '../src/api/validator-codegen.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
for (const { path, text } of await generateValidatorModules()) {
  writeFileSync(join(repoRoot, path), text);
  process.stdout.write(`[build:validators] wrote ${path}\n`);
}
