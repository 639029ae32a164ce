import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nodeLts from '../node-lts.json' with { type: 'json' };
import { cacheDir } from './repo-paths.js';

/** The current LTS release the tests also run the CLI on (pinned in testbed/node-lts.json). */
export const currentLtsVersion = nodeLts.version;

/** Path of that Node binary, fetched by scripts/setup.mjs; a clear error if it is missing. */
export function currentLtsNode(): string {
  const binary = join(cacheDir, 'node-lts', 'node_modules', `node-linux-${process.arch}`, 'bin', 'node');
  if (!existsSync(binary)) {
    throw new Error(`Node ${currentLtsVersion} (current LTS) missing at ${binary}: run \`npm run setup\` to fetch it.`);
  }
  return binary;
}
