/**
 * Server-rendered pages: the runs list, one run, the failure groups, and errors. Each is a pure
 * function of data the handlers gathered, so they are easy to test and to change.
 */
import { describeCheck } from '../run/summary.js';
import type { RunRef, Soak } from './groups.js';
import { badge, esc, fmtBytes, fmtDuration, fmtTime, layout, urlPath } from './layout.js';
import { verdictOf, type RunFilter, type RunSummary, type Verdict } from './runs.js';
import { runFile } from '../run-layout.js';

export const VERDICTS: Verdict[] = ['valid', 'invalid', 'unknown', 'incomplete'];

export interface RunsPageInput {
  root: string;
  runs: RunSummary[];
  /** Count of runs matching the filter (runs is one page of them). */
  total: number;
  counts: Record<Verdict, number>;
  all: number;
  tests: string[];
  filter: RunFilter;
  offset: number;
  limit: number;
}

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
}

/** ISO -> the value a datetime-local input shows (UTC, minutes). */
function localInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
}

export function filterQuery(f: RunFilter, offset = 0): string {
  const p = new URLSearchParams();
  if (f.test) p.set('test', f.test);
  if (f.verdict) p.set('verdict', f.verdict);
  if (f.q) p.set('q', f.q);
  if (f.from) p.set('from', localInput(f.from));
  if (f.to) p.set('to', localInput(f.to));
  if (offset) p.set('offset', String(offset));
  const s = p.toString();
  return s ? `?${s}` : '';
}

function checkDots(checks: Record<string, Verdict>): string {
  return Object.entries(checks)
    .map(([name, v]) => `<span class="dot ${v}" title="${esc(name)}: ${v}"></span>`)
    .join('');
}

/** Names of the checkers that did not pass, so a failing row says why at a glance. */
function failedChecks(checks: Record<string, Verdict>): string {
  const bad = Object.entries(checks).filter(([, v]) => v === 'invalid' || v === 'unknown');
  return bad.length
    ? `<div class="failed-checks">${bad.map(([n, v]) => `${esc(n)}${v === 'unknown' ? '?' : ''}`).join(', ')}</div>`
    : '';
}

/** The command, minus what every run shares (`faultline run`, global options, `--results <dir>`, the cluster file's directory). */
export function shortCommand(cmd: string | null): string {
  if (!cmd) return '';
  return cmd
    .replace(/^faultline\s+/, '')
    .replace(/^((-q|--quiet)\s+|--log-file[ =]\S+\s+)+/, '')
    .replace(/^run\s+/, '')
    .replace(/\s--results[ =]\S+/, '')
    .replace(/(--cluster[ =])\S*\/([^/\s]+)/, '$1$2')
    .trim();
}

function runRow(r: RunSummary): string {
  const ex = r.execution;
  const stamp = r.id.split('/').pop() ?? r.id;
  return `<tr data-run="${esc(r.id)}">
<td>${r.running ? '<span class="badge running">running</span>' : badge(r.verdict)}</td>
<td class="mono nowrap"><a class="run-link" href="/runs/${urlPath(r.id)}">${esc(fmtTime(r.startedAt))}</a></td>
<td>${esc(r.test)} <span class="muted small mono">${esc(stamp)}</span></td>
<td class="num mono">${r.seed ?? '–'}</td>
<td class="num">${ex ? `${ex.ok} / ${ex.fail} / ${ex.info}` : '–'}</td>
<td class="num">${ex ? ex.opsPerSec.toFixed(0) : '–'}</td>
<td class="num">${fmtDuration(ex?.runMs)}</td>
<td class="nowrap">${checkDots(r.checks)}${failedChecks(r.checks)}${r.problem ? ` <span class="muted small" title="${esc(r.problem)}">unreadable results.json</span>` : ''}</td>
<td class="cmd mono" title="${esc(r.command ?? '')}">${esc(shortCommand(r.command))}</td>
</tr>`;
}

