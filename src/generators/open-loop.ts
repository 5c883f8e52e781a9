/**
 * Open-loop timetables (wrk2's constant throughput): `rate` ops/s in total, spread evenly over
 * the workers, each op at a fixed intended start. Plans as data: this only re-times a
 * schedule's ops (and drops those past its end); the executor runs `atMs` as the intended start
 * and records it, so latency is measured from when an op should have started.
 */
import type { Schedule, ScheduledOp } from './schedule.js';

/**
 * Worker w of c issues op k at (k + w/c) · c/rate s: the workers interleave, the whole run sees
 * one op every 1/rate s. Ops that would start at or past `durationMs` are dropped; a worker with
 * too few ops stops early (generate with `rate / c` per process to have enough).
 */
export function openLoopSchedule<O extends ScheduledOp>(s: Schedule<O>, rate: number): Schedule<O> {
  if (!(rate > 0)) throw new Error(`open-loop rate must be > 0 ops/s, got ${rate}`);
  const c = s.processes.length;
  const intervalMs = (1000 * c) / rate;
  const processes = s.processes.map((ops, w) => {
    const out: O[] = [];
    let prev = 0;
    for (let k = 0; k < ops.length; k++) {
      const atMs = Math.round((k + w / c) * intervalMs);
      if (atMs >= s.durationMs) break;
      out.push({ ...ops[k]!, atMs, delayMs: atMs - prev });
      prev = atMs;
    }
    return out;
  });
  return { ...s, processes, openLoop: { rate } };
}
