/**
 * The report page: server-rendered summary (verdicts, replay command, run and schedule
 * parameters, faults, checker evidence) around containers that the inlined page script fills
 * with the plots and the timeline. Every byte the page needs is inside it: uPlot's JS and CSS
 * are inlined, nothing is fetched.
 */
import { faultScope } from '../nemesis/sides.js';
import type { CheckResult, Validity } from '../checkers/result.js';
import type { JsonValue } from '../history/op.js';
import { CLIENT_SCRIPT } from './client-script.js';
import type { Mark } from './evidence.js';
import type { FaultPeriod, HistoryModel } from './model.js';
import { describeCheck } from '../run/summary.js';
import { laneName, scriptJson, type PageData } from './page-data.js';
import { escHtml, historyCountRows, humanMs, runCardRows } from './run-card.js';
import { OUTCOME_COLORS, REPORT_CSS } from './style.js';

export interface RunResults {
  valid?: Validity;
  checks?: Record<string, CheckResult>;
  run?: Record<string, unknown>;
}

export interface PageInputs {
  runDir: string;
  /** The command that replays this run, e.g. `faultline replay results/x/2024...`. */
  replayCommand: string;
  results: RunResults | null;
  schedule: unknown;
  journal: unknown[] | null;
  model: HistoryModel;
  data: PageData;
  /** Checker name -> diagram markup (SVG/HTML from our own checker renderers). */
  diagrams: Record<string, string>;
  /** Things the reader should know about the inputs (missing files, unreadable lines). */
  notes: string[];
  uplotJs: string;
  uplotCss: string;
  generatedAt: Date;
}

/** HTML-escapes text (one escaper for the whole report). */
export const esc = escHtml;

function short(v: unknown, max = 120): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Raw JSON for a <details> block, capped so one verbose checker cannot bloat the file. */
function rawJson(v: unknown, max = 40_000): string {
  let s = JSON.stringify(v, null, 2) ?? 'null';
  if (s.length > max)
    s = s.slice(0, max) + `\n… (${s.length - max} more characters in results.json)`;
  return esc(s);
}

export function verdictBadge(v: unknown): string {
  if (v === true) return '<span class="badge ok">valid</span>';
  if (v === false) return '<span class="badge bad">invalid</span>';
  if (v === 'unknown') return '<span class="badge unk">unknown</span>';
  return '<span class="badge none">no result</span>';
}