export function runsPage(inp: RunsPageInput): string {
  const f = inp.filter;
  const form = `<section><form class="filters" method="get" action="/">
<label>Test<select name="test">${option('', 'all tests', !f.test)}${inp.tests.map((t) => option(t, t, f.test === t)).join('')}</select></label>
<label>Verdict<select name="verdict">${option('', 'any', !f.verdict)}${VERDICTS.map((v) => option(v, v === 'incomplete' ? 'no result' : v, f.verdict === v)).join('')}</select></label>
<label>Search seed / command<input type="search" name="q" value="${esc(f.q ?? '')}" placeholder="e.g. 42 or partition"></label>
<label>From (UTC)<input type="datetime-local" name="from" value="${localInput(f.from)}"></label>
<label>To (UTC)<input type="datetime-local" name="to" value="${localInput(f.to)}"></label>
<button type="submit">Filter</button><a class="button secondary" href="/">Reset</a>
</form></section>`;
  const c = inp.counts;
  const counts = `<div class="counts"><strong>${inp.total} of ${inp.all} run${inp.all === 1 ? '' : 's'}</strong>
<span>${badge('valid')} ${c.valid}</span><span>${badge('invalid')} ${c.invalid}</span><span>${badge('unknown')} ${c.unknown}</span>${c.incomplete ? `<span>${badge('incomplete')} ${c.incomplete}</span>` : ''}</div>`;
  const table = inp.runs.length
    ? `<div class="table-wrap"><table class="list" id="runs"><thead><tr><th>Verdict</th><th>Started (UTC)</th><th>Test</th><th>Seed</th><th>ok / fail / info</th><th>ops/s</th><th>Duration</th><th>Checks</th><th>Command</th></tr></thead>
<tbody>${inp.runs.map(runRow).join('\n')}</tbody></table></div>`
    : `<div class="empty">${inp.all ? 'No run matches these filters.' : `No runs yet in ${esc(inp.root)}. Start one with <code>faultline run --cluster clusters/etcd-3.json</code>.`}</div>`;
  const pager: string[] = [];
  if (inp.offset > 0)
    pager.push(
      `<a class="button secondary" href="/${filterQuery(f, Math.max(0, inp.offset - inp.limit))}">← Newer</a>`,
    );
  if (inp.offset + inp.limit < inp.total)
    pager.push(
      `<a class="button secondary" href="/${filterQuery(f, inp.offset + inp.limit)}">Older →</a>`,
    );
  const range = inp.total
    ? `<span class="muted small">showing ${inp.offset + 1}–${inp.offset + inp.runs.length}</span>`
    : '';
  return layout(
    'Runs',
    'runs',
    `<h1>Runs</h1>${form}<section>${counts}${table}<div class="pager">${range}${pager.join('')}</div></section>`,
    inp.root,
  );
}

export interface RunFile {
  /** Relative to the run directory, `/`-separated. */
  name: string;
  size: number;
}

export interface RunPageInput {
  root: string;
  run: RunSummary;
  /** results.json as parsed (for the per-checker details), or null. */
  results: Record<string, unknown> | null;
  summaryText: string | null;
  files: RunFile[];
}

const FILE_NOTES: Record<string, string> = {
  [runFile.report]: 'the full report: plots, timeline, violations',
  [runFile.history]: 'every op, one JSON per line',
  [runFile.schedule]: 'the generated ops and faults (replayable)',
  [runFile.journal]: 'faults as applied and healed',
  [runFile.results]: 'verdicts and checker details',
  [runFile.summary]: 'the terminal summary',
  [runFile.cluster]: 'the cluster definition used',
};

function kvRow(label: string, value: string): string {
  return `<tr><th>${esc(label)}</th><td>${value}</td></tr>`;
}

