/**
 * What /proc says about a process: alive, its scheduler state (R/S/T/Z...), its start time (to
 * tell a recorded pid from a reused one) and its resident memory.
 */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** Single-letter state: R running, S sleeping, T stopped (SIGSTOP), Z zombie, ... */
  state: string;
  /** Clock ticks after boot at which the process started: with the pid, a unique identity. */
  startTime: number;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0] ?? '?';
  const startTime = Number(rest[19]); // field 22 overall
  return { pid, state, startTime };
}

/** True if the pid runs (any state but zombie/dead) and, if given, started at `startTime`. */
export function isAlive(pid: number, startTime?: number): boolean {
  const st = readProcStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return startTime === undefined || st.startTime === startTime;
}

/** Resident set size in bytes, or 0 if the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sends a signal, ignoring "no such process". Returns whether it was delivered. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