const fmtS = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(3)} s`);
const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '-');

/** One line saying why a checker decided what it did. */
export function checkSummary(r: CheckResult, name?: string): string {
  // The checkers summary.txt describes in its own words read the same here.
  if (name === 'election' || name === 'perf' || name === 'convergence') {
    const lines = describeCheck(name, r);
    if (lines.length) return short(lines.slice(0, 2).join('; '), 240);
  }
  const violations = Array.isArray(r.violations) ? (r.violations as unknown[]) : [];
  const first = violations[0] as { message?: unknown } | undefined;
  if (r.valid === false && typeof first?.message === 'string') {
    return short(
      `${violations.length} violation${violations.length === 1 ? '' : 's'}: ${first.message}`,
      240,
    );
  }
  for (const k of ['message', 'reason', 'summary', 'explanation', 'error']) {
    const v = r[k];
    if (typeof v === 'string' && v) return short(v, 240);
    if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string'))
      return short(v.join('; '), 240);
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (k === 'valid' || parts.length >= 5) continue;
    // durations in human units: thresholdNs 5000000000 -> threshold 5.0 s
    const unit = /^(.+)(Ns|Ms)$/.exec(k);
    if (unit && typeof v === 'number')
      parts.push(`${unit[1]} ${humanMs(unit[2] === 'Ns' ? v / 1e6 : v)}`);
    else if (v === null || ['number', 'string', 'boolean'].includes(typeof v))
      parts.push(`${k}: ${short(v, 40)}`);
    else if (Array.isArray(v)) parts.push(`${k}: ${v.length}`);
  }
  return parts.join(' · ');
}

function kvTable(rows: [string, string][]): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function paramsRows(o: unknown, skip: Set<string>): [string, string][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [];
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (skip.has(k)) continue;
    if (Array.isArray(v)) {
      const inline = JSON.stringify(v);
      rows.push([
        k,
        v.length && inline.length <= 80
          ? `<code>${esc(inline)}</code>`
          : esc(`${v.length} entries`),
      ]);
    } else if (v !== null && typeof v === 'object')
      rows.push([k, `<code>${esc(short(v, 200))}</code>`]);
    else rows.push([k, `<code>${esc(String(v))}</code>`]);
  }
  return rows;
}

function markLink(m: Pick<Mark, 't0' | 't1' | 'rows'>, text: string, cls = 'jump'): string {
  return `<a href="#fl-timeline-section" class="${cls}" data-t0="${m.t0}" data-t1="${m.t1}" data-rows="${m.rows.join(',')}">${esc(text)}</a>`;
}

function faultsTable(faults: FaultPeriod[], endMs: number): string {
  if (faults.length === 0) return '<p class="muted">No faults were injected in this run.</p>';
  const status = (f: FaultPeriod): string =>
    f.status === 'verified'
      ? '<span class="badge ok">verified</span>'
      : f.status === 'failed'
        ? '<span class="badge bad">failed</span>'
        : f.status === 'pending'
          ? '<span class="badge unk">no completion</span>'
          : '<span class="badge none">not verified</span>';
  const rows = faults.map((f) => {
    const end = f.end ?? endMs;
    // a nemesis Verification ({ok, observed, notes}) is shown by what was observed
    const v = f.verified as { observed?: unknown; notes?: unknown } | null;
    const shown =
      v !== null && typeof v === 'object' && 'observed' in v
        ? { ...(v.observed as object), ...(v.notes ? { notes: v.notes } : {}) }
        : v;
    const observed = f.error ? `error: ${f.error}` : shown === null ? '' : short(shown, 160);
    return `<tr><td><span class="swatch" data-kind="${esc(f.kind)}"></span>${esc(f.kind)}</td><td>${esc(f.id)}</td>
<td>${esc(faultScope(f.targets, f.details, f.members))}</td><td><code>${esc(short(f.params, 90))}</code></td>
<td class="num">${fmtS(f.start)}</td><td class="num">${f.end === null ? '<i>not healed</i>' : fmtS(f.end)}</td>
<td class="num">${((end - f.start) / 1000).toFixed(2)} s</td><td>${status(f)}</td><td class="obs"><code>${esc(observed)}</code></td>
<td>${markLink({ t0: f.start / 1000, t1: end / 1000, rows: [] }, 'show')}</td></tr>`;
  });
  return `<table class="grid"><thead><tr><th>kind</th><th>id</th><th>targets / sides</th><th>params</th><th>start</th><th>healed</th><th>duration</th><th>verified</th><th>observed</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

interface PeriodLike {
  label?: unknown;
  id?: unknown;
  kind?: unknown;
  from: number;
  to: number;
  ok: { count: number; p50: number; p99: number; max: number };
  fail?: { count: number };
  info?: { count: number };
  throughput?: { ok: number };
}

const isPeriod = (v: unknown): v is PeriodLike => {
  const p = v as PeriodLike | null;
  return (
    !!p && typeof p.from === 'number' && typeof p.to === 'number' && typeof p.ok?.p50 === 'number'
  );
};

