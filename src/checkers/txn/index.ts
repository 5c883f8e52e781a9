/**
 * The transactional isolation checker (Elle-style) for list-append and rw-register histories:
 * infer the dependency graph (list-append.ts, rw-register.ts) plus process and real-time order (txns.ts), search it for
 * cycles per SCC (cycles.ts), explain them (explain.ts) and say which consistency models the
 * anomalies rule out (models.ts). Pure: a history in, a result out.
 *
 * Verdict for the asked model (default strict-serializable, as Jepsen's default): false when an
 * anomaly it proscribes was found; "unknown" when the cycle search hit its time bound (what it
 * proved is still reported) or a key could not be analysed; else true.
 */
import type { History } from '../../history/op.js';
import type { Validity } from '../result.js';
import { DepGraph } from './graph.js';
import { searchCycles, type Unfinished } from './cycles.js';
import { explainCycle, type ExplainedCycle, type TxnDataModel } from './explain.js';
import { inferListAppend, type DataAnomaly, type InputLocation } from './list-append.js';
import { inferRwRegister } from './rw-register.js';
import { MODELS, boundary, canonicalModel, violates } from './models.js';
import { addProcessOrder, addRealtimeOrder, collectTxns } from './txns.js';

export { MODELS, canonicalModel } from './models.js';
export type { ExplainedCycle } from './explain.js';
export type { DataAnomaly } from './list-append.js';

export const DEFAULT_CONSISTENCY_MODEL = 'strict-serializable';

export interface TxnCheckOptions {
  /** Elle's model names (read-committed, snapshot-isolation, serializable, ...). */
  consistencyModel?: string;
  /** Bound on the cycle search, ms (default 30 s). */
  timeLimitMs?: number;
  /** Where the history came from, for bad-input messages. */
  file?: string;
  lines?: readonly number[];
  /** Anomalies kept per type in the result (counts cover all); default 8. */
  maxPerType?: number;
}

export type TxnAnomaly = ExplainedCycle | DataAnomaly;

export interface TxnCheckResult {
  valid: Validity;
  checker: TxnDataModel;
  consistencyModel: string;
  /** Every anomaly type found, sorted. */
  anomalyTypes: string[];
  /** The weakest models the history rules out; `alsoNot`: the stronger ones. */
  not: string[];
  alsoNot: string[];
  anomalies: Record<string, TxnAnomaly[]>;
  anomalyCounts: Record<string, number>;
  /** Why the verdict is unknown, when it is. */
  reason?: string;
  unfinished?: Unfinished[];
  stats: {
    txns: number;
    ok: number;
    info: number;
    fail: number;
    keys: number;
    edges: number;
    sccs: Record<string, { count: number; largest: number }>;
  };
  timeMs: number;
  /** A few lines for summaries (summary.txt, `check --checkers`). */
  summary: string[];
  [detail: string]: unknown;
}

export class UnknownConsistencyModelError extends Error {
  override readonly name = 'UnknownConsistencyModelError';
  constructor(readonly model: string) {
    super(`unknown consistency model '${model}' (${MODELS.join(', ')})`);
  }
}

export type { TxnDataModel } from './explain.js';
export const TXN_DATA_MODELS: readonly TxnDataModel[] = ['list-append', 'rw-register'];

const INFER = { 'list-append': inferListAppend, 'rw-register': inferRwRegister };

export function checkListAppend(history: History, opts: TxnCheckOptions = {}): TxnCheckResult {
  return checkTxns(history, 'list-append', opts);
}

export function checkRwRegister(history: History, opts: TxnCheckOptions = {}): TxnCheckResult {
  return checkTxns(history, 'rw-register', opts);
}

