/**
 * Failure signatures: what makes two failures "the same bug" for grouping over a night of
 * trials. A signature is the failing checkers, the kind of each anomaly, the model, and the fault
 * kinds present in the schedule, e.g.
 *   `linearizability:stale-read[cas-register] | faults: partition`
 * Deliberately coarse: keys, values, processes and timings differ from one repeat to the next.
 */
import type { History, JsonValue, Op } from '../history/op.js';
import type { Fault } from '../nemesis/fault.js';
import type { Schedule } from '../generators/schedule.js';

export interface FailureSignature {
  signature: string;
  checkers: string[];
  /** `<checker>:<anomaly>[<model>]`, sorted, unique. */
  anomalies: string[];
  faults: string[];
  /** Keys involved in linearizability violations (detail, not part of the signature). */
  keys: string[];
}

type CheckMap = Record<string, unknown>;
type Rec = Record<string, unknown>;

const asArray = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

/** Fault kinds in a schedule; compound faults count as `compound` plus their parts. */
export function faultKinds(schedule: Pick<Schedule, 'faults'> | undefined): string[] {
  const kinds = new Set<string>();
  const add = (f: Fault) => {
    kinds.add(f.kind);
    if (f.kind === 'compound')
      for (const p of asArray(f.params?.faults)) add(p as unknown as Fault);
  };
  for (const sf of schedule?.faults ?? []) add(sf.fault);
  return [...kinds].sort();
}

const same = (a: JsonValue | undefined, b: JsonValue | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Names a register anomaly from the op that could not be linearized. A read of a value that some
 * write had installed before the read began is a stale read; of a value nobody wrote, a phantom.
 */
export function classifyLinearizabilityOp(op: Rec, history?: History): string {
  const f = String(op.f ?? 'op');
  if (f !== 'read' && f !== 'get') return `${f}-anomaly`;
  const output = (op.output ?? null) as JsonValue;
  if (!history) return 'bad-read';
  const readIndex = typeof op.index === 'number' ? op.index : Infinity;
  const onKey = (w: Op) => op.key === undefined || same(w.key, op.key as JsonValue);
  if (output === null) {
    // nil is the initial value: stale if a write had already completed when the read began.
    const completed = history.some(
      (w) =>
        w.type === 'ok' && w.index < readIndex && (w.f === 'write' || w.f === 'cas') && onKey(w),
    );
    return completed ? 'stale-read' : 'nil-read';
  }
  const wrote = (w: Op) =>
    (w.f === 'write' && same(w.value, output)) ||
    (w.f === 'cas' && Array.isArray(w.value) && same(w.value[1], output));
  // A value some write had installed before the read began: an old value, i.e. a stale read.
  const before = history.some(
    (w) => w.type === 'invoke' && w.index < readIndex && onKey(w) && wrote(w),
  );
  return before ? 'stale-read' : 'phantom-read';
}

function anomaliesOf(
  name: string,
  r: Rec,
  history?: History,
): { anomalies: string[]; keys: string[] } {
  const keys: string[] = [];
  switch (name) {
    case 'linearizability': {
      const model = typeof r.model === 'string' ? r.model : '?';
      const out = asArray(r.violations).map((v) => {
        if (v.key !== undefined && v.key !== null) keys.push(String(v.key));
        return `${name}:${classifyLinearizabilityOp((v.op ?? {}) as Rec, history)}[${model}]`;
      });
      return { anomalies: out.length ? out : [`${name}:invalid[${model}]`], keys };
    }
    case 'election':
      return {
        anomalies: asArray(r.violations).map((v) => `${name}:${String(v.kind ?? 'violation')}`),
        keys,
      };
    case 'convergence':
      return {
        anomalies: asArray(r.differences).map(
          (d) => `${name}:${String(d.field ?? 'diverged')}-differs`,
        ),
        keys,
      };
    case 'stuck':
      return {
        anomalies: [`${name}:${r.stuckAtEnd ? 'stuck-at-end' : 'stalled-after-heal'}`],
        keys,
      };
    default: {
      const kinds = asArray(r.violations).map((v) => String(v.kind ?? v.type ?? 'violation'));
      return { anomalies: (kinds.length ? kinds : ['invalid']).map((k) => `${name}:${k}`), keys };
    }
  }
}

/** The signature of a failing run (results.json `checks`), or undefined when nothing failed. */
export function failureSignature(
  checks: CheckMap,
  schedule?: Pick<Schedule, 'faults'>,
  history?: History,
): FailureSignature | undefined {
  const failing = Object.entries(checks)
    .filter(([, r]) => (r as Rec | undefined)?.valid === false)
    .map(([n]) => n)
    .sort();
  if (failing.length === 0) return undefined;
  const anomalies = new Set<string>();
  const keys = new Set<string>();
  for (const name of failing) {
    const a = anomaliesOf(name, checks[name] as Rec, history);
    a.anomalies.forEach((x) => anomalies.add(x));
    a.keys.forEach((k) => keys.add(k));
  }
  const faults = faultKinds(schedule);
  const sortedAnomalies = [...anomalies].sort();
  return {
    signature: `${sortedAnomalies.join(' + ')} | faults: ${faults.length ? faults.join(',') : 'none'}`,
    checkers: failing,
    anomalies: sortedAnomalies,
    faults,
    keys: [...keys].sort(),
  };
}
