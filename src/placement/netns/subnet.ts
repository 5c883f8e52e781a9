/**
 * Picks a free 10.77.N.0/24 for a run (netns bridges; docker networks use the same pool), so two runs (or two test files) can coexist. The lock is a
 * file `subnets/<N>` created with O_EXCL; it is released at teardown, and reclaimed if its run's
 * state file is gone and its process is dead. The lock dir is machine-wide (/run/faultline/subnets,
 * or FAULTLINE_SUBNET_DIR) even when FAULTLINE_STATE_DIR points elsewhere, so runs with different
 * state dirs (parallel test files) still never pick the same /24.
 */
import {
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { execRaw } from '../../control/local.js';
import { isAlive, readProcStat } from '../../control/proc.js';

export const SUBNET_POOL_PREFIX = '10.77';

function subnetsDir(): string {
  return process.env.FAULTLINE_SUBNET_DIR || '/run/faultline/subnets';
}

/** /24 prefixes ("10.77.3") already configured on any host interface. */
async function prefixesInUse(): Promise<Set<string>> {
  const out = await execRaw(['ip', '-4', '-o', 'addr', 'show']);
  const used = new Set<string>();
  for (const m of out.stdout.matchAll(/inet (\d+\.\d+\.\d+)\.\d+\//g)) used.add(m[1]!);
  return used;
}

function tryLock(file: string, runId: string, stateFile: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    const me = readProcStat(process.pid);
    writeSync(
      fd,
      JSON.stringify({ runId, stateFile, pid: process.pid, startTime: me?.startTime }) + '\n',
    );
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function isStale(file: string): boolean {
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as {
      stateFile: string;
      pid: number;
      startTime?: number;
    };
    return !existsSync(lock.stateFile) && !isAlive(lock.pid, lock.startTime);
  } catch {
    return false; // being written right now, or unreadable: leave it alone
  }
}

/** The lock file name for an explicit subnet. */
export function subnetLockName(cidr: string): string {
  return cidr.replace(/[/.]/g, '_');
}

/** Allocates N such that 10.77.N.0/24 is free; returns N (its lock file is named N). */
/** `stateFile`: the run's state file (a lock whose state file is gone and owner dead is stale). */
export async function allocateSubnet(runId: string, stateFile: string): Promise<number> {
  mkdirSync(subnetsDir(), { recursive: true });
  const used = await prefixesInUse();
  for (let n = 1; n < 255; n++) {
    if (used.has(`${SUBNET_POOL_PREFIX}.${n}`)) continue;
    const file = join(subnetsDir(), String(n));
    if (tryLock(file, runId, stateFile)) return n;
    if (isStale(file)) {
      rmSync(file, { force: true });
      if (tryLock(file, runId, stateFile)) return n;
    }
  }
  throw new Error(`no free /24 left in ${SUBNET_POOL_PREFIX}.0.0/16 (locks in ${subnetsDir()})`);
}

/** Locks an explicit subnet from a definition. */
export function lockExplicitSubnet(cidr: string, runId: string, stateFile: string): void {
  mkdirSync(subnetsDir(), { recursive: true });
  const file = join(subnetsDir(), subnetLockName(cidr));
  if (tryLock(file, runId, stateFile)) return;
  if (isStale(file)) {
    rmSync(file, { force: true });
    if (tryLock(file, runId, stateFile)) return;
  }
  throw new Error(`subnet ${cidr} is in use by another Faultline run (lock ${file})`);
}

/** Releases a subnet lock if (and only if) it belongs to `runId`. */
export function releaseSubnet(lockName: string, runId: string): void {
  const file = join(subnetsDir(), lockName);
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as { runId: string };
    if (lock.runId === runId) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
