// runThenStop must report a test's own failure, not the exit code of a process that fell over
// with it (what `finally { expect(await p.stop()).toBe(0) }` did), and must still fail a passing
// body whose process does not stop cleanly.
import { describe, expect, it } from 'vitest';
import { RecordedProcess, runThenStop } from './processes.js';

/** A real process that prints "up" and exits with `code` on SIGTERM. */
async function exitingWith(code: number): Promise<RecordedProcess> {
  const child = new RecordedProcess(process.execPath, [
    '-e',
    `process.on('SIGTERM', () => process.exit(${code})); console.log('up'); setInterval(() => {}, 1000);`,
  ]);
  await child.waitFor(() => child.stdout.includes('up'), 10_000, 'the process to start');
  return child;
}

describe('runThenStop', () => {
  it("reports the body's failure first, with the bad exit code added to it", async () => {
    const child = await exitingWith(3);
    const failure = await runThenStop([child], async () => {
      throw new Error('the assertion that failed');
    }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^the assertion that failed\n\(also, once the test had failed: pid \d+ exited with 3/,
    );
    expect(child.hasExited).toBe(true);
  });

  it('fails a passing body when a process does not exit with 0, and passes the value through otherwise', async () => {
    const unclean = await exitingWith(1);
    await expect(runThenStop([unclean], async () => 'done')).rejects.toThrow(
      /did not stop cleanly: pid \d+ exited with 1/,
    );
    const clean = await exitingWith(0);
    expect(await runThenStop([clean], async () => 'done')).toBe('done');
    expect(clean.hasExited).toBe(true);
  });
});
