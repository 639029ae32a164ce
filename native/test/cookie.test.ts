import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

describe('the probe cookie (native/src/cookie.h)', () => {
  it('matches the SipHash-2-4 reference vectors and changes with every field it binds', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const outDir = join(cacheDir, 'native-testing');
    mkdirSync(outDir, { recursive: true });
    const binary = join(outDir, 'cookie_test');
    execFileSync('g++', ['-std=c++17', '-O2', '-Wall', '-o', binary, join(here, 'cookie_test.cc')]);
    expect(execFileSync(binary).toString().trim()).toBe('ok');
  });
});