/** The perf checker's per-period statistics (latencies in ns) as a table, each row linked. */
function periodTable(r: CheckResult): string {
  const periods: PeriodLike[] = [];
  if (isPeriod(r.overall)) periods.push(r.overall);
  if (isPeriod(r.outsideFaults)) periods.push(r.outsideFaults);
  if (Array.isArray(r.faults)) periods.push(...(r.faults as unknown[]).filter(isPeriod));
  if (periods.length === 0) return '';
  const ms = (ns: number): string => (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1);
  const rows = periods.map((p) => {
    const name =
      typeof p.id === 'string' ? `${p.id} ${String(p.kind ?? '')}` : String(p.label ?? '');
    const link = markLink({ t0: p.from / 1e9, t1: p.to / 1e9, rows: [] }, 'show');
    return `<tr><td>${esc(name)}</td><td class="num">${(p.from / 1e9).toFixed(2)}–${(p.to / 1e9).toFixed(2)} s</td>
<td class="num">${p.ok.count}</td><td class="num">${ms(p.ok.p50)}</td><td class="num">${ms(p.ok.p99)}</td><td class="num">${ms(p.ok.max)}</td>
<td class="num">${p.throughput ? p.throughput.ok.toFixed(0) : '–'}</td><td class="num">${p.fail?.count ?? '–'}</td><td class="num">${p.info?.count ?? '–'}</td><td>${link}</td></tr>`;
  });
  return `<table class="grid periods"><thead><tr><th>period</th><th>time</th><th>ok ops</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>ok/s</th><th>fail</th><th>info</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

interface OpLike {
  index: number;
  process?: unknown;
  f?: unknown;
  description?: unknown;
  value?: unknown;
  output?: unknown;
}
const isOpLike = (v: unknown): v is OpLike => !!v && typeof (v as OpLike).index === 'number';

/** A linearizability-style violation (op, concurrent ops, prefixes) in words, each op linked. */
function violationExplanation(v: unknown, inp: PageInputs, jsonFallback: boolean): string {
  const viol = v as { op?: unknown; concurrent?: unknown; prefixes?: unknown };
  if (!isOpLike(viol.op)) {
    return jsonFallback
      ? `<details open><summary>first violation</summary><pre>${rawJson(v, 20_000)}</pre></details>`
      : '';
  }
  const { model } = inp;
  const opLine = (o: OpLike): string => {
    const row = model.rowByIndex.get(o.index);
    const what =
      typeof o.description === 'string'
        ? o.description
        : `${String(o.f ?? '')} ${short(o.value ?? null, 40)}`;
    const link =
      row === undefined
        ? ''
        : ' ' +
          markLink(
            {
              t0: model.ops.start[row]! / 1000,
              t1: (model.ops.start[row]! + model.ops.dur[row]!) / 1000,
              rows: [row],
            },
            'show',
          );
    const lane = row === undefined ? undefined : model.ops.lane[row];
    const worker = lane === undefined ? '' : ` (${laneName(lane)})`;
    return `<code>${esc(what)}</code> <span class="muted">process ${esc(o.process ?? '?')}${worker} · history #${o.index}</span>${link}`;
  };
  const concurrent = Array.isArray(viol.concurrent)
    ? (viol.concurrent as unknown[]).filter(isOpLike)
    : [];
  const prefixes = Array.isArray(viol.prefixes)
    ? (viol.prefixes as { length?: unknown; state?: unknown }[])
    : [];
  const best = prefixes[0];
  return `<div class="violation">
<p><b>Cannot be linearized:</b> ${opLine(viol.op)}</p>
${best && typeof best.length === 'number' ? `<p>Longest linearizable prefix: ${best.length} ops, leaving the state <code>${esc(short(best.state ?? null, 80))}</code>.</p>` : ''}
${concurrent.length ? `<p>Concurrent with it (${concurrent.length}):</p><ul class="evidence">${concurrent.map((c) => `<li>${opLine(c)}</li>`).join('')}</ul>` : ''}
</div>`;
}

