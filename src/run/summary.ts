/**
 * summary.txt: what a person reads first in a terminal — the verdict, each checker in a line or
 * a few, what ran, and how to replay it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { outcomesText, type RunCounts } from '../history/counts.js';
import type { RunResultsFile } from './runner.js';

/** Which of a run's files exist, so the summary points only at what was written. */
export interface RunFiles {
  history: boolean;
  report: boolean;
}

export function runFiles(runDir: string): RunFiles {
  return {
    history: existsSync(join(runDir, 'history.jsonl')),
    report: existsSync(join(runDir, 'report.html')),
  };
}

const VERDICT: Record<string, string> = { true: 'VALID', false: 'INVALID', unknown: 'UNKNOWN' };

function verdict(v: unknown): string {
  return VERDICT[String(v)] ?? String(v);
}

type Result = Record<string, unknown> & { valid?: unknown };

/** One to a few lines about one checker's result; known checkers get a tailored line. */
export function describeCheck(name: string, r: Result, counts?: RunCounts | null): string[] {
  const lines: string[] = [];
  const arr = (k: string) => (Array.isArray(r[k]) ? (r[k] as Record<string, unknown>[]) : []);
  switch (name) {
    case 'linearizability': {
      const parts = arr('partitions').length;
      const viol = arr('violations');
      const undecided = arr('undecided');
      lines.push(
        `${opsChecked(r.ops, counts)} in ${parts} partition(s), ${viol.length} violation(s), ${undecided.length} undecided, ${typeof r.timeMs === 'number' ? Math.round(r.timeMs) : '?'} ms`,
      );
      for (const v of viol.slice(0, 3)) if (typeof v.message === 'string') lines.push(v.message);
      for (const u of undecided.slice(0, 3))
        lines.push(`undecided: ${String(u.reason ?? JSON.stringify(u))}`);
      break;
    }
    case 'election': {
      const s = (r.summary ?? {}) as Record<string, unknown>;
      const viol = arr('violations');
      const stored =
        typeof s.storedDistinct === 'number'
          ? `${s.storedDistinct} distinct votes stored (seen by each of ${String(s.storedReads)} final reads)`
          : `${String(s.storedVotes)} stored rows over all final reads`;
      lines.push(
        (s.storedVotes
          ? `${s.votes ?? 0} votes acked, ${stored}, over ${s.terms ?? 0} rounds`
          : `${s.votes ?? 0} votes, ${s.becameLeader ?? 0} leader elections over ${s.terms ?? 0} terms`) +
          `; ${viol.length} violation(s)`,
      );
      for (const v of viol.slice(0, 3)) if (typeof v.message === 'string') lines.push(v.message);
      if (viol.length > 3)
        lines.push(`... and ${viol.length - 3} more (results.json, report.html)`);
      break;
    }
    case 'convergence': {
      if (typeof r.summary === 'string') lines.push(r.summary);
      for (const d of arr('differences').slice(0, 3))
        if (typeof d.message === 'string') lines.push(`differs: ${d.message}`);
      if (typeof r.reason === 'string') lines.push(r.reason);
      break;
    }
    case 'perf': {
      const o = (r.overall ?? {}) as {
        ok?: { p50?: number; p99?: number };
        throughput?: { ok?: number; all?: number };
      };
      const tput = o.throughput?.ok;
      lines.push(
        `throughput ${typeof tput === 'number' ? tput.toFixed(1) : '?'} ok/s` +
          (typeof o.ok?.p50 === 'number'
            ? `, ok latency p50 ${fmtMs(o.ok.p50)} p99 ${fmtMs(o.ok.p99)}`
            : ''),
      );
      break;
    }
    default: {
      const summary = r.summary;
      if (Array.isArray(summary))
        lines.push(...summary.filter((x): x is string => typeof x === 'string').slice(0, 4));
      else if (typeof summary === 'string') lines.push(summary);
      for (const k of ['reason', 'message', 'error'])
        if (typeof r[k] === 'string' && !lines.includes(r[k] as string)) lines.push(r[k] as string);
      for (const d of arr('differences').slice(0, 3)) lines.push(`differs: ${JSON.stringify(d)}`);
    }
  }
  return lines;
}

