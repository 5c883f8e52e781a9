/**
 * The soak's leak finding: after each trial, each node's last RSS and open files join a
 * per-node series across trials, and leak.ts's regression decides whether one grows steadily.
 * Pure: the daemon keeps the points in its state file and reports what this returns.
 */
import { leakCheck, type LeakVerdict } from './leak.js';
import type { summarizeResources } from './sampler.js';

export interface NodeTrialResources {
  trial: number;
  node: string;
  rssBytes: number;
  openFds: number;
}

export interface LeakFinding extends LeakVerdict {
  node: string;
  metric: 'rss' | 'open-files';
  message: string;
}

export function trialPoints(
  trial: number,
  resources: ReturnType<typeof summarizeResources> | undefined,
): NodeTrialResources[] {
  return Object.entries(resources ?? {}).map(([node, r]) => ({
    trial,
    node,
    rssBytes: r.lastRssBytes,
    openFds: r.lastOpenFds,
  }));
}

export function leakFindings(points: readonly NodeTrialResources[]): LeakFinding[] {
  const nodes = [...new Set(points.map((p) => p.node))].sort();
  const out: LeakFinding[] = [];
  for (const node of nodes) {
    const mine = points.filter((p) => p.node === node).sort((a, b) => a.trial - b.trial);
    for (const metric of ['rss', 'open-files'] as const) {
      const series = mine.map((p) => ({
        trial: p.trial,
        value: metric === 'rss' ? p.rssBytes : p.openFds,
      }));
      const v = leakCheck(series);
      if (!v.leaking) continue;
      const per =
        metric === 'rss' ? `${(v.slope / 2 ** 20).toFixed(2)} MiB` : `${v.slope.toFixed(2)} files`;
      out.push({
        ...v,
        node,
        metric,
        message: `possible ${metric === 'rss' ? 'memory' : 'file handle'} leak on ${node}: +${per} per trial over ${v.points} trials (+${(v.growth * 100).toFixed(0)}%, r² ${v.r2.toFixed(2)})`,
      });
    }
  }
  return out;
}
