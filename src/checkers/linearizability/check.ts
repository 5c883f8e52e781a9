/**
 * checkLinearizability: the public entry point. Prepares the history (pairing, dropping,
 * P-compositional split), searches each partition (in this thread, or on worker threads when
 * there is enough work), and composes per-partition verdicts into one CheckResult.
 */
import type { History, JsonValue, Key } from '../../history/op.js';
import { type CheckResult, type Validity, composeValidity } from '../result.js';
import { type Violation, explainViolation } from './explain.js';
import type { Model } from './model.js';
import { type ModelName, type ModelOptions, createModel, isModelName } from './models/index.js';
import { type Partition, prepare } from './prepare.js';
import { type Prefix, type SearchOutcome, quickPass, searchPartition } from './search.js';
import { LinearizabilityInputError } from './errors.js';
import { runOnWorkers, shouldUseWorkers } from './parallel.js';

export interface LinearizabilityOptions {
  /** A built-in model name, or your own Model object (then `initial`/`readNil` are yours to handle). */
  model: ModelName | Model<unknown>;
  /** Initial state (JSON) for a built-in model. */
  initial?: JsonValue;
  /** How an ok read of null is meant (default 'absent'). */
  readNil?: 'absent' | 'unknown';
  /** Check independent partitions (keys) separately. Default true. */
  split?: boolean;
  /** Overall time budget; partitions still running when it ends are 'unknown'. */
  timeLimitMs?: number;
  /** Budget per search (memo + states). Default 1 GiB. */
  memoryLimitBytes?: number;
  /** Decide and explain every partition instead of stopping at the first violation. */
  full?: boolean;
  /** Worker threads: 0 = search in this thread; default: automatic (only built-in models). */
  workers?: number;
}

export interface PartitionResult {
  key: Key | null;
  valid: Validity;
  /** Ops searched, of which ok / indeterminate (crashed) ones. */
  ops: number;
  okOps: number;
  infoOps: number;
  /** Indeterminate writes removed because nothing observes their value. */
  prunedOps: number;
  peakConcurrency: number;
  configurations: number;
  states: number;
  memoryBytes: number;
  timeMs: number;
  /** Why this partition is 'unknown'. */
  reason?: string;
  /** Deepest prefix reached (ops) when undecided or invalid. */
  deepestPrefix?: number;
}

export interface UndecidedPartition {
  key: Key | null;
  reason: string;
  ops: number;
  infoOps: number;
  peakConcurrency: number;
  deepestPrefix: number;
}

export interface LinearizabilityResult extends CheckResult {
  valid: Validity;
  checker: 'linearizability';
  model: string;
  readNil: 'absent' | 'unknown';
  split: boolean;
  /** Client ops in the history; failed ones dropped; ones that constrain nothing dropped. */
  ops: number;
  failedOps: number;
  /** Failed ops kept as observations: they ran and found their precondition false. */
  refusedOps: number;
  ignoredOps: number;
  partitions: PartitionResult[];
  violations: Violation[];
  undecided: UndecidedPartition[];
  timeMs: number;
  workers: number;
}

export const DEFAULT_MEMORY_LIMIT = 1024 ** 3;

export function resolveModel(
  opts: Pick<LinearizabilityOptions, 'model' | 'initial' | 'readNil'>,
): Model<unknown> {
  if (typeof opts.model !== 'string') return opts.model;
  if (!isModelName(opts.model))
    throw new LinearizabilityInputError(`unknown model "${String(opts.model)}"`);
  const mo: ModelOptions = { readNil: opts.readNil ?? 'absent' };
  if (opts.initial !== undefined) mo.initial = opts.initial;
  return createModel(opts.model, mo);
}

