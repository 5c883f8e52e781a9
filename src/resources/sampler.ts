/**
 * Samples every node's resources on a timer during a run and appends them to
 * `<run>/resources.jsonl` (one line per node per sample, times on the history's clock so the
 * report can shade fault periods under them). A killed node simply has no samples until it is
 * back; a failing read never disturbs the run.
 */
import { appendFileSync } from 'node:fs';
import type { NodeResources, ResourceReader } from './proc.js';

export interface ResourceSample extends NodeResources {
  /** ns on the history's clock. */
  time: number;
  node: string;
}

export class ResourceSampler {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  readonly samples: ResourceSample[] = [];

  constructor(
    private readonly opts: {
      nodes: readonly string[];
      reader: ResourceReader;
      /** The history's clock (Recorder.now). */
      now: () => number;
      file?: string;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    void this.sampleOnce();
    this.timer = setInterval(() => void this.sampleOnce(), this.opts.intervalMs ?? 500);
    this.timer.unref();
  }

  async sampleOnce(): Promise<void> {
    if (this.busy) return; // a slow remote read: skip a beat rather than pile up
    this.busy = true;
    try {
      const time = this.opts.now();
      const read = await Promise.all(
        this.opts.nodes.map(async (node) => {
          const r = await this.opts.reader.read(node).catch(() => null);
          return r ? { time, node, ...r } : null;
        }),
      );
      const got = read.filter((x): x is ResourceSample => x !== null);
      this.samples.push(...got);
      if (this.opts.file && got.length)
        appendFileSync(this.opts.file, got.map((s) => JSON.stringify(s) + '\n').join(''));
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampleOnce();
  }
}

/** Per node: the last sample, peak RSS and the CPU used over the samples. */
export function summarizeResources(samples: readonly ResourceSample[]): Record<
  string,
  {
    samples: number;
    lastRssBytes: number;
    peakRssBytes: number;
    cpuSeconds: number;
    lastOpenFds: number;
    peakOpenFds: number;
  }
> {
  const out: ReturnType<typeof summarizeResources> = {};
  for (const s of samples) {
    const o = (out[s.node] ??= {
      samples: 0,
      lastRssBytes: 0,
      peakRssBytes: 0,
      cpuSeconds: 0,
      lastOpenFds: 0,
      peakOpenFds: 0,
    });
    o.samples++;
    o.lastRssBytes = s.rssBytes;
    o.peakRssBytes = Math.max(o.peakRssBytes, s.rssBytes);
    o.cpuSeconds = s.cpuSeconds;
    o.lastOpenFds = s.openFds;
    o.peakOpenFds = Math.max(o.peakOpenFds, s.openFds);
  }
  return out;
}