export function runPage(inp: RunPageInput): string {
  const r = inp.run;
  const ex = r.execution;
  const fileHref = (name: string) => `/files/${urlPath(r.id)}/${urlPath(name)}`;
  const started = r.startedAt ? Date.parse(r.startedAt) : NaN;
  const ended = r.endedAt ? Date.parse(r.endedAt) : NaN;
  const facts = [
    kvRow('Test', esc(r.test)),
    kvRow('Started', `${esc(fmtTime(r.startedAt))} UTC`),
    kvRow('Wall time', esc(fmtDuration(ended - started))),
    kvRow(
      'Seed',
      `<span class="mono">${r.seed ?? '–'}</span>${r.path ? ` path <span class="mono">${esc(r.path)}</span>` : ''}`,
    ),
    kvRow(
      'Workload',
      `${esc(r.workload ?? '–')}${r.readConsistency ? `, ${esc(r.readConsistency)} reads` : ''}`,
    ),
    kvRow('Cluster', `<span class="mono">${esc(r.cluster ?? '–')}</span>`),
    kvRow(
      'Ops',
      ex
        ? `${ex.ok} ok, ${ex.fail} fail, ${ex.info} info in ${fmtDuration(ex.runMs)} (${ex.opsPerSec.toFixed(1)} ops/s)`
        : '–',
    ),
  ].join('');
  const checksObj = (inp.results?.checks ?? {}) as Record<string, Record<string, unknown>>;
  const checkRows = Object.entries(checksObj)
    .map(([name, c]) => {
      let lines: string[];
      try {
        lines = describeCheck(name, c ?? {});
      } catch {
        lines = [];
      }
      return `<tr data-check="${esc(name)}"><td><strong>${esc(name)}</strong></td><td>${badge(verdictOf(c?.valid))}</td><td>${lines.map((l) => `<div>${esc(l)}</div>`).join('')}</td></tr>`;
    })
    .join('');
  const checks = checkRows
    ? `<table class="list" id="checks"><thead><tr><th>Checker</th><th>Verdict</th><th>Details</th></tr></thead><tbody>${checkRows}</tbody></table>`
    : `<div class="empty">No checker results${r.verdict === 'incomplete' ? ' yet: this run has not finished, or stopped before checking' : ''}.</div>`;
  const banners: string[] = [];
  if (r.error)
    banners.push(`<div class="banner error"><strong>Run error:</strong> ${esc(r.error)}</div>`);
  if (r.problem) banners.push(`<div class="banner error">${esc(r.problem)}</div>`);
  const files = inp.files
    .map(
      (f) =>
        `<li><a href="${fileHref(f.name)}">${esc(f.name)}</a> <span class="muted small">${fmtBytes(f.size)}${FILE_NOTES[f.name] ? ` · ${FILE_NOTES[f.name]}` : ''}</span></li>`,
    )
    .join('');
  const commands = [
    r.command ? `<div class="small muted">command</div><pre>${esc(r.command)}</pre>` : '',
    r.replay ? `<div class="small muted">replay</div><pre>${esc(r.replay)}</pre>` : '',
  ].join('');
  const reportButton = r.hasReport
    ? `<a class="button" id="report-link" href="${fileHref(runFile.report)}">Open report</a>`
    : '<span class="muted small">no report.html (run <code>faultline report</code> on this directory)</span>';
  const body = `<div class="crumbs"><a href="/">Runs</a> / <a href="/?test=${encodeURIComponent(r.test)}">${esc(r.test)}</a></div>
<h1>${esc(r.test)} <span class="muted mono" style="font-size:15px">${esc(r.id.split('/').pop() ?? '')}</span> <span id="verdict">${badge(r.verdict)}</span> ${reportButton}</h1>
${banners.join('')}
<div class="grid"><section><h2>Run</h2><table class="kv">${facts}</table></section>
<section><h2>Commands</h2>${commands || '<span class="muted">none recorded</span>'}</section></div>
<section><h2>Checks</h2>${checks}</section>
<section><h2>Files</h2><ul class="files">${files || '<li class="muted">none</li>'}</ul></section>
${inp.summaryText ? `<section><details><summary><strong>summary.txt</strong></summary><pre>${esc(inp.summaryText)}</pre></details></section>` : ''}`;
  return layout(`${r.test} ${r.id.split('/').pop() ?? ''}`, 'runs', body, inp.root);
}

function runRefLink(r: RunRef, label?: string): string {
  const text = label ?? (r.id ?? r.path).split('/').pop() ?? r.path;
  return r.id !== null
    ? `<a class="mono small" href="/runs/${urlPath(r.id)}" title="${esc(r.id)}">${esc(text)}</a>`
    : `<span class="mono small muted" title="not under the results directory">${esc(r.path)}</span>`;
}

