/**
 * Which checkers a run uses and with what options, kept as plain JSON in results.json
 * (`run.checks`) so `faultline replay` re-checks a stored run exactly as it was checked.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCheckers, type ComposedResult } from '../checkers/compose.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { History } from '../history/op.js';
import { runFile } from '../run-layout.js';

export interface CheckPlan {
  checkers: string[];
  readNil: 'absent' | 'unknown';
  options: Record<string, Record<string, unknown>>;
}

/** The plan for a register/kv workload on etcd: linearizability per key plus the safety checks. */
export function registerCheckPlan(opts: { timeLimitMs?: number; voters?: number } = {}): CheckPlan {
  return {
    checkers: ['linearizability', 'stuck', 'convergence', 'election', 'perf'],
    readNil: 'absent',
    options: {
      linearizability: {
        model: 'cas-register',
        initial: null,
        split: true,
        // Decide every key: a run's report should show all violations, not the first.
        full: true,
        ...(opts.timeLimitMs ? { timeLimitMs: opts.timeLimitMs } : {}),
      },
      // Faults legitimately stop progress while they last; what must not happen is staying
      // stuck after the last heal.
      stuck: { allowStuckUnderFaults: true },
      election: { parser: 'etcd', ...(opts.voters ? { voterCount: opts.voters } : {}) },
    },
  };
}

/** Node logs of a run directory: `logs/<node>.log` (link-proxy logs are not node logs). */
export function nodeLogs(runDir: string, nodes?: readonly string[]): Record<string, string> {
  const dir = join(runDir, runFile.logs);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return {};
  }
  const logs: Record<string, string> = {};
  for (const f of files) {
    if (!f.endsWith('.log')) continue;
    const node = basename(f, '.log');
    if (nodes ? nodes.includes(node) : !node.includes('link')) logs[node] = join(dir, f);
  }
  return logs;
}

/**
 * Runs a plan's checkers. Node logs go to the election checker only when the plan names a log
 * parser (a vote workload's elections are in its history, not in the database's logs).
 */
export function checkHistory(
  history: History,
  plan: CheckPlan,
  ctx: { logs?: Record<string, string>; observations?: ReplicaObservation[] },
): Promise<ComposedResult> {
  const readsLogs = plan.options.election?.parser !== undefined;
  return runCheckers(history, {
    checkers: plan.checkers,
    readNil: plan.readNil,
    options: plan.options,
    ...(ctx.logs && readsLogs ? { logs: ctx.logs } : {}),
    ...(ctx.observations ? { observations: ctx.observations } : {}),
  });
}
