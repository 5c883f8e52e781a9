/**
 * Shrinking a failing trial on the real cluster, with fast-check's own shrinker.
 *
 * The failing trial's schedule is value `path` (a plain trial: "0") of `scheduleArbitrary(params)`
 * under `seed`, so `fc.check` with `{seed, path}` starts from exactly that schedule and shrinks
 * it: fewer processes, fewer ops, fewer faults, shorter delays (see generators/arbitraries.ts).
 * Each candidate runs on a fresh cluster. Real systems are flaky, so a candidate counts as
 * failing only if it fails in `required` of `attempts` runs (stopping as soon as the answer is
 * known). The whole search has a wall-clock budget (fast-check's interruptAfterTimeLimit; the run
 * in flight at the deadline is aborted). The result is the smallest failing schedule with its
 * replay path, so `generateSchedule(params, seed, path)` regenerates it.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import type { Validity } from '../checkers/result.js';
import { generateSchedule } from '../generators/generate.js';
import { scheduleArbitrary } from '../generators/arbitraries.js';
import type { ScheduleParams } from '../generators/params.js';
import { opCount, type Schedule } from '../generators/schedule.js';
import type { JsonValue } from '../history/op.js';

/** One run of a candidate on a fresh cluster. */
export interface AttemptOutcome {
  valid: Validity;
  runDir: string;
}

export type RunAttempt = (
  schedule: Schedule,
  label: string,
  signal: AbortSignal,
) => Promise<AttemptOutcome>;

export interface ShrinkOptions {
  params: ScheduleParams;
  seed: number;
  /** fast-check path of the failing schedule; a plain (unshrunk) trial is "0". */
  path?: string;
  /** Runs one attempt; `label` is unique per attempt (use it to name the run dir). */
  runAttempt: RunAttempt;
  /** Whether an attempt reproduces the failure (e.g. invalid with the same anomaly). */
  isFailure: (o: AttemptOutcome) => Promise<boolean> | boolean;
  /** The original schedule already failed once (the trial): count it without re-running. */
  originalFailed?: boolean;
  attempts: number;
  required: number;
  /** Attempts of one candidate run at once, each on its own cluster (default 1). */
  parallel?: number;
  timeBudgetMs: number;
  /** Runs of the final case to measure how often it reproduces. */
  confirmRuns: number;
  signal?: AbortSignal;
  /**
   * After each candidate: how many were tried, the candidate's size (ops + faults) and verdict
   * (failures of attempts), and the size of the smallest failing one so far.
   */
  onStep?: (step: {
    step: number;
    size: number;
    candidateSize: number;
    failing: boolean;
    failures: number;
    attempts: number;
  }) => void;
}

export interface ScheduleSize {
  ops: number;
  faults: number;
  processes: number;
}

export interface ShrinkResult {
  seed: number;
  path: string;
  schedule: Schedule;
  before: ScheduleSize;
  after: ScheduleSize;
  /** Candidates evaluated and cluster runs made. */
  steps: number;
  runs: number;
  /** Failures/attempts of the final case while shrinking (the original trial: 1/1). */
  shrinkReproduced: { failures: number; attempts: number };
  /** Failures/runs of the confirmation runs. */
  confirmed: { failures: number; runs: number };
  /** Shrink steps given back (path segments dropped) because the final case did not fail again. */
  walkedBack: number;
  /** A run dir where the minimized case failed (kept; others are deleted). */
  failingRunDir?: string;
  interrupted: boolean;
  elapsedMs: number;
}

export function scheduleSize(s: Schedule): ScheduleSize {
  return {
    ops: opCount(s),
    faults: s.faults.length,
    processes: s.processes.filter((p) => p.length > 0).length,
  };
}

/** Confirmations (of confirmRuns runs each) spent looking back along the shrink path. */
const MAX_WALK_BACK_PROBES = 5;

/** The size fast-check is driving down, as one number for progress reports. */
export const sizeOf = (s: Schedule) => opCount(s) + s.faults.length;