/** The checked ops, split into client ops and final reads when they add up (they do for our runs). */
function opsChecked(ops: unknown, counts?: RunCounts | null): string {
  if (typeof ops !== 'number') return '? ops';
  const c = counts?.client.invocations;
  const f = counts?.finalReads.invocations ?? 0;
  if (c === undefined || c + f !== ops) return `${ops} ops`;
  return f > 0 ? `${ops} ops (${c} client ops + ${f} final reads)` : `${ops} client ops`;
}

function fmtMs(ns: unknown): string {
  return typeof ns === 'number' ? `${(ns / 1e6).toFixed(1)} ms` : '?';
}

export function formatSummary(file: RunResultsFile, runDir: string, files: RunFiles): string {
  const run = file.run;
  const ex = run.execution;
  const out: string[] = [];
  out.push(`Faultline run ${run.test}: ${verdict(file.valid)}`);
  out.push(`  dir       ${runDir}`);
  out.push(
    `  cluster   ${run.database} ${run.nodes.join(',')} ` +
      (run.clusterUpMs === null
        ? '(never became healthy)'
        : `(healthy in ${(run.clusterUpMs / 1000).toFixed(1)} s)`),
  );
  const level = run.isolation ? `${run.isolation} isolation` : `${run.readConsistency} reads`;
  out.push(
    `  workload  ${run.workload}, ${level}, seed ${run.seed ?? '-'}${run.path ? ` path ${run.path}` : ''}`,
  );
  if (run.healAtEnd === false)
    out.push(
      `  faults    left in force until teardown (no final heal); ended by teardown: ${run.endedByTeardown?.join(', ') || 'none'}`,
    );
  const counts = run.counts;
  if (ex && counts) {
    const fr = counts.finalReads;
    out.push(
      `  ops       ${counts.client.invocations} client ops: ${outcomesText(counts.client)} in ${(ex.runMs / 1000).toFixed(1)} s (${ex.opsPerSec.toFixed(0)} ops/s)` +
        (fr.invocations ? `; then ${fr.invocations} final reads: ${outcomesText(fr)}` : ''),
    );
    out.push(
      `  faults    ${ex.faultsApplied} applied${ex.faultsFailed ? `, ${ex.faultsFailed} failed to apply` : ''}; ` +
        (ex.recovered === null
          ? 'no recovery wait'
          : ex.recovered
            ? `recovered in ${ex.recoveryMs} ms`
            : 'did not recover'),
    );
  } else if (ex) {
    out.push(
      `  ops       ${ex.ok} ok, ${ex.fail} fail, ${ex.info} info in ${(ex.runMs / 1000).toFixed(1)} s (${ex.opsPerSec.toFixed(0)} ops/s); ` +
        `${ex.faultsApplied} faults applied${ex.faultsFailed ? `, ${ex.faultsFailed} failed to apply` : ''}; ` +
        (ex.recovered === null
          ? 'no recovery wait'
          : ex.recovered
            ? `recovered in ${ex.recoveryMs} ms`
            : 'did not recover'),
    );
  }
  if (run.aborted)
    out.push('  ABORTED   the run was interrupted; faults were healed and the cluster torn down');
  if (run.error) out.push(`  ERROR     ${run.error}`);
  out.push('');
  for (const [name, r] of Object.entries(file.checks)) {
    const res = r as Result;
    out.push(`${verdict(res.valid).padEnd(8)} ${name}`);
    for (const line of describeCheck(name, res, run.counts)) out.push(`         ${line}`);
  }
  out.push('');
  if (files.history) out.push(`replay (offline re-check): ${run.replay}`);
  out.push(`replay (live re-run):      ${run.replay} --live`);
  if (files.report) out.push(`report:                    ${runDir}/report.html`);
  return out.join('\n') + '\n';
}
