import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { artifactsDir } from './repo-paths.js';

/** Debian's Chromium; playwright-core never downloads a browser of its own here. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Flags for a machine whose only network is loopback: without the background-networking ones,
 * Chromium keeps trying (and failing) to reach Google's services.
 */
export const chromiumFlags = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Launches headless Debian Chromium through playwright-core (which gives it a fresh temporary profile). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: run \`npm test\` as root to install it, or \`sudo apt-get install chromium\`.`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
  });
}

/** Path for a screenshot kept as a test artifact (created folders included). */
export function screenshotPath(name: string): string {
  const dir = join(artifactsDir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name.endsWith('.png') ? name : `${name}.png`);
}