function checksSection(inp: PageInputs): string {
  const checks = inp.results?.checks ?? {};
  const names = Object.keys(checks);
  if (names.length === 0)
    return '<p class="muted">No checker results (results.json missing or empty).</p>';
  return names
    .map((name) => {
      const r = checks[name]!;
      const table = periodTable(r);
      // a table with its own links replaces the generic evidence list
      const marks = table ? [] : inp.data.marks.filter((m) => m.checker === name);
      const evidence = marks.length
        ? `<ul class="evidence">${marks.map((m) => `<li>${markLink(m, 'show in timeline')} <code>${esc(m.label)}</code></li>`).join('')}</ul>`
        : '';
      // The diagram is a link too: clicking it shows the first violation in the timeline.
      const dm = inp.data.marks.find(
        (m) => m.checker === name && m.label.startsWith('violations[0]'),
      );
      const dmAttrs = dm
        ? ` data-t0="${dm.t0}" data-t1="${dm.t1}" data-rows="${dm.rows.join(',')}" title="click: show in the timeline"`
        : '';
      const diagram = inp.diagrams[name]
        ? `<div class="diagram${dm ? ' linked' : ''}"${dmAttrs}>${inp.diagrams[name]}</div>`
        : '';
      // Without a diagram, the first violation's own explanation (JSON) is the next best thing.
      const first = Array.isArray(r.violations) ? (r.violations as unknown[])[0] : undefined;
      const explanation =
        r.valid === false && first !== undefined ? violationExplanation(first, inp, !diagram) : '';
      return `<div class="check ${r.valid === false ? 'failed' : ''}" id="check-${esc(slug(name))}">
<h3>${esc(name)} ${verdictBadge(r.valid)}</h3>
<p>${esc(checkSummary(r, name))}</p>
${diagram}${table}${evidence}${explanation}
<details><summary>full result (JSON)</summary><pre>${rawJson(r)}</pre></details>
</div>`;
    })
    .join('\n');
}

function summaryCards(inp: PageInputs): string {
  const { results, model } = inp;
  const checks = results?.checks ?? {};
  const verdictRows = Object.entries(checks).map(
    ([n, r]) =>
      `<li><div class="vhead"><a href="#check-${esc(slug(n))}">${esc(n)}</a>${verdictBadge(r.valid)}</div><div class="muted small">${esc(short(checkSummary(r, n), 140))}</div></li>`,
  );
  const run = results?.run ?? {};
  const sched = inp.schedule as Record<string, unknown> | null;
  const seed = sched?.seed ?? run.seed;
  const runRows = runCardRows(run);
  const schedRows = paramsRows(sched, new Set(['seed', 'origin']));
  return `<div class="cards">
<div class="card"><h2>Verdict</h2>${verdictRows.length ? `<ul class="verdicts">${verdictRows.join('')}</ul>` : '<p class="muted">no checker results</p>'}</div>
<div class="card"><h2>Replay</h2>
<p>Re-run this exact schedule (seed <code>${esc(seed ?? '?')}</code>):</p>
<div class="cmd"><code id="fl-replay">${esc(inp.replayCommand)}</code><button type="button" onclick="(function(b){var t=document.getElementById('fl-replay').textContent;if(navigator.clipboard){navigator.clipboard.writeText(t).then(function(){b.textContent='copied';},function(){});}var r=document.createRange();r.selectNodeContents(document.getElementById('fl-replay'));var s=getSelection();s.removeAllRanges();s.addRange(r);})(this)">copy</button></div>
${run.command ? `<p class="muted">original command: <code>${esc(run.command)}</code></p>` : ''}
<p class="muted">run directory: <code>${esc(inp.runDir)}</code></p></div>
<div class="card"><h2>History</h2>${kvTable([
    ...historyCountRows(model.counts, run),
    ['duration', `${(model.endMs / 1000).toFixed(2)} s`],
    [
      'concurrency',
      `${model.laneProcesses.length} lanes, ${model.laneProcesses.reduce((a, l) => a + l.length, 0)} processes`,
    ],
    ['faults', `${model.faults.length}`],
  ])}</div>
<div class="card"><h2>Run</h2>${kvTable(runRows)}</div>
<div class="card wide"><h2>Schedule</h2>${kvTable([['seed', `<code>${esc(seed ?? '?')}</code>`], ...schedRows])}
${sched ? `<details><summary>schedule.json</summary><pre>${rawJson(sched, 30_000)}</pre></details>` : '<p class="muted">schedule.json not found</p>'}</div>
</div>`;
}

function journalSection(journal: unknown[] | null): string {
  if (!journal) return '<p class="muted">faults.journal.jsonl not found.</p>';
  const shown = journal.slice(0, 300);
  return `<details><summary>fault journal: ${journal.length} entries</summary><ol class="journal">${shown
    .map((e) => `<li><code>${esc(short(e as JsonValue, 300))}</code></li>`)
    .join(
      '',
    )}</ol>${journal.length > shown.length ? `<p class="muted">… ${journal.length - shown.length} more</p>` : ''}</details>`;
}

