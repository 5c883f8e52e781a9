/**
 * Structural checks of a history, independent of any data model: what every checker assumes.
 * Each problem names the op index (and the file line when known).
 *
 * Rules: index equals position; time never goes backwards; every completion matches an open
 * invoke of its process with the same f; no process has two ops in flight; a client process
 * that completed with `info` is retired and never used again (the nemesis is exempt: its
 * faults always complete with `info`). A txn op's value is a list of well-formed micro-ops
 * (txn.ts).
 */
import { HistoryFormatError, formatProblem } from './errors.js';
import type { History, Process } from './op.js';
import { isTxnOp, txnShapeProblem } from './txn.js';

export interface HistoryProblem {
  opIndex: number;
  /** 1-based file line of the op, when known. */
  line?: number;
  message: string;
}

export interface ValidateOptions {
  /** Used in messages. */
  file?: string;
  /** File line of each op (LoadedHistory.lines). */
  lines?: number[];
  /** Stop after this many problems (default 100). */
  limit?: number;
}

export function validateHistory(ops: History, opts: ValidateOptions = {}): HistoryProblem[] {
  const limit = opts.limit ?? 100;
  const problems: HistoryProblem[] = [];
  const open = new Map<Process, number>(); // process -> index of its open invoke
  const retired = new Map<Process, number>(); // process -> index of the info that retired it
  let lastTime = -Infinity;
  const report = (i: number, message: string): void => {
    const p: HistoryProblem = { opIndex: i, message };
    const line = opts.lines?.[i];
    if (line !== undefined) p.line = line;
    problems.push(p);
  };

  for (let i = 0; i < ops.length && problems.length < limit; i++) {
    const op = ops[i]!;
    if (op.index !== i) report(i, `index is ${op.index} but the op is at position ${i}`);
    if (op.time < lastTime)
      report(i, `time ${op.time} is before the previous op's time ${lastTime}`);
    lastTime = Math.max(lastTime, op.time);
    if (isTxnOp(op)) {
      const bad = txnShapeProblem(op.value);
      if (bad) report(i, `field '${bad.field}': ${bad.reason}`);
    }
    const p = op.process;
    const gone = retired.get(p);
    if (gone !== undefined) {
      report(i, `process ${p} was retired by its info at op ${gone} and must not be used again`);
      continue;
    }
    const inFlight = open.get(p);
    if (op.type === 'invoke') {
      if (inFlight !== undefined)
        report(i, `process ${p} invokes while its op ${inFlight} is still in flight`);
      open.set(p, i);
      continue;
    }
    if (inFlight === undefined) {
      report(i, `${op.type} of process ${p} has no open invoke`);
      continue;
    }
    const invoke = ops[inFlight]!;
    if (invoke.f !== op.f)
      report(i, `${op.type} has f '${op.f}' but its invoke (op ${inFlight}) has f '${invoke.f}'`);
    if (invoke.key !== op.key)
      report(
        i,
        `${op.type} has key ${String(op.key)} but its invoke (op ${inFlight}) has key ${String(invoke.key)}`,
      );
    open.delete(p);
    if (op.type === 'info' && p !== 'nemesis') retired.set(p, i);
  }
  return problems;
}

/** Throws a HistoryFormatError for the first problem, if any. */
export function assertValidHistory(ops: History, opts: ValidateOptions & { file: string }): void {
  const [first] = validateHistory(ops, { ...opts, limit: 1 });
  if (first === undefined) return;
  throw new HistoryFormatError({
    file: opts.file,
    line: first.line ?? first.opIndex + 1,
    opIndex: first.opIndex,
    reason: first.message,
  });
}

/** One line per problem, `file:line: op N: message`. */
export function formatProblems(problems: HistoryProblem[], file: string): string[] {
  return problems.map((p) =>
    formatProblem({ file, line: p.line ?? p.opIndex + 1, opIndex: p.opIndex, reason: p.message }),
  );
}
