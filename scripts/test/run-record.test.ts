// The demo's run record: what a later run stops after a crash, and what it must never touch.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOf, isAlive, ownIdentity } from '@pingsphere/testbed';
import { RunRecord } from '../demo/run-record.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pingsphere-run-record-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The identity of a process that has exited: the owner of a crashed run. */
function deadOwner() {
  const child = spawnSync(
    process.execPath,
    ['-e', 'console.log(require("fs").readFileSync("/proc/self/stat", "utf8"))'],
    {
      encoding: 'utf8',
    },
  );
  const stat = child.stdout;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(stat.split(' ')[0]), startTicks: Number(fields[19]) };
}

describe('RunRecord (the demo directory)', () => {
  it("stops what a dead run recorded and is still running, and leaves a reused pid's process alone", async () => {
    const dir = freshDir();
    const leftOver = spawn('sleep', ['300'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => leftOver.once('exit', resolve));
    const leftIdentity = identityOf(leftOver.pid!)!;
    // The test process stands for an unrelated process that got a recorded pid: another start time.
    const reused = { pid: process.pid, startTicks: ownIdentity().startTicks + 1, name: 'collector (pid reused)' };
    writeFileSync(
      join(dir, 'run.json'),
      JSON.stringify({ owner: deadOwner(), processes: [{ name: 'QuestDB', ...leftIdentity }, reused] }),
    );
    const messages: string[] = [];
    const record = await RunRecord.claim(dir, (m) => messages.push(m));
    await exited;
    expect(isAlive(leftIdentity)).toBe(false);
    expect(messages.join('\n')).toMatch(
      /an earlier demo \(pid \d+\) died without stopping: stopping what it left \(QuestDB pid \d+\)/,
    );
    expect(messages.join('\n')).not.toContain('pid reused');
    // The record is this run's now; a clean end removes it.
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).owner).toEqual(ownIdentity());
    record.release();
    expect(() => readFileSync(join(dir, 'run.json'))).toThrow();
  });

  it('refuses a directory a live demo holds, naming its pid and the way out', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ owner: ownIdentity(), processes: [] }));
    await expect(RunRecord.claim(dir, () => undefined)).rejects.toThrow(
      new RegExp(`another demo \\(pid ${process.pid}\\) is running with .*PINGSPHERE_DEMO_DIR`),
    );
  });
});
