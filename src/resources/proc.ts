/**
 * A node's own resources (RSS, CPU time, open files) from /proc. Parsing is pure; reading goes
 * through a small port so each backend supplies its own: netns nodes share this machine's /proc
 * (read directly), an SSH node is read through its Remote (`sh -c 'cat /proc/PID/...'`), a
 * container backend can answer from the engine's stats instead.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Remote } from '../control/remote.js';

export interface NodeResources {
  rssBytes: number;
  /** User + system CPU time so far, seconds. */
  cpuSeconds: number;
  openFds: number;
}

/** The port the sampler consumes: one node's resources now, or null when it is not running. */
export interface ResourceReader {
  read(node: string): Promise<NodeResources | null>;
}

/** Linux's USER_HZ: what /proc/<pid>/stat counts CPU time in. */
export const CLOCK_TICKS = 100;

/** From /proc/<pid>/stat and /proc/<pid>/status text and the number of entries in fd/. */
export function parseProc(stat: string, status: string, openFds: number): NodeResources | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  // Fields 14 and 15 overall (utime, stime): 11 and 12 after the state field.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return {
    rssBytes: rss ? Number(rss[1]) * 1024 : 0,
    cpuSeconds: (utime + stime) / CLOCK_TICKS,
    openFds,
  };
}

/** This machine's /proc, for processes it can see (netns members). */
export function readLocalProc(pid: number): NodeResources | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return parseProc(stat, status, readdirSync(`/proc/${pid}/fd`).length);
  } catch {
    return null;
  }
}

/** Local reader over a node -> pid lookup (e.g. Cluster.pidOf, which follows restarts). */
export function localReader(pidOf: (node: string) => number | undefined): ResourceReader {
  return {
    read: async (node) => {
      const pid = pidOf(node);
      return pid === undefined ? null : readLocalProc(pid);
    },
  };
}

const SEP = '---faultline---';

/** The same through a node's Remote (SSH, or any backend with a /proc), one command per read. */
export function remoteReader(
  remoteOf: (node: string) => Remote | undefined,
  pidOf: (node: string) => number | undefined,
): ResourceReader {
  return {
    read: async (node) => {
      const remote = remoteOf(node);
      const pid = pidOf(node);
      if (!remote || pid === undefined) return null;
      const script = `cat /proc/$1/stat; echo ${SEP}; cat /proc/$1/status; echo ${SEP}; ls /proc/$1/fd | wc -l`;
      const r = await remote.run(['sh', '-c', script, 'sh', String(pid)], { timeoutMs: 2000 });
      if (r.code !== 0) return null;
      const [stat = '', status = '', fds = ''] = r.stdout.split(`${SEP}\n`);
      return parseProc(stat, status, Number(fds.trim()));
    },
  };
}