/** daemon.json's headline facts (status, counts, current trial), whatever else it holds. */
function daemonFacts(d: Record<string, unknown>): string {
  const rows: string[] = [];
  const status =
    typeof d.status === 'string' ? d.status : typeof d.state === 'string' ? d.state : null;
  if (status) {
    const cls = status === 'running' ? 'valid' : status === 'stopping' ? 'unknown' : 'incomplete';
    const reason =
      typeof d.stoppedReason === 'string'
        ? ` <span class="muted">${esc(d.stoppedReason)}</span>`
        : '';
    rows.push(kvRow('Status', `<span class="badge ${cls}">${esc(status)}</span>${reason}`));
  }
  const c = d.counts as Record<string, unknown> | undefined;
  if (c && typeof c === 'object') {
    rows.push(
      kvRow(
        'Trials',
        Object.entries(c)
          .map(([k, v]) => `${esc(String(v))} ${esc(k)}`)
          .join(', '),
      ),
    );
  }
  const cur = d.current as Record<string, unknown> | null | undefined;
  if (cur && typeof cur === 'object') {
    rows.push(
      kvRow(
        'Current',
        `trial ${esc(String(cur.trial ?? '?'))}${cur.shrinking ? ' (shrinking)' : ''}, seed <span class="mono">${esc(String(cur.seed ?? '–'))}</span>`,
      ),
    );
  }
  if (typeof d.runningMs === 'number')
    rows.push(kvRow('Running time', esc(fmtDuration(d.runningMs))));
  for (const k of ['soak', 'seed', 'pid', 'startedAt', 'updatedAt']) {
    const v = d[k];
    if (v !== undefined && v !== null && typeof v !== 'object') {
      rows.push(kvRow(k, esc(k.endsWith('At') ? `${fmtTime(String(v))} UTC` : String(v))));
    }
  }
  return rows.length ? `<table class="kv">${rows.join('')}</table>` : '';
}

export function groupsPage(root: string, soaks: Soak[]): string {
  if (soaks.length === 0) {
    return layout(
      'Failure groups',
      'groups',
      `<h1>Failure groups</h1><section><div class="empty">No soak found under ${esc(root)}: failure groups appear here once <code>faultline daemon</code> has written a groups.json.</div></section>`,
      root,
    );
  }
  const sections = soaks.map((s) => {
    const rows = s.groups
      .map((g) => {
        const links = g.runs
          .slice(-8)
          .reverse()
          .map((r) => runRefLink(r))
          .join(' ');
        const more =
          g.runs.length > 8 ? ` <span class="muted small">+${g.runs.length - 8} more</span>` : '';
        const mins = g.minimized
          .map(
            (m) =>
              `<div class="small">${runRefLink(m.run, 'minimized')} ${esc(m.before)} → ${esc(m.after)}${m.reproduced ? `, reproduced ${esc(m.reproduced)}` : ''}</div>`,
          )
          .join('');
        return `<tr><td class="mono">${esc(g.signature)}</td><td class="num">${g.count}</td><td class="mono small nowrap">${esc(fmtTime(g.first))}</td><td class="mono small nowrap">${esc(fmtTime(g.last))}</td><td>${links}${more}${mins}</td></tr>`;
      })
      .join('');
    const table = rows
      ? `<table class="list groups"><thead><tr><th>Signature</th><th>Count</th><th>First (UTC)</th><th>Last (UTC)</th><th>Runs (newest first)</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<div class="empty">No failures recorded in this soak.</div>';
    const problems = s.problems.map((p) => `<div class="banner error">${esc(p)}</div>`).join('');
    const soakLink = s.id
      ? ` <a class="small" href="/?q=${encodeURIComponent(s.id + '/')}">its runs</a>`
      : '';
    return `<section><h2>Soak <span class="mono">${esc(s.id || '(results root)')}</span>${soakLink}</h2>${problems}${s.daemon ? daemonFacts(s.daemon) : ''}${table}</section>`;
  });
  return layout('Failure groups', 'groups', `<h1>Failure groups</h1>${sections.join('')}`, root);
}

export function errorPage(root: string, status: number, message: string): string {
  return layout(
    `${status}`,
    'none',
    `<h1>${status}</h1><section><p>${esc(message)}</p><p><a href="/">Back to the runs</a></p></section>`,
    root,
  );
}
