/**
 * The daemon state file, `<soakDir>/daemon.json`: where a soak stands, so a restarted daemon (also
 * after SIGKILL) continues the numbering, the counts and the budgets. Written atomically (temp
 * file + rename) at the start and end of every trial; `current` is set while a trial runs, so a
 * state file with a `current` trial and a dead `pid` means that trial was killed with the daemon.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceSample } from './resources.js';
import type { LeakFinding, NodeTrialResources } from '../resources/soak-leaks.js';

export interface TrialCounts {
  trials: number;
  valid: number;
  invalid: number;
  unknown: number;
  /** Trials killed with the daemon (counted in `unknown` too). */
  crashed: number;
  /** Failures shrunk to a minimized case. */
  minimized: number;
}

export interface CurrentTrial {
  trial: number;
  seed: number;
  runDir: string;
  startedAt: string;
  /** Set while the trial's failure is being shrunk. */
  shrinking?: boolean;
}

export interface DaemonState {
  version: 1;
  soak: string;
  seed: number;
  /** The daemon process running the soak, null when none is. */
  pid: number | null;
  status: 'running' | 'stopping' | 'stopped';
  stoppedReason?: string;
  nextTrial: number;
  counts: TrialCounts;
  /** Time spent running trials (and shrinking), summed over restarts. */
  runningMs: number;
  current: CurrentTrial | null;
  /** Passing run dirs still on disk, oldest first (retention deletes from the front). */
  passingRuns: string[];
  /** One sample per trial; the first samples and the recent ones are kept. */
  resources: ResourceSample[];
  /** Each node's resources at the end of each trial (the leak check's series). */
  nodeResources?: NodeTrialResources[];
  /** Leak findings of the soak so far (resources/soak-leaks.ts). */
  leaks?: LeakFinding[];
  startedAt: string;
  updatedAt: string;
}

export const STATE_FILE = 'daemon.json';
/** Resource samples kept: the first KEEP_FIRST (the baseline) and the last KEEP_LAST. */
const KEEP_FIRST = 10;
const KEEP_LAST = 500;

export function statePath(soakDir: string): string {
  return join(soakDir, STATE_FILE);
}

export function initialState(soak: string, seed: number): DaemonState {
  const now = new Date().toISOString();
  return {
    version: 1,
    soak,
    seed,
    pid: null,
    status: 'stopped',
    nextTrial: 1,
    counts: { trials: 0, valid: 0, invalid: 0, unknown: 0, crashed: 0, minimized: 0 },
    runningMs: 0,
    current: null,
    passingRuns: [],
    resources: [],
    startedAt: now,
    updatedAt: now,
  };
}

export function readState(soakDir: string): DaemonState | undefined {
  const file = statePath(soakDir);
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as DaemonState;
    if (s.version !== 1 || typeof s.nextTrial !== 'number')
      throw new Error('unknown state version');
    return s;
  } catch (err) {
    throw Object.assign(new Error(`${file}: unreadable daemon state (${(err as Error).message})`), {
      userMessage: `${file}: unreadable daemon state (${(err as Error).message}); move it away to start the soak afresh`,
    });
  }
}

export function writeState(soakDir: string, state: DaemonState): void {
  state.updatedAt = new Date().toISOString();
  const file = statePath(soakDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Appends a sample, keeping the baseline and a bounded recent window (the file stays small). */
export function pushResourceSample(
  list: ResourceSample[],
  sample: ResourceSample,
): ResourceSample[] {
  const next = [...list, sample];
  if (next.length <= KEEP_FIRST + KEEP_LAST) return next;
  return [...next.slice(0, KEEP_FIRST), ...next.slice(next.length - KEEP_LAST)];
}

/** Whether a pid belongs to a live process (signal 0 probes without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
