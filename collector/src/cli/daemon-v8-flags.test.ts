import { execFileSync } from 'node:child_process';
import { currentLtsNode, currentLtsVersion } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { daemonV8Flags } from './daemon-v8-flags.js';

// V8 only prints "unrecognized flag" for a flag it lost: check every one against each Node we run on.
describe('the collector’s V8 flags', () => {
  for (const [node, name] of [
    [process.execPath, `Node ${process.versions.node}`],
    [currentLtsNode(), `Node ${currentLtsVersion} (current LTS)`],
  ] as const) {
    it(`are all known to ${name}`, () => {
      const options = execFileSync(node, ['--v8-options'], { maxBuffer: 16 * 1024 * 1024 }).toString();
      for (const flag of daemonV8Flags) {
        const name = flag.replace(/^--/, '').replace(/=.*$/, '');
        expect(options, flag).toMatch(new RegExp(`^\\s+--${name} `, 'm'));
      }
    });
  }
});
