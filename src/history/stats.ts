/**
 * Summary counts of a history, for `faultline history stats` and reports.
 * Works on a stream, so a huge JSONL history is summarised in constant memory (keys aside).
 */
import type { Op, Process } from './op.js';

export interface HistoryStats {
  /** Every line: invocations, completions and nemesis ops. */
  ops: number;
  /** Client invocations. */
  invocations: number;
  ok: number;
  fail: number;
  info: number;
  /** Client invocations with no completion by the end of the history (indeterminate). */
  unfinished: number;
  /** Distinct client process numbers. */
  processes: number;
  /** Ops of the nemesis process (fault starts/stops and their completions). */
  nemesisOps: number;
  /** Nanoseconds from the first op to the last. */
  durationNs: number;
  /** Distinct keys (kv / independent workloads); 0 when ops carry no key. */
  keys: number;
  /** Client invocations per f. */
  byF: Record<string, number>;
}

export class StatsAccumulator {
  private s: HistoryStats = {
    ops: 0,
    invocations: 0,
    ok: 0,
    fail: 0,
    info: 0,
    unfinished: 0,
    processes: 0,
    nemesisOps: 0,
    durationNs: 0,
    keys: 0,
    byF: {},
  };
  private firstTime: number | undefined;
  private lastTime = 0;
  private readonly processes = new Set<Process>();
  private readonly open = new Set<Process>();
  private readonly keys = new Set<string | number>();

  add(op: Op): void {
    const s = this.s;
    s.ops++;
    this.firstTime ??= op.time;
    this.lastTime = op.time;
    if (op.process === 'nemesis') {
      s.nemesisOps++;
      return;
    }
    this.processes.add(op.process);
    if (op.key !== undefined) this.keys.add(op.key);
    if (op.type === 'invoke') {
      s.invocations++;
      s.byF[op.f] = (s.byF[op.f] ?? 0) + 1;
      this.open.add(op.process);
    } else {
      s[op.type]++;
      this.open.delete(op.process);
    }
  }

  result(): HistoryStats {
    return {
      ...this.s,
      byF: { ...this.s.byF },
      unfinished: this.open.size,
      processes: this.processes.size,
      durationNs: this.firstTime === undefined ? 0 : this.lastTime - this.firstTime,
      keys: this.keys.size,
    };
  }
}

export function historyStats(ops: Iterable<Op>): HistoryStats {
  const acc = new StatsAccumulator();
  for (const op of ops) acc.add(op);
  return acc.result();
}
