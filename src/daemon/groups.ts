/**
 * Failure groups, `<soakDir>/groups.json`: failures with the same signature (signature.ts) are
 * one group, counted over the whole soak, with the trials and run dirs where they appeared and
 * the minimized cases made from them.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailureSignature } from './signature.js';

export interface MinimizedCase {
  trial: number;
  dir: string;
  /** Ops + faults of the schedule before and after shrinking. */
  before: { ops: number; faults: number };
  after: { ops: number; faults: number };
  /** How often the minimized case failed when re-run: `3/3`. */
  reproduced: string;
}

export interface FailureGroup extends Omit<FailureSignature, 'keys'> {
  count: number;
  firstTrial: number;
  lastTrial: number;
  firstSeen: string;
  lastSeen: string;
  /** Trials in this group (the most recent MAX_TRIALS). */
  trials: number[];
  runDirs: string[];
  keys: string[];
  minimized: MinimizedCase[];
}

export interface GroupsFile {
  version: 1;
  groups: FailureGroup[];
}

const MAX_TRIALS = 200;
export const GROUPS_FILE = 'groups.json';

export function emptyGroups(): GroupsFile {
  return { version: 1, groups: [] };
}

/** Adds one failure; returns the new file and the group (new groups have count 1). */
export function addFailure(
  file: GroupsFile,
  sig: FailureSignature,
  trial: number,
  runDir: string,
  at = new Date().toISOString(),
): { file: GroupsFile; group: FailureGroup } {
  const existing = file.groups.find((g) => g.signature === sig.signature);
  const bound = <T>(xs: T[]) => (xs.length > MAX_TRIALS ? xs.slice(xs.length - MAX_TRIALS) : xs);
  const group: FailureGroup = existing
    ? {
        ...existing,
        count: existing.count + 1,
        lastTrial: trial,
        lastSeen: at,
        trials: bound([...existing.trials, trial]),
        runDirs: bound([...existing.runDirs, runDir]),
        keys: [...new Set([...existing.keys, ...sig.keys])].sort(),
      }
    : {
        ...sig,
        count: 1,
        firstTrial: trial,
        lastTrial: trial,
        firstSeen: at,
        lastSeen: at,
        trials: [trial],
        runDirs: [runDir],
        minimized: [],
      };
  const groups = existing
    ? file.groups.map((g) => (g === existing ? group : g))
    : [...file.groups, group];
  // Most frequent first: what a person reading groups.json in the morning wants.
  groups.sort((a, b) => b.count - a.count || a.firstTrial - b.firstTrial);
  return { file: { ...file, groups }, group };
}

export function addMinimized(file: GroupsFile, signature: string, m: MinimizedCase): GroupsFile {
  return {
    ...file,
    groups: file.groups.map((g) =>
      g.signature === signature ? { ...g, minimized: [...g.minimized, m] } : g,
    ),
  };
}

export function readGroups(soakDir: string): GroupsFile {
  const f = join(soakDir, GROUPS_FILE);
  if (!existsSync(f)) return emptyGroups();
  return JSON.parse(readFileSync(f, 'utf8')) as GroupsFile;
}

export function writeGroups(soakDir: string, file: GroupsFile): void {
  const f = join(soakDir, GROUPS_FILE);
  const tmp = `${f}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n');
  renameSync(tmp, f);
}
