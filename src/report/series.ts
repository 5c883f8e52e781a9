/**
 * The data behind the perf plots, computed once at report time so the page stays small:
 * latency quantiles and throughput per time bucket, and a downsampled set of ops for the latency
 * scatter that keeps what a reader looks for (every failed and indeterminate op, slow outliers,
 * the outline of the latency distribution) and drops the rest of the dense, boring middle.
 */
import { Outcome, type OpColumns } from './model.js';

/** A "nice" bucket width (1, 2 or 5 × 10^k ms) giving about `target` buckets over `spanMs`. */
export function niceBucketMs(spanMs: number, target = 200): number {
  const raw = Math.max(spanMs / target, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export interface BucketSeries {
  bucketMs: number;
  /** Bucket start times, seconds since run start. */
  t: number[];
  /** Latency quantiles of ok ops invoked in the bucket (ms); null where the bucket has none. */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  /** Completions per second by outcome, bucketed by completion time. */
  ok: number[];
  fail: number[];
  info: number[];
}

function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return round3(sorted[i]!);
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function bucketSeries(ops: OpColumns, endMs: number, target = 200): BucketSeries {
  const bucketMs = niceBucketMs(endMs, target);
  const nb = Math.max(1, Math.ceil(endMs / bucketMs) + 1);
  const lat: number[][] = Array.from({ length: nb }, () => []);
  const ok = new Array<number>(nb).fill(0);
  const fail = new Array<number>(nb).fill(0);
  const info = new Array<number>(nb).fill(0);
  for (let i = 0; i < ops.count; i++) {
    const o = ops.outcome[i];
    const s = ops.start[i]!;
    const d = ops.dur[i]!;
    if (o === Outcome.ok) lat[Math.floor(s / bucketMs)]!.push(d);
    if (o === Outcome.pending) continue;
    const b = Math.min(nb - 1, Math.floor((s + d) / bucketMs));
    (o === Outcome.ok ? ok : o === Outcome.fail ? fail : info)[b]!++;
  }
  const perSec = 1000 / bucketMs;
  const out: BucketSeries = {
    bucketMs,
    t: [],
    p50: [],
    p95: [],
    p99: [],
    ok: [],
    fail: [],
    info: [],
  };
  for (let b = 0; b < nb; b++) {
    const sorted = Float64Array.from(lat[b]!).sort();
    out.t.push(round3((b * bucketMs) / 1000));
    out.p50.push(quantile(sorted, 0.5));
    out.p95.push(quantile(sorted, 0.95));
    out.p99.push(quantile(sorted, 0.99));
    out.ok.push(round3(ok[b]! * perSec));
    out.fail.push(round3(fail[b]! * perSec));
    out.info.push(round3(info[b]! * perSec));
  }
  return out;
}

/**
 * Row numbers (into `ops`) of the ops drawn in the latency scatter, in time order. Small
 * histories keep everything. Otherwise: every indeterminate op, and for ok and failed ops one per
 * outcome per cell of a grid of (time column, log-latency row) at roughly pixel resolution, so the picture keeps its shape
 * and its outliers (a lone slow op is alone in its cell) while dense regions are thinned.
 */
export function scatterSample(ops: OpColumns, endMs: number, keepAllBelow = 20_000): Uint32Array {
  if (ops.count <= keepAllBelow) return Uint32Array.from({ length: ops.count }, (_, i) => i);
  const columns = 800;
  const rowsPerDecade = 24;
  const colMs = Math.max(endMs, 1) / columns;
  const seen = new Set<number>();
  const keep: number[] = [];
  for (let i = 0; i < ops.count; i++) {
    const o = ops.outcome[i]!;
    if (o !== Outcome.ok && o !== Outcome.fail) {
      keep.push(i);
      continue;
    }
    const col = Math.floor(ops.start[i]! / colMs);
    const row =
      Math.floor(Math.log10(Math.max(ops.dur[i]!, 1e-3)) * rowsPerDecade) + 4 * rowsPerDecade;
    const cell = (col * 100_000 + row) * 2 + o;
    if (seen.has(cell)) continue;
    seen.add(cell);
    keep.push(i);
  }
  return Uint32Array.from(keep);
}
