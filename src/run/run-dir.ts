/**
 * Run directories: `results/<test>/<YYYYMMDDTHHMMSS>/` (a suffix keeps two runs in the same
 * second apart) and a `results/latest` symlink to the newest one.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** `2026-11-21T15:33:07.123Z` -> `20261121T153307`. */
export function runStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Test names become one safe path segment. */
export function safeTestName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return s || 'test';
}

export function createRunDir(resultsRoot: string, test: string, now = new Date()): string {
  const base = join(resolve(resultsRoot), safeTestName(test));
  mkdirSync(base, { recursive: true });
  const stamp = runStamp(now);
  for (let i = 0; ; i++) {
    const dir = join(base, i === 0 ? stamp : `${stamp}-${i}`);
    try {
      mkdirSync(dir); // not recursive: fails if another run took the name
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Points `<resultsRoot>/latest` at `runDir` atomically (a relative link, so results/ can move). */
export function updateLatestLink(resultsRoot: string, runDir: string): void {
  const root = resolve(resultsRoot);
  const link = join(root, 'latest');
  const tmp = join(root, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(relative(root, resolve(runDir)), tmp);
  renameSync(tmp, link);
}