export function renderPage(inp: PageInputs): string {
  const run = inp.results?.run ?? {};
  const title = `${String(run.test ?? 'run')} — Faultline report`;
  const kindCss = Object.entries(inp.data.kindColors)
    .map(([k, c]) => `.swatch[data-kind="${esc(k)}"]{background:${c}}`)
    .join('');
  const legendKinds = Object.entries(inp.data.kindColors)
    .map(
      ([k, c]) =>
        `<span class="lg"><span class="sw" style="background:${c}55;border-color:${c}"></span>${esc(k)}</span>`,
    )
    .join('');
  const notes = inp.notes.length
    ? `<div class="notes">${inp.notes.map((n) => `<p>${esc(n)}</p>`).join('')}</div>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${inp.uplotCss}</style>
<style>${REPORT_CSS}${kindCss}</style>
</head><body>
<header><div><h1>${esc(String(run.test ?? 'Faultline run'))} ${verdictBadge(inp.results?.valid)}</h1>
<p class="muted">${run.startedAt ? `started ${esc(run.startedAt)} · ` : ''}report generated ${esc(inp.generatedAt.toISOString())} by faultline</p></div>
<nav><a href="#checks">checks</a><a href="#faults">faults</a><a href="#perf">latency &amp; throughput</a><a href="#fl-timeline-section">timeline</a></nav></header>
<main>
<div id="fl-error" class="error" hidden></div>
${notes}
${summaryCards(inp)}
<section id="checks"><h2>Checks</h2>${checksSection(inp)}</section>
<section id="faults"><h2>Faults</h2>${faultsTable(inp.model.faults, inp.model.endMs)}${journalSection(inp.journal)}</section>
<section id="perf"><h2>Latency &amp; throughput</h2>
<p class="legend"><span class="lg"><span class="dot" style="background:var(--ok)"></span>ok</span><span class="lg"><span class="dot" style="background:var(--fail)"></span>fail</span><span class="lg"><span class="dot" style="background:var(--info)"></span>info (indeterminate)</span>${legendKinds ? ` · faults: ${legendKinds}` : ''}</p>
<p class="hint">drag to zoom (all plots and the timeline follow) · double-click to reset · hover a point for the op, click it to find it in the timeline</p>
<h3>Latency of every op${inp.data.ops.count > 20_000 ? ' <span class="muted">(all failed and indeterminate ops, and ok ops thinned to the outline of the distribution)</span>' : ''}</h3>
<div id="fl-latency" class="chart"></div>
<h3>Latency quantiles per ${esc(inp.data.buckets.bucketMs)} ms</h3>
<div id="fl-quantiles" class="chart"></div>
<h3>Throughput by outcome</h3>
<div id="fl-throughput" class="chart"></div>
</section>
${
  inp.data.resources
    ? `<section id="resources"><h2>Node resources</h2>
<p class="hint">each node's own process, sampled every 0.5 s; fault periods shaded</p>
<h3>Memory (RSS)</h3><div id="fl-rss" class="chart"></div>
<h3>CPU</h3><div id="fl-cpu" class="chart"></div>
<h3>Open files</h3><div id="fl-fds" class="chart"></div>
</section>`
    : ''
}
<section id="fl-timeline-section"><h2>Timeline</h2>
<p class="hint">one row per worker (a worker's successive processes share a row) · faults on top · wheel: zoom · drag: pan · shift+wheel: scroll · double-click: reset · click an op for details
<span class="btns"><button type="button" id="fl-zoom-in">zoom in</button><button type="button" id="fl-zoom-out">zoom out</button><button type="button" id="fl-zoom-reset">reset</button></span></p>
<div id="fl-timeline"></div>
<div id="fl-selected" class="selected muted">Click an op to see it here.</div>
</section>
</main>
<div id="fl-tip" class="tip" hidden></div>
<script type="application/json" id="fl-data">${scriptJson({ ...inp.data, colors: OUTCOME_COLORS })}</script>
<script>${inp.uplotJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}
