/**
 * The report's Run card and History counts in words a person reads: what ran, how long, what
 * it did (the counts of history/counts.ts, final reads labelled), never raw JSON or `null`
 * fields. Pure: results.json's `run` in, [label, HTML] rows out.
 */
import { outcomesText, type OpCounts, type RunCounts } from '../history/counts.js';

type Row = [string, string];

export function escHtml(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const code = (s: unknown): string => `<code>${escHtml(s)}</code>`;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;

/** A duration for people: `850 ms`, `2.4 s`, `3 min 5 s`. */
export function humanMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** Counts as recorded; runs from before `run.counts` fall back on the execution summary. */
export function runCounts(run: Record<string, unknown>): RunCounts | undefined {
  const c = obj(run.counts);
  if (c && obj(c.client) && obj(c.finalReads)) return c as unknown as RunCounts;
  return undefined;
}

/** The Run card: what ran, as rows. */
export function runCardRows(run: Record<string, unknown>): Row[] {
  const rows: Row[] = [];
  const add = (k: string, v: string | undefined) => {
    if (v !== undefined) rows.push([k, v]);
  };
  add('test', str(run.test) && code(run.test));
  const started = str(run.startedAt);
  const ended = str(run.endedAt);
  if (started) {
    const took = ended ? Date.parse(ended) - Date.parse(started) : NaN;
    add(
      'started',
      `${escHtml(started.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}${Number.isFinite(took) ? ` · took ${humanMs(took)}` : ''}`,
    );
  }
  const seed = run.seed;
  if (seed !== null && seed !== undefined)
    add('seed', code(seed) + (str(run.path) ? ` path ${code(run.path)}` : ''));
  const nodes = Array.isArray(run.nodes) ? run.nodes.map(String) : [];
  add(
    'cluster',
    [str(run.database), nodes.length ? `${nodes.join(' ')} (${nodes.length} nodes)` : undefined]
      .filter(Boolean)
      .map(escHtml)
      .join(' · ') || undefined,
  );
  add('definition', str(run.cluster) && code(run.cluster));
  const up = run.clusterUpMs;
  add(
    'healthy',
    up === null
      ? 'never became healthy'
      : num(up) !== undefined
        ? `in ${humanMs(up as number)}`
        : undefined,
  );
  const level = str(run.isolation)
    ? `${escHtml(run.isolation)} isolation`
    : str(run.readConsistency)
      ? `${escHtml(run.readConsistency)} reads`
      : undefined;
  add(
    'workload',
    [str(run.workload) && escHtml(run.workload), level].filter(Boolean).join(', ') || undefined,
  );
  const ex = obj(run.execution);
  if (ex) {
    const runMs = num(ex.runMs);
    add(
      'ran',
      runMs !== undefined
        ? `${humanMs(runMs)}${num(ex.opsPerSec) !== undefined ? `, ${(ex.opsPerSec as number).toFixed(0)} ops/s` : ''}`
        : undefined,
    );
    const counts = runCounts(run);
    if (counts) {
      add('client ops', `${counts.client.invocations}: ${outcomesText(counts.client)}`);
      if (counts.finalReads.invocations)
        add('final reads', `${counts.finalReads.invocations}: ${outcomesText(counts.finalReads)}`);
    } else if (num(ex.ok) !== undefined) {
      add('client ops', `${escHtml(ex.ok)} ok, ${escHtml(ex.fail)} fail, ${escHtml(ex.info)} info`);
      if (num(ex.finalReads)) add('final reads', escHtml(ex.finalReads));
    }
    add(
      'faults',
      `${num(ex.faultsApplied) ?? 0} applied${num(ex.faultsFailed) ? `, ${ex.faultsFailed as number} failed to apply` : ''}`,
    );
    add(
      'recovery',
      ex.recovered === true
        ? `every node served a read ${humanMs(num(ex.recoveryMs) ?? 0)} after the heal`
        : ex.recovered === false
          ? 'not every node served a read after healing'
          : undefined,
    );
    const problems = Array.isArray(ex.problems) ? ex.problems.map(String) : [];
    if (problems.length) add('problems', problems.map(escHtml).join('<br>'));
  }
  if (run.healAtEnd === false) {
    const ended = Array.isArray(run.endedByTeardown) ? run.endedByTeardown.map(String) : [];
    add(
      'faults left',
      `in force until teardown; ended by it: ${escHtml(ended.join(' ') || 'none')}`,
    );
  }
  if (run.aborted === true) add('aborted', 'interrupted; faults healed, cluster torn down');
  add('error', str(run.error) && `<span class="oc-fail">${escHtml(run.error)}</span>`);
  const plan = obj(run.checkPlan);
  if (plan && Array.isArray(plan.checkers)) add('checkers', plan.checkers.map(escHtml).join(', '));
  return rows;
}

/** History card rows: client ops with their outcomes, final reads apart when known. */
export function historyCountRows(
  model: { ok: number; fail: number; info: number; pending: number },
  run: Record<string, unknown>,
): Row[] {
  const counts = runCounts(run);
  const pct = (x: number, total: number): string =>
    total ? ` (${((100 * x) / total).toFixed(1)}%)` : '';
  const rowsOf = (c: Omit<OpCounts, 'invocations'>, total: number): Row[] => [
    ['ok', `<span class="oc-ok">${c.ok}</span>${pct(c.ok, total)}`],
    ['fail', `<span class="oc-fail">${c.fail}</span>${pct(c.fail, total)}`],
    ['info', `<span class="oc-info">${c.info}</span>${pct(c.info, total)}`],
    ...(c.pending ? ([['never completed', `${c.pending}`]] as Row[]) : []),
  ];
  if (counts) {
    const f = counts.finalReads;
    return [
      ['client ops', `${counts.client.invocations}`],
      ...rowsOf(counts.client, counts.client.invocations),
      ...(f.invocations
        ? ([['final reads', `${f.invocations}: ${outcomesText(f)}`]] as Row[])
        : []),
    ];
  }
  const total = model.ok + model.fail + model.info + model.pending;
  const finals = num(obj(run.execution)?.finalReads) ?? 0;
  return [
    ['ops', `${total}${finals ? ` (incl. ${finals} final reads)` : ''}`],
    ...rowsOf(model, total),
  ];
}
