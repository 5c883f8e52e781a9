/**
 * Fault periods from the nemesis ops of a history (shared contracts):
 *   invoke start-<kind> {id, kind, targets, params} -> info start-<kind> {..., verified}
 *   invoke stop-<kind> {id}                         -> info stop-<kind>
 * Also Jepsen-style ops without ids (`start-partition` ... `stop-partition`, or bare
 * `start`/`stop`): a stop without an id heals every open fault of its kind, as Jepsen's
 * nemeses do. Used by the stuck and performance checkers.
 */
import { faultScope } from '../../nemesis/sides.js';
import type { History, JsonValue, Op } from '../../history/op.js';

export interface FaultPeriod {
  /** The fault's id (`f3`), or `<kind>#<n>` when the history has no ids. */
  id: string;
  kind: string;
  /** Targets as recorded (resolved node names when the completion says, else the spec). */
  targets?: JsonValue;
  /** Resolved details from the start's completion (a partition's grudge), when recorded. */
  details?: JsonValue;
  /** Every node the history's clients talked to (a partition's sides show the uncut ones too). */
  members?: string[];
  /** Invoke time of the start op, ns: the fault may act from here on. */
  start: number;
  /** Completion time of the start op, ns, when recorded. */
  applied?: number;
  /** Invoke time of the stop op, ns; undefined when never healed. */
  stop?: number;
  /** Completion time of the stop op, ns: the fault is healed from here on. */
  healed?: number;
  startIndex: number;
  stopIndex?: number;
}

type Obj = { [k: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseF(f: string): { phase: 'start' | 'stop'; kind: string } | undefined {
  const m = /^(start|stop)(?:-(.+))?$/.exec(f);
  return m ? { phase: m[1] as 'start' | 'stop', kind: m[2] ?? 'fault' } : undefined;
}

export function faultPeriods(history: History): FaultPeriod[] {
  const periods: FaultPeriod[] = [];
  const open = new Map<string, FaultPeriod>(); // by id
  let lastInvoke: { op: Op; periods: FaultPeriod[] } | undefined;
  let counter = 0;
  const nodes = new Set<string>();
  for (const op of history) {
    if (op.node !== undefined) nodes.add(op.node);
    if (op.process !== 'nemesis') continue;
    const parsed = parseF(op.f);
    if (!parsed) continue;
    const v = isObj(op.value) ? op.value : undefined;
    const kind = typeof v?.kind === 'string' ? v.kind : parsed.kind;
    const id = typeof v?.id === 'string' || typeof v?.id === 'number' ? String(v.id) : undefined;
    if (op.type === 'invoke') {
      if (parsed.phase === 'start') {
        const p: FaultPeriod = {
          id: id ?? `${kind}#${++counter}`,
          kind,
          targets: v?.targets,
          start: op.time,
          startIndex: op.index,
        };
        periods.push(p);
        open.set(p.id, p);
        lastInvoke = { op, periods: [p] };
      } else {
        const closing =
          id !== undefined
            ? [open.get(id)].filter((p) => p !== undefined)
            : [...open.values()].filter((p) => p.kind === kind);
        for (const p of closing) {
          p.stop = op.time;
          p.stopIndex = op.index;
          open.delete(p.id);
        }
        lastInvoke = { op, periods: closing };
      }
      continue;
    }
    // A completion belongs to the nemesis's latest invoke (the nemesis runs one op at a time).
    if (!lastInvoke || lastInvoke.op.f !== op.f) continue;
    for (const p of lastInvoke.periods) {
      if (parsed.phase === 'start') {
        p.applied = op.time;
        if (isResolvedTargets(v?.targets)) p.targets = v.targets;
        if (v?.details !== undefined) p.details = v.details;
      } else p.healed = op.time;
    }
    lastInvoke = undefined;
  }
  for (const p of periods) if (p.details !== undefined) p.members = [...nodes];
  return periods;
}

const isResolvedTargets = (t: JsonValue | undefined): t is string[] =>
  Array.isArray(t) && t.every((x) => typeof x === 'string');

/** When the fault stops acting: healed, else the stop invoke, else never. */
export const periodEnd = (p: FaultPeriod): number => p.healed ?? p.stop ?? Infinity;

/** Faults whose period overlaps [from, to]. */
export function faultsDuring(periods: FaultPeriod[], from: number, to: number): FaultPeriod[] {
  return periods.filter((p) => p.start <= to && periodEnd(p) >= from);
}

export const seconds = (ns: number): string => `${(ns / 1e9).toFixed(1)} s`;

/** `kill n1,n2,n3 since 12.3 s` (until ... when healed). */
export function describeFault(p: FaultPeriod): string {
  const scope = faultScope(p.targets, p.details, p.members);
  const targets = scope ? ` ${scope}` : '';
  const end = periodEnd(p);
  return `${p.kind}${targets} since ${seconds(p.start)}${end === Infinity ? '' : ` until ${seconds(end)}`}`;
}
