// The demo's record of what it started, in its data directory, so that a run after a crash (or a
// kill -9) can stop exactly what the dead run left behind and nothing else: processes are named
// by pid and start time (a reused pid is not mistaken for ours), and a live run is never touched.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityOf, isAlive, ownIdentity, type ProcessIdentity } from '@pingsphere/testbed';

interface RecordedProcess extends ProcessIdentity {
  name: string;
}

interface RunRecordFile {
  owner: ProcessIdentity;
  processes: RecordedProcess[];
}

export class RunRecord {
  private readonly processes: RecordedProcess[] = [];

  private constructor(private readonly file: string) {}

  /**
   * Takes the directory for this run: refuses if a live demo holds it; stops (SIGTERM, then
   * SIGKILL after 15 s) whatever a dead one recorded and is still running. `say` reports it.
   */
  static async claim(dir: string, say: (message: string) => void): Promise<RunRecord> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'run.json');
    if (existsSync(file)) {
      const earlier = JSON.parse(readFileSync(file, 'utf8')) as RunRecordFile;
      if (isAlive(earlier.owner)) {
        throw new Error(
          `another demo (pid ${earlier.owner.pid}) is running with ${dir}: stop it first, or give this one its own directory with PINGSPHERE_DEMO_DIR`,
        );
      }
      const left = earlier.processes.filter(isAlive);
      if (left.length > 0) {
        say(
          `an earlier demo (pid ${earlier.owner.pid}) died without stopping: stopping what it left (${left.map((p) => `${p.name} pid ${p.pid}`).join(', ')}) …`,
        );
        await stopAll(left);
      }
    }
    const record = new RunRecord(file);
    record.save();
    return record;
  }

  /** Records a started process (no-op for a process that is already gone). */
  add(name: string, pid: number | undefined): void {
    const identity = pid === undefined ? undefined : identityOf(pid);
    if (!identity) return;
    this.processes.push({ name, ...identity });
    this.save();
  }

  /** The run ended cleanly: nothing is left to clean up. */
  release(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    const content: RunRecordFile = { owner: ownIdentity(), processes: this.processes };
    writeFileSync(this.file, `${JSON.stringify(content, null, 1)}\n`);
  }
}

async function stopAll(processes: readonly RecordedProcess[]): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const p of processes) {
      if (!isAlive(p)) continue;
      try {
        process.kill(p.pid, name);
      } catch {
        // Gone meanwhile.
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (processes.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  signal('SIGKILL');
}