export async function checkLinearizability(
  history: History,
  opts: LinearizabilityOptions,
): Promise<LinearizabilityResult> {
  const t0 = performance.now();
  const model = resolveModel(opts);
  const split = opts.split ?? true;
  const full = opts.full ?? false;
  const readNil = opts.readNil ?? 'absent';
  const prepared = prepare(history, model, split);
  const limits = {
    deadline: opts.timeLimitMs === undefined ? Infinity : t0 + opts.timeLimitMs,
    memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
  };
  // Bigger partitions first: they dominate the time and are likeliest to hold a violation.
  const parts = prepared.partitions;
  // The quick pass here first, on partitions small enough that shipping them to a worker costs
  // more than searching them: on an easy history it settles most of them. The rest (failed
  // here, or big) go to searchPartition, here or on workers; a repeated quick pass is cheap.
  const outcomes: (SearchOutcome | undefined)[] = new Array(parts.length);
  const hasQuickPass = model.viable !== undefined;
  const rest: number[] = [];
  parts.forEach((p, i) => {
    if (hasQuickPass && p.ops.length < QUICK_HERE_MAX_OPS) {
      const o = quickPass(p.ops, p.model, limits);
      if (o.valid === true) return void (outcomes[i] = o);
    }
    rest.push(i);
  });
  const restParts = rest.map((i) => parts[i]!);
  const workers =
    typeof opts.model === 'string' ? (opts.workers ?? (shouldUseWorkers(restParts) ? 2 : 0)) : 0;
  let restOutcomes: (SearchOutcome | undefined)[];
  let usedWorkers = workers > 0 && restParts.length > 1;
  if (usedWorkers) {
    restOutcomes = await runOnWorkers(restParts, {
      model: opts.model as ModelName,
      modelOptions: { readNil, ...(opts.initial === undefined ? {} : { initial: opts.initial }) },
      split,
      workers,
      full,
      timeLimitMs: opts.timeLimitMs,
      memoryLimitBytes: limits.memoryLimitBytes,
      quick: true,
    }).catch(() => {
      // Workers unavailable (e.g. no compiled worker and no tsx): search here instead.
      usedWorkers = false;
      return runInThread(restParts, { ...limits, quick: true }, full);
    });
  } else {
    restOutcomes = runInThread(restParts, { ...limits, quick: true }, full);
  }
  rest.forEach((i, j) => (outcomes[i] = restOutcomes[j]));

  const partitions: PartitionResult[] = [];
  const violations: Violation[] = [];
  const undecided: UndecidedPartition[] = [];
  parts.forEach((p, i) => {
    const o = outcomes[i];
    const r = partitionResult(p, o);
    partitions.push(r);
    if (o?.valid === false) violations.push(explainViolation(p, longestPrefixes(p, o, limits)));
    else if (r.valid === 'unknown') {
      undecided.push({
        key: p.key,
        reason: r.reason ?? 'unknown',
        ops: r.ops,
        infoOps: r.infoOps,
        peakConcurrency: r.peakConcurrency,
        deepestPrefix: r.deepestPrefix ?? 0,
      });
    }
  });
  return {
    valid: composeValidity(partitions.map((p) => p.valid)),
    checker: 'linearizability',
    model: model.name,
    readNil,
    split,
    ops: prepared.totalOps,
    failedOps: prepared.droppedFailed,
    refusedOps: prepared.refused,
    ignoredOps: prepared.droppedIrrelevant,
    partitions,
    violations,
    undecided,
    timeMs: performance.now() - t0,
    workers: usedWorkers ? workers : 0,
  };
}

/**
 * Searches every partition in this thread. Unless `full`, a first round gives each partition a
 * small step budget so a cheap violation is found before an expensive partition is searched;
 * the first violation ends the check.
 */
function runInThread(
  parts: readonly Partition[],
  limits: { deadline: number; memoryLimitBytes: number; quick: boolean },
  full: boolean,
): (SearchOutcome | undefined)[] {
  const out: (SearchOutcome | undefined)[] = new Array(parts.length);
  const order = parts.map((_, i) => i).sort((a, b) => parts[a]!.ops.length - parts[b]!.ops.length);
  if (!full && parts.length > 1) {
    for (const i of order) {
      const p = parts[i]!;
      const o = searchPartition(p.ops, p.model, { ...limits, maxSteps: FIRST_ROUND_STEPS });
      if (o.reason !== 'step-limit') out[i] = o;
      if (o.valid === false) return out;
    }
  }
  for (const i of order) {
    if (out[i] !== undefined) continue;
    const p = parts[i]!;
    out[i] = searchPartition(p.ops, p.model, limits);
    if (out[i]!.valid === false && !full) break;
  }
  return out;
}

