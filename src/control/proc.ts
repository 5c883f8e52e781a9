/**
 * What /proc says about a process on this machine: alive, its scheduler state (R/S/T/Z...), its
 * start time (to tell a recorded pid from a reused one), its resident memory and its process
 * tree. Used by the netns Remote (netns.ts) and by start-up recovery (owners of state files).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** Single-letter state: R running, S sleeping, T stopped (SIGSTOP), Z zombie, ... */
  state: string;
  /** Clock ticks after boot at which the process started: with the pid, a unique identity. */
  startTime: number;
  ppid: number;
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
  return { pid, state, startTime, ppid: Number(rest[1]) };
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

/**
 * `pid` and all its descendants (by parent pid, not process group or session: servers such as
 * PostgreSQL put each worker in its own session, which `kill(-pgid)` would miss).
 */
export function processTree(pid: number): number[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st && st.state !== 'Z') all.push(st);
  }
  const result = new Set<number>();
  if (all.some((p) => p.pid === pid)) result.add(pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!result.has(p.pid) && result.has(p.ppid)) {
        result.add(p.pid);
        grew = true;
      }
    }
  }
  return [...result];
}

/**
 * Signals a whole process tree. The root is stopped first so it cannot fork while the tree is
 * read; children are signalled before the root (after the root dies they are re-parented and
 * could no longer be found); after SIGKILL everything gets SIGCONT so stopped ones die.
 */
export function signalTree(pid: number, sig: NodeJS.Signals): void {
  const freeze = sig === 'SIGSTOP' || sig === 'SIGKILL';
  if (freeze) signal(pid, 'SIGSTOP');
  const pids = processTree(pid);
  for (const p of pids) if (p !== pid) signal(p, sig);
  signal(pid, sig);
  if (sig === 'SIGKILL') for (const p of pids) signal(p, 'SIGCONT');
}