/** A schedule's identity for memoization (fast-check may propose the same value twice). */
const keyOf = (s: Schedule) => JSON.stringify({ ...s, origin: undefined });

interface Verdict {
  failures: number;
  attempts: number;
  failing: boolean;
  failingDirs: string[];
}

export async function shrinkFailure(o: ShrinkOptions): Promise<ShrinkResult> {
  const t0 = Date.now();
  const deadline = t0 + o.timeBudgetMs;
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // The run in flight when the budget ends is aborted (it heals and tears down on its way out).
  const budgetTimer = setTimeout(() => stop.abort(), o.timeBudgetMs);
  const arb = scheduleArbitrary(o.params);
  const startPath = o.path ?? '0';
  const original = generateSchedule(o.params, o.seed, o.path === '0' ? undefined : o.path).schedule;
  const memo = new Map<string, Verdict>();
  let step = 0;
  let runs = 0;
  let best = original;
  let first = true;

  const parallel = Math.max(1, o.parallel ?? 1);
  const evaluate = async (s: Schedule): Promise<Verdict> => {
    const v: Verdict = { failures: 0, attempts: 0, failing: false, failingDirs: [] };
    let a = 0;
    for (;;) {
      // Stop once the answer is known: enough failures, or too few attempts left to reach them.
      const left = o.attempts - a;
      const needed = o.required - v.failures;
      if (needed <= 0 || left < needed) break;
      if (stop.signal.aborted || Date.now() >= deadline) break;
      // Up to `parallel` at once, each on its own fresh cluster (a run is wasted only when an
      // earlier one of the batch already decided the verdict).
      const batch = Math.min(parallel, left);
      const labels = Array.from(
        { length: batch },
        (_, i) => `c${String(step).padStart(4, '0')}-a${a + i + 1}`,
      );
      a += batch;
      runs += batch;
      const outs = await Promise.all(labels.map((l) => o.runAttempt(s, l, stop.signal)));
      if (stop.signal.aborted) {
        for (const out of outs) rmSync(out.runDir, { recursive: true, force: true });
        break; // an aborted run proves nothing
      }
      for (const out of outs) {
        v.attempts++;
        if (await o.isFailure(out)) {
          v.failures++;
          v.failingDirs.push(out.runDir);
        } else rmSync(out.runDir, { recursive: true, force: true });
      }
    }
    v.failing = v.failures >= o.required;
    if (!v.failing) for (const d of v.failingDirs) rmSync(d, { recursive: true, force: true });
    return v;
  };

  let details: fc.RunDetails<[Schedule]>;
  try {
    details = (await fc.check(
      fc.asyncProperty(arb, async (s) => {
        if (first && o.originalFailed !== false) {
          first = false;
          memo.set(keyOf(s), { failures: 1, attempts: 1, failing: true, failingDirs: [] });
          return false; // the trial itself was the first observation
        }
        first = false;
        if (stop.signal.aborted || Date.now() >= deadline) return true;
        const k = keyOf(s);
        let v = memo.get(k);
        if (!v) {
          step++;
          v = await evaluate(s);
          // A candidate cut short by the budget is not a verdict: do not remember it.
          if (!stop.signal.aborted) memo.set(k, v);
          if (v.failing && sizeOf(s) <= sizeOf(best)) best = s;
          o.onStep?.({
            step,
            size: sizeOf(best),
            candidateSize: sizeOf(s),
            failing: v.failing,
            failures: v.failures,
            attempts: v.attempts,
          });
        }
        return !v.failing;
      }),
      {
        seed: o.seed,
        path: startPath,
        numRuns: 1,
        plugins: [fc.interruptAfterTimeLimit(o.timeBudgetMs)],
      },
    )) as fc.RunDetails<[Schedule]>;
  } finally {
    clearTimeout(budgetTimer);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }

  const final = details.failed && details.counterexample ? details.counterexample[0] : original;
  const finalPath =
    details.failed && details.counterexamplePath ? details.counterexamplePath : startPath;
  const verdict = memo.get(keyOf(final)) ?? {
    failures: 1,
    attempts: 1,
    failing: true,
    failingDirs: [],
  };
  // Drop failing dirs of every candidate but the final one.
  for (const [k, v] of memo)
    if (k !== keyOf(final))
      for (const d of v.failingDirs) rmSync(d, { recursive: true, force: true });
  for (const d of verdict.failingDirs.slice(1)) rmSync(d, { recursive: true, force: true });

  const withOrigin = (s: Schedule, p: string): Schedule => ({
    ...s,
    origin: {
      seed: o.seed,
      ...(p === '0' ? {} : { path: p }),
      params: o.params as unknown as JsonValue,
    },
  });
  /** Re-runs a case `confirmRuns` times; keeps the run dir of its first failure. */
  const confirm = async (s: Schedule, tag: string) => {
    const c = { failures: 0, runs: 0, dir: undefined as string | undefined };
    for (let i = 0; i < o.confirmRuns && !o.signal?.aborted; i++) {
      runs++;
      const out = await o.runAttempt(
        s,
        `confirm${tag}-${i + 1}`,
        o.signal ?? new AbortController().signal,
      );
      if (o.signal?.aborted) {
        rmSync(out.runDir, { recursive: true, force: true });
        break;
      }
      c.runs++;
      const failed = await o.isFailure(out);
      if (failed) c.failures++;
      if (failed && c.dir === undefined) c.dir = out.runDir;
      else rmSync(out.runDir, { recursive: true, force: true });
    }
    return c;
  };

  // How often does the minimized case fail? (Not under the shrink budget: a few more runs.) A
  // flaky system can let a lucky failure through shrinking; if the final case never fails again,
  // look back along fast-check's shrink path (each path prefix is an earlier, larger failing
  // case) for the smallest one that does. If none does, the final case stands.
  let path = finalPath;
  let chosen = final;
  let failingRunDir = verdict.failingDirs[0];
  const firstConfirm = await confirm(withOrigin(final, finalPath), '');
  let confirmed = { failures: firstConfirm.failures, runs: firstConfirm.runs };
  if (firstConfirm.dir) {
    if (failingRunDir) rmSync(firstConfirm.dir, { recursive: true, force: true });
    else failingRunDir = firstConfirm.dir;
  }
  let walkedBack = 0;
  if (firstConfirm.runs > 0 && firstConfirm.failures === 0) {
    // Binary search along the path for the longest prefix (smallest case) that fails again,
    // assuming bigger cases reproduce more readily. Prefix length 1 is the original trial.
    const segments = finalPath.split(':');
    let lo = 1;
    let hi = segments.length - 1;
    for (
      let probes = 0;
      lo <= hi && probes < MAX_WALK_BACK_PROBES && !o.signal?.aborted;
      probes++
    ) {
      const n = Math.ceil((lo + hi) / 2);
      const p = segments.slice(0, n).join(':');
      const candidate = generateSchedule(o.params, o.seed, p === '0' ? undefined : p).schedule;
      const c = await confirm(withOrigin(candidate, p), `-back${probes + 1}`);
      if (c.failures > 0 && c.dir) {
        if (failingRunDir) rmSync(failingRunDir, { recursive: true, force: true });
        failingRunDir = c.dir;
        chosen = candidate;
        path = p;
        confirmed = { failures: c.failures, runs: c.runs };
        walkedBack = segments.length - n;
        lo = n + 1;
      } else hi = n - 1;
    }
  }
  const schedule = withOrigin(chosen, path);
  return {
    seed: o.seed,
    path,
    schedule,
    before: scheduleSize(original),
    after: scheduleSize(chosen),
    steps: step,
    runs,
    shrinkReproduced:
      walkedBack === 0
        ? { failures: verdict.failures, attempts: verdict.attempts }
        : { failures: confirmed.failures, attempts: confirmed.runs },
    confirmed,
    walkedBack,
    ...(failingRunDir ? { failingRunDir } : {}),
    interrupted: Boolean(details.interrupted) || stop.signal.aborted,
    elapsedMs: Date.now() - t0,
  };
}
