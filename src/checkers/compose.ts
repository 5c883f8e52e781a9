/**
 * Runs named checkers over one history (plus node logs and replica observations) and composes
 * their verdicts Jepsen's way: any false -> false, else any 'unknown' -> 'unknown', else true.
 *
 * Checkers live in a registry so a database plugin or a test can add its own
 * (`registerChecker`). Built in: linearizability (loaded lazily: it is the heavy one),
 * election, stuck, convergence, perf, list-append and rw-register (transactional isolation,
 * src/checkers/txn), slo.
 */
import type { History } from '../history/op.js';
import { composeValidity, type CheckResult, type Validity } from './result.js';
import type { ReplicaObservation } from './convergence/check.js';

export interface CheckContext {
  /** Node name -> log file (election safety reads raft lines from these). */
  logs?: Record<string, string>;
  /** Replica observations taken after the final heal (convergence). */
  observations?: ReplicaObservation[];
  /** How an ok read of nil is meant (linearizability); from the history loader. */
  readNil?: 'absent' | 'unknown';
  /** Per-checker options by checker name, e.g. `{linearizability: {model: 'cas-register'}}`. */
  options?: Record<string, Record<string, unknown> | undefined>;
}

export interface Checker {
  name: string;
  check(history: History, ctx: CheckContext): Promise<CheckResult> | CheckResult;
}

export interface RunCheckersOptions extends CheckContext {
  /** Registered names, or checker objects (used as given, not registered). */
  checkers: Array<string | Checker>;
  /**
   * A checker that throws normally yields `{valid: 'unknown', error}` so the others still
   * report; set this to rethrow instead (e.g. the CLI, to exit 65 on bad input).
   */
  throwOnError?: boolean;
}

export interface ComposedResult {
  valid: Validity;
  checks: Record<string, CheckResult>;
  /** Wall time per checker, ms. */
  timings: Record<string, number>;
}

const registry = new Map<string, Checker>();

export function registerChecker(checker: Checker): void {
  registry.set(checker.name, checker);
}

export function getChecker(name: string): Checker | undefined {
  return registry.get(name);
}

export function checkerNames(): string[] {
  return [...registry.keys()];
}

export class UnknownCheckerError extends Error {
  override readonly name = 'UnknownCheckerError';
  constructor(readonly checker: string) {
    super(`unknown checker "${checker}" (known: ${checkerNames().join(', ')})`);
  }
  get userMessage(): string {
    return this.message;
  }
}

export async function runCheckers(
  history: History,
  opts: RunCheckersOptions,
): Promise<ComposedResult> {
  const checkers = opts.checkers.map((c) => {
    if (typeof c !== 'string') return c;
    const found = registry.get(c);
    if (!found) throw new UnknownCheckerError(c);
    return found;
  });
  const checks: Record<string, CheckResult> = {};
  const timings: Record<string, number> = {};
  // One after another: the machine is small and linearizability uses its own workers.
  for (const checker of checkers) {
    const t0 = performance.now();
    try {
      checks[checker.name] = await checker.check(history, opts);
    } catch (err) {
      if (opts.throwOnError) throw err;
      const e = err as { userMessage?: string; message?: string };
      checks[checker.name] = { valid: 'unknown', error: e.userMessage ?? e.message ?? String(err) };
    }
    timings[checker.name] = Math.round(performance.now() - t0);
  }
  return { valid: composeValidity(Object.values(checks).map((c) => c.valid)), checks, timings };
}

const optionsOf = (ctx: CheckContext, name: string) => ctx.options?.[name] ?? {};

registerChecker({
  name: 'linearizability',
  async check(history, ctx) {
    const opts = optionsOf(ctx, 'linearizability');
    if (opts.model === undefined)
      return {
        valid: 'unknown',
        reason: 'linearizability needs a model (options.linearizability.model)',
      };
    const { checkLinearizability } = await import('./linearizability/index.js');
    return checkLinearizability(history, {
      ...(ctx.readNil ? { readNil: ctx.readNil } : {}),
      ...(opts as unknown as Parameters<typeof checkLinearizability>[1]),
    });
  },
});

registerChecker({
  name: 'election',
  async check(history, ctx) {
    const { checkElectionSafety } = await import('./election/index.js');
    const opts = optionsOf(ctx, 'election');
    return checkElectionSafety(history, {
      ...opts,
      logs: ctx.logs ?? (opts.logs as Record<string, string> | undefined),
    });
  },
});

registerChecker({
  name: 'stuck',
  async check(history, ctx) {
    const { checkStuck } = await import('./stuck/index.js');
    return checkStuck(history, optionsOf(ctx, 'stuck'));
  },
});

registerChecker({
  name: 'convergence',
  async check(_history, ctx) {
    if (!ctx.observations)
      return { valid: 'unknown', reason: 'no replica observations after the final heal' };
    const { checkConvergence } = await import('./convergence/check.js');
    return checkConvergence(ctx.observations, optionsOf(ctx, 'convergence'));
  },
});

registerChecker({
  name: 'perf',
  async check(history) {
    const { checkPerf } = await import('./perf/index.js');
    return checkPerf(history);
  },
});

registerChecker({
  name: 'list-append',
  async check(history, ctx) {
    const { checkListAppend } = await import('./txn/index.js');
    return checkListAppend(history, optionsOf(ctx, 'list-append'));
  },
});

registerChecker({
  name: 'rw-register',
  async check(history, ctx) {
    const { checkRwRegister } = await import('./txn/index.js');
    return checkRwRegister(history, optionsOf(ctx, 'rw-register'));
  },
});

registerChecker({
  name: 'slo',
  async check(history, ctx) {
    const { checkSlos } = await import('./slo/index.js');
    return checkSlos(history, optionsOf(ctx, 'slo') as { slos?: string[] });
  },
});
