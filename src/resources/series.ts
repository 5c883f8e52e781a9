/**
 * resources.jsonl as chart columns for report.html (pure): one time axis (s on the history's
 * clock, like every other plot of the page) and per node its RSS (MiB), CPU (% of one core,
 * from the CPU-time difference between samples) and open files; null where a node had no
 * sample (killed, not yet restarted).
 */
import type { ResourceSample } from './sampler.js';

export interface ResourceSeries {
  nodes: string[];
  t: number[];
  rssMiB: Array<Array<number | null>>;
  cpuPct: Array<Array<number | null>>;
  fds: Array<Array<number | null>>;
}

export function parseResourcesJsonl(text: string): ResourceSample[] {
  const out: ResourceSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as ResourceSample;
      if (typeof s.time === 'number' && typeof s.node === 'string') out.push(s);
    } catch {
      // a torn last line after a crash: the samples before it still plot
    }
  }
  return out;
}

export function resourceSeries(samples: readonly ResourceSample[]): ResourceSeries | undefined {
  if (samples.length === 0) return undefined;
  const nodes = [...new Set(samples.map((s) => s.node))].sort();
  const times = [...new Set(samples.map((s) => s.time))].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const blank = () => nodes.map(() => times.map((): number | null => null));
  const rss = blank();
  const cpu = blank();
  const fds = blank();
  const last = new Map<string, ResourceSample>();
  for (const s of [...samples].sort((a, b) => a.time - b.time)) {
    const n = nodes.indexOf(s.node);
    const i = at.get(s.time)!;
    rss[n]![i] = s.rssBytes / 2 ** 20;
    fds[n]![i] = s.openFds;
    const prev = last.get(s.node);
    // A restarted process starts its CPU time again: no rate across the restart.
    if (prev && s.cpuSeconds >= prev.cpuSeconds && s.time > prev.time)
      cpu[n]![i] = ((s.cpuSeconds - prev.cpuSeconds) / ((s.time - prev.time) / 1e9)) * 100;
    last.set(s.node, s);
  }
  return { nodes, t: times.map((t) => t / 1e9), rssMiB: rss, cpuPct: cpu, fds };
}
