/**
 * Timeline lanes. After an `info` a worker continues under a new process number, so a long run
 * has far more processes than workers; one row per process would be unreadable. A process lives
 * from its first invocation to its last completion, and processes whose lives do not overlap can
 * share a row: greedy interval colouring (lowest free lane) gives exactly as many lanes as there
 * were processes alive at once, i.e. the concurrency, and puts a worker's successive processes on
 * the same row, like Jepsen's `process mod concurrency`.
 */
import type { OpColumns } from './model.js';

/** Fills `ops.lane` and returns, per lane, the processes it holds in order. */
export function assignLanes(ops: OpColumns): number[][] {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (let i = 0; i < ops.count; i++) {
    const p = ops.process[i]!;
    const s = ops.start[i]!;
    const e = s + ops.dur[i]!;
    if (!first.has(p)) first.set(p, s);
    if (e > (last.get(p) ?? -Infinity)) last.set(p, e);
  }
  const procs = [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)! || a - b);
  const freeAt: number[] = [];
  const laneOf = new Map<number, number>();
  const laneProcesses: number[][] = [];
  for (const p of procs) {
    const s = first.get(p)!;
    let lane = freeAt.findIndex((t) => t <= s);
    if (lane < 0) {
      lane = freeAt.length;
      freeAt.push(0);
      laneProcesses.push([]);
    }
    freeAt[lane] = last.get(p)!;
    laneOf.set(p, lane);
    laneProcesses[lane]!.push(p);
  }
  for (let i = 0; i < ops.count; i++) ops.lane[i] = laneOf.get(ops.process[i]!)!;
  return laneProcesses;
}
