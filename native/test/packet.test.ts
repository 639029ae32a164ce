import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

describe('the echo request (native/src/icmp_packet.h)', () => {
  it("keeps one valid checksum for a target's probes on a flow, another on the next flow", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const outDir = join(cacheDir, 'native-testing');
    mkdirSync(outDir, { recursive: true });
    const binary = join(outDir, 'packet_test');
    execFileSync('g++', ['-std=c++17', '-O2', '-Wall', '-o', binary, join(here, 'packet_test.cc')]);
    expect(execFileSync(binary).toString().trim()).toBe('ok');
  });
});