/**
 * The prefixes to explain a violation with. The model's `viable` pruning abandons a
 * configuration as soon as some pending read is doomed, so the prefixes the search recorded can
 * stop short of the longest linearizable one (write 1, read -> 7: it stops before the write).
 * For violations only, search again without that pruning, within a small budget, and keep the
 * longer: every recorded prefix is a real linearization of a prefix of the history.
 */
function longestPrefixes(
  p: Partition,
  o: SearchOutcome,
  limits: { deadline: number; memoryLimitBytes: number },
): Prefix[] {
  if (p.model.viable === undefined) return o.longest;
  const unpruned: Model<unknown> = { ...p.model, viable: undefined };
  const again = searchPartition(p.ops, unpruned, {
    deadline: Math.min(limits.deadline, performance.now() + EXPLAIN_TIME_MS),
    memoryLimitBytes: limits.memoryLimitBytes,
    // Proportional to the search that found the violation, so explaining stays a fraction of
    // checking; a search cut short still recorded real (and usually deeper) prefixes.
    maxSteps: Math.max(EXPLAIN_MIN_STEPS, EXPLAIN_STEP_FACTOR * o.steps),
  });
  const okOps = (x: Prefix | undefined) =>
    x === undefined ? -1 : x.ops.filter((id) => p.ops[id]!.status === 'ok').length;
  return okOps(again.longest[0]) > okOps(o.longest[0]) ? again.longest : o.longest;
}

/** Budget of the unpruned search that finds the explanation's prefixes. */
const EXPLAIN_MIN_STEPS = 10_000;
const EXPLAIN_STEP_FACTOR = 2;
const EXPLAIN_TIME_MS = 2_000;

/**
 * Partitions up to this size get the quick pass in the calling thread before any worker starts
 * (measured: 1000-op kv partitions search faster here than they copy to a worker; 10,000-op ones
 * pay for the copy).
 */
const QUICK_HERE_MAX_OPS = 4096;

/** Step budget of the first round (non-full checks of several partitions). */
const FIRST_ROUND_STEPS = 20_000;

function partitionResult(p: Partition, o: SearchOutcome | undefined): PartitionResult {
  let info = 0;
  for (const x of p.ops) if (x.status === 'info') info++;
  const base = {
    key: p.key,
    ops: p.ops.length,
    okOps: p.ops.length - info,
    infoOps: info,
    prunedOps: p.pruned,
    peakConcurrency: p.peakConcurrency,
  };
  if (o === undefined) {
    return {
      ...base,
      valid: 'unknown',
      configurations: 0,
      states: 0,
      memoryBytes: 0,
      timeMs: 0,
      reason: 'not checked: another partition already failed (use full to check every one)',
    };
  }
  const r: PartitionResult = {
    ...base,
    valid: o.valid,
    configurations: o.configurations,
    states: o.states,
    memoryBytes: o.memoryBytes,
    timeMs: o.timeMs,
  };
  if (o.reason) r.reason = describeReason(o.reason);
  if (o.valid !== true) r.deepestPrefix = o.longest[0]?.ops.length ?? 0;
  return r;
}

function describeReason(r: NonNullable<SearchOutcome['reason']>): string {
  switch (r) {
    case 'time-limit':
      return 'time limit reached before the search finished';
    case 'memory-limit':
      return 'memory limit reached before the search finished';
    case 'cancelled':
      return 'not finished: another partition already failed (use full to check every one)';
    case 'step-limit':
      return 'step limit reached before the search finished';
  }
}
