/**
 * Hand-made histories for checker unit tests: ops are given with times in seconds, then
 * sorted by time and indexed like a recorder would.
 */
import type { History, JsonValue, Key, Op, OpType } from '../../../src/history/op.js';

type Draft = Omit<Op, 'index'>;

export class HistoryBuilder {
  private readonly drafts: Draft[] = [];
  private nextProcess = 0;

  /** A client op invoked at `at` s, completed `type` after `latency` s (or never). */
  op(o: {
    at: number;
    latency?: number;
    type?: Exclude<OpType, 'invoke'> | 'pending';
    f?: string;
    key?: Key;
    value?: JsonValue;
    process?: number;
  }): this {
    const process = o.process ?? this.nextProcess++;
    const f = o.f ?? 'write';
    const base = { process, f, ...(o.key !== undefined ? { key: o.key } : {}) };
    this.drafts.push({ ...base, time: s(o.at), type: 'invoke', value: o.value ?? null });
    if (o.type !== 'pending')
      this.drafts.push({
        ...base,
        time: s(o.at + (o.latency ?? 0.01)),
        type: o.type ?? 'ok',
        value: o.value ?? null,
      });
    return this;
  }

  /** ok ops every `every` s in [from, to). */
  steady(
    from: number,
    to: number,
    every: number,
    extra: Partial<Parameters<HistoryBuilder['op']>[0]> = {},
  ): this {
    for (let t = from; t < to - 1e-9; t += every) this.op({ at: t, ...extra });
    return this;
  }

  fault(id: string, kind: string, targets: JsonValue, start: number, stop?: number): this {
    const v = { id, kind, targets, params: {} };
    this.drafts.push({
      process: 'nemesis',
      f: `start-${kind}`,
      time: s(start),
      type: 'invoke',
      value: v,
    });
    this.drafts.push({
      process: 'nemesis',
      f: `start-${kind}`,
      time: s(start + 0.05),
      type: 'info',
      value: { ...v, verified: {} },
    });
    if (stop !== undefined) {
      this.drafts.push({
        process: 'nemesis',
        f: `stop-${kind}`,
        time: s(stop),
        type: 'invoke',
        value: { id },
      });
      this.drafts.push({
        process: 'nemesis',
        f: `stop-${kind}`,
        time: s(stop + 0.05),
        type: 'info',
        value: { id },
      });
    }
    return this;
  }

  build(): History {
    return this.drafts
      .map((d, i) => [d, i] as const)
      .sort((a, b) => a[0].time - b[0].time || a[1] - b[1])
      .map(([d], index) => ({ index, ...d }));
  }
}

const s = (seconds: number): number => Math.round(seconds * 1e9);