/** The checker for either data model: inference differs, everything after it is shared. */
export function checkTxns(
  history: History,
  dataModel: TxnDataModel,
  opts: TxnCheckOptions = {},
): TxnCheckResult {
  const t0 = performance.now();
  const asked = opts.consistencyModel ?? DEFAULT_CONSISTENCY_MODEL;
  const model = canonicalModel(asked);
  if (model === undefined) throw new UnknownConsistencyModelError(asked);
  const where: InputLocation = { file: opts.file ?? '<history>' };
  if (opts.lines) where.lines = opts.lines;

  const txns = collectTxns(history);
  const g = new DepGraph(txns.nodes.length);
  const inferred = INFER[dataModel](txns, g, where);
  addProcessOrder(g, txns);
  addRealtimeOrder(g, txns, history);
  const search = searchCycles(g, { deadline: t0 + (opts.timeLimitMs ?? 30_000) });

  const max = opts.maxPerType ?? 8;
  const anomalies: Record<string, TxnAnomaly[]> = {};
  const counts: Record<string, number> = {};
  const note = (type: string, a: TxnAnomaly | undefined) => {
    counts[type] = (counts[type] ?? 0) + 1;
    const list = (anomalies[type] ??= []);
    if (a && list.length < max) list.push(a);
  };
  for (const a of inferred.anomalies) note(a.type, a);
  for (const c of search.cycles) {
    const kept = (anomalies[c.type]?.length ?? 0) < max;
    note(c.type, kept ? explainCycle(c, txns.nodes, dataModel) : undefined);
  }
  for (const e of search.cycleExists) note(e, undefined);
  if (search.unfinished.length > 0) {
    counts['cycle-search-timeout'] = search.unfinished.length;
    anomalies['cycle-search-timeout'] = search.unfinished.slice(0, max).map((u) => ({
      type: 'cycle-search-timeout',
      ops: [],
      explanation: `the search of a ${u.sccSize}-transaction component (${u.level} edges) for ${u.searching} ran out of time; the component still proves a cycle exists`,
    }));
  }
  const anomalyTypes = Object.keys(counts).sort();
  const { not, alsoNot } = boundary(anomalyTypes);
  let valid: Validity = violates(model, anomalyTypes) ? false : true;
  let reason: string | undefined;
  if (valid === true && search.unfinished.length > 0) {
    valid = 'unknown';
    reason = `cycle search hit its time limit in ${search.unfinished.length} component(s)`;
  } else if (valid === true && counts['duplicate-appends']) {
    valid = 'unknown';
    reason = 'some keys had duplicate appended elements and were not analysed';
  }
  const result: TxnCheckResult = {
    valid,
    checker: dataModel,
    consistencyModel: model,
    anomalyTypes,
    not,
    alsoNot,
    anomalies,
    anomalyCounts: counts,
    stats: {
      txns: txns.all.length,
      ok: txns.all.filter((t) => t.type === 'ok').length,
      info: txns.all.filter((t) => t.type === 'info').length,
      fail: txns.all.filter((t) => t.type === 'fail').length,
      keys: inferred.keys,
      edges: g.edges,
      sccs: search.sccs,
    },
    timeMs: Math.round(performance.now() - t0),
    summary: [],
  };
  result.summary = summaryLines(result);
  if (reason) result.reason = reason;
  if (search.unfinished.length) result.unfinished = search.unfinished;
  return result;
}

const SEVERITY = [
  'G0',
  'G1a',
  'G1b',
  'G1c',
  'dirty-update',
  'incompatible-order',
  'duplicate-elements',
  'internal',
  'lost-append',
  'G-single',
  'G-nonadjacent',
  'G2-item',
];

/** Worst first: data anomalies before the process / real-time variants of each. */
function bySeverity(types: readonly string[]): string[] {
  const rank = (t: string) => {
    const base = t.replace(/-(process|realtime)$/, '');
    const i = SEVERITY.indexOf(base);
    return (
      (i < 0 ? SEVERITY.length : i) +
      (t.endsWith('-process') ? 100 : t.endsWith('-realtime') ? 200 : 0)
    );
  };
  return [...types].sort((a, b) => rank(a) - rank(b));
}

function summaryLines(r: TxnCheckResult): string[] {
  const s = r.stats;
  const lines = [
    `${s.txns} txns (${s.ok} ok, ${s.info} info, ${s.fail} failed) over ${s.keys} keys, checked as ${r.consistencyModel} in ${r.timeMs} ms`,
    r.anomalyTypes.length
      ? `anomalies: ${r.anomalyTypes.map((t) => `${t} x${r.anomalyCounts[t]}`).join(', ')}`
      : 'no anomalies',
  ];
  if (r.not.length) lines.push(`rules out: ${r.not.join(', ')}`);
  if (r.reason) lines.push(r.reason);
  const worst = bySeverity(r.anomalyTypes)
    .map((t) => r.anomalies[t]?.[0])
    .find((a) => a !== undefined);
  if (worst) lines.push(`e.g. ${worst.type}: ${worst.explanation}`);
  return lines;
}

/** The result as terminal text: verdict, boundary, then every kept anomaly's explanation. */
export function formatTxnResultText(file: string, r: TxnCheckResult): string {
  const verdict = r.valid === true ? 'VALID' : r.valid === false ? 'INVALID' : 'UNKNOWN';
  const lines = [
    `${file}: ${verdict} for ${r.consistencyModel} (${r.checker}, ${r.stats.txns} txns: ${r.stats.ok} ok, ${r.stats.info} info, ${r.stats.fail} failed; ${r.stats.keys} keys; ${r.timeMs} ms)`,
  ];
  if (r.reason) lines.push(`  ${r.reason}`);
  if (r.anomalyTypes.length === 0) lines.push('  no anomalies');
  else {
    lines.push(
      `  anomalies: ${r.anomalyTypes.map((t) => `${t} x${r.anomalyCounts[t]}`).join(', ')}`,
    );
    lines.push(
      `  not: ${r.not.join(', ') || '-'}${r.alsoNot.length ? ` (also not: ${r.alsoNot.join(', ')})` : ''}`,
    );
  }
  for (const type of bySeverity(r.anomalyTypes)) {
    for (const a of (r.anomalies[type] ?? []).slice(0, 3)) {
      lines.push('', `${type}:`);
      if ('steps' in a && Array.isArray(a.steps))
        for (const [i, s] of (a as ExplainedCycle).steps.entries())
          lines.push(`  ${i + 1}. ${s.text}`);
      lines.push(
        `  ${
          'steps' in a
            ? `=> ${(a as ExplainedCycle).ops
                .concat((a as ExplainedCycle).ops[0]!)
                .map((i) => `T${i}`)
                .join(' < ')}: impossible`
            : a.explanation
        }`,
      );
    }
  }
  lines.push('', '(Tn = the transaction whose completion is op n of the history)');
  return lines.join('\n') + '\n';
}
