/**
 * The clock ability `faketime` (system.ts): libfaketime for members whose server honours it (C
 * programs such as PostgreSQL). The member is started with LD_PRELOAD and a per-node timestamp
 * file on its node, read on every clock call (FAKETIME_NO_CACHE=1), so a clock fault is a write
 * to that file through the node's Remote and healing writes "+0". Go binaries (etcd) read time
 * via the vDSO and ignore libfaketime entirely.
 */
import { join } from 'node:path';
import type { Remote } from '../control/remote.js';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** The timestamp file of `node`, under the node's work directory (its `{runDir}`). */
export function faketimeFile(workDir: string, node: string): string {
  return join(workDir, 'faketime', `${node}.rc`);
}

/** Environment for a process whose clock Faultline may shift later. */
export function faketimeEnv(file: string): Record<string, string> {
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1' };
}

/** The file's contents for an offset (seconds, may be negative or fractional). */
export function clockOffsetText(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  return `${sign}${Math.abs(offsetSeconds)}s\n`;
}

/** Sets the offset seen by processes on the node reading `file`. */
export async function setClockOffset(
  remote: Remote,
  file: string,
  offsetSeconds: number,
): Promise<void> {
  await remote.upload(Buffer.from(clockOffsetText(offsetSeconds)), file);
}

/**
 * The clock offset a libfaketime process reading `file` sees right now, in seconds: runs `date`
 * on the node under the same preload and compares with our clock.
 */
export async function observedClockOffset(remote: Remote, file: string): Promise<number> {
  const before = Date.now() / 1000;
  const out = await remote.exec(['date', '+%s.%N'], { env: faketimeEnv(file) });
  const after = Date.now() / 1000;
  return Number(out.trim()) - (before + after) / 2;
}
