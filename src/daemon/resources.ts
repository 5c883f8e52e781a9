/**
 * Resource samples taken after each trial, so a long soak shows whether memory or file handles
 * creep up (they must stay flat: every per-trial listener and stream is released).
 */
import { readdirSync } from 'node:fs';

export interface ResourceSample {
  trial: number;
  at: string;
  rssBytes: number;
  heapUsedBytes: number;
  openFds: number;
}

/** Open file descriptors of this process (-1 where /proc is not available). */
export function openFdCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

export function sampleResources(trial: number): ResourceSample {
  // With --expose-gc (the soak benchmark), collect first so samples compare live memory.
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return {
    trial,
    at: new Date().toISOString(),
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    openFds: openFdCount(),
  };
}
