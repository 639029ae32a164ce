import { readFileSync } from 'node:fs';

/**
 * A process named by its pid and its start time (clock ticks after boot, /proc/PID/stat field
 * 22). A pid alone is reused by the kernel; the pair is not, so "is the process that made this
 * still alive?" can be answered without ever mistaking someone else's process for it.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

/**
 * The start time of a running process, undefined once it is gone, including a zombie (it has
 * exited; an orphan's zombie may stay until whoever adopted it reaps it).
 */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** This process's identity. */
export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0 };
}

/** The identity of a live process, undefined if there is none with that pid. */
export function identityOf(pid: number): ProcessIdentity | undefined {
  const startTicks = processStartTicks(pid);
  return startTicks === undefined ? undefined : { pid, startTicks };
}

/** True while the very process the identity names runs (not a later one with the same pid). */
export function isAlive(identity: ProcessIdentity): boolean {
  return processStartTicks(identity.pid) === identity.startTicks;
}
