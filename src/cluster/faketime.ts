/**
 * libfaketime for members whose server honours it (C programs such as PostgreSQL): the member is
 * started with LD_PRELOAD and a per-node timestamp file read on every clock call
 * (FAKETIME_NO_CACHE=1), so a clock fault is a write to that file and healing writes "+0".
 * Go binaries (etcd) read time via the vDSO and ignore libfaketime entirely.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exec } from './exec.js';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export function faketimeFile(runDir: string, node: string): string {
  return join(runDir, 'faketime', `${node}.rc`);
}

/** Environment for a process whose clock Faultline may shift later. */
export function faketimeEnv(file: string): Record<string, string> {
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1' };
}

/** Sets the offset (seconds, may be negative or fractional) seen by processes using `file`. */
export function setClockOffset(file: string, offsetSeconds: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const sign = offsetSeconds < 0 ? '-' : '+';
  writeFileSync(file, `${sign}${Math.abs(offsetSeconds)}s\n`);
}

/**
 * The clock offset a libfaketime process reading `file` sees right now, in seconds: runs `date`
 * under the same preload (inside `netns` if given) and compares with our clock.
 */
export async function observedClockOffset(file: string, netns?: string): Promise<number> {
  const argv = ['date', '+%s.%N'];
  const before = Date.now() / 1000;
  const out = await exec(netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv, {
    env: { ...process.env, ...faketimeEnv(file) },
  });
  const after = Date.now() / 1000;
  return Number(out.trim()) - (before + after) / 2;
}
