// `pingsphere trace` input checks: each bad input gets one line naming the problem, exit status 2,
// before any socket is opened (nothing is sent by these tests).
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';

const bin = join(repoRoot, 'collector', 'bin', 'pingsphere.mjs');
const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'trace', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('pingsphere trace, bad input', () => {
  it.each([
    [['--flows', '65', '198.18.0.1'], '--flows must be a whole number from 1 to 64, got 65'],
    [['-q', '0', '198.18.0.1'], '-q (probes per hop) must be a whole number from 1 to 16, got 0'],
    [['--max-hops', 'x', '198.18.0.1'], '-m/--max-hops needs a number, got "x"'],
    [['--max-hops', '300', '198.18.0.1'], '--max-hops must be a whole number from 1 to 255, got 300'],
    [['--rate', '0', '198.18.0.1'], '--rate must be a number of probes per second from 1 to 1000000, got 0'],
    [[], 'no targets: give addresses or hostnames as arguments, or a file with -f FILE'],
    [['300.1.2.3'], '"300.1.2.3"'],
    [['--nope'], "Unknown option '--nope'"],
  ])('%j → %s', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints its help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pingsphere trace TARGET…');
  });
});
