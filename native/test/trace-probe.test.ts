import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

describe('trace probes (native/src/trace_probe.h)', () => {
  it('decode quoted headers to their flow and slot, reject forgeries, keep one checksum per flow', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const outDir = join(cacheDir, 'native-testing');
    mkdirSync(outDir, { recursive: true });
    const binary = join(outDir, 'trace_probe_test');
    execFileSync('g++', ['-std=c++17', '-O2', '-Wall', '-Wextra', '-o', binary, join(here, 'trace_probe_test.cc')]);
    expect(execFileSync(binary).toString().trim()).toBe('ok');
  });
});
