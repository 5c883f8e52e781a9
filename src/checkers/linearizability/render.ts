/**
 * Diagrams of a violation: processes as lanes over (history) time, each op a bar from its
 * invoke to its completion, the op that cannot be linearized in red, the tail of the longest
 * linearizable prefix in green (numbered in linearization order), other concurrent ops grey,
 * indeterminate ops dashed and reaching to the end (∞). Only the relevant window is drawn (the
 * failing op, its concurrent ops, the end of the prefix), so the SVG stays small for any history
 * size. The x axis is event order, not wall time: file order is the truth; columns widen so each
 * bar holds its whole label (up to a cap; past it the label is clipped, and it is always in the
 * bar's hover title and in the list under the diagram).
 *
 * `renderViolationFigure` adds that list and a step-through of the longest linearization (as
 * Porcupine's viewer walks partial linearizations): step k marks the first k ops of the prefix
 * on the diagram and shows the state after them. The report embeds the same figure.
 */
import type { LinearizabilityResult } from './check.js';
import { type OpSummary, type Violation, formatViolationText } from './explain.js';

export interface RenderOptions {
  /** Title above the diagram. */
  title?: string;
}

const LANE_H = 34;
const BAR_H = 18;
const STEP = 26;
const LEFT = 90;
const CHAR_W = 6.7; // monospace 11px
const MAX_WIDTH = 4000;

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

type Role = 'failing' | 'prefix' | 'concurrent';

interface Item {
  op: OpSummary;
  role: Role;
  /** Position in the longest linearization (1-based), for prefix ops. */
  order?: number;
}

/** The ops to draw, each once, with its role (failing > prefix > concurrent). */
function windowOps(v: Violation): Item[] {
  const byIndex = new Map<number, Item>();
  for (const o of v.concurrent) byIndex.set(o.index, { op: o, role: 'concurrent' });
  const prefix = v.prefixes[0];
  if (prefix) {
    const start = prefix.length - prefix.lastOps.length;
    prefix.lastOps.forEach((o, i) =>
      byIndex.set(o.index, { op: o, role: 'prefix', order: start + i + 1 }),
    );
  }
  byIndex.set(v.op.index, { op: v.op, role: 'failing' });
  return [...byIndex.values()].sort((a, b) => a.op.index - b.op.index);
}

const labelOf = (it: Item) =>
  `${it.order === undefined ? '' : `#${it.order} `}${it.op.description}`;
const intervalOf = (o: OpSummary) => `${o.index}..${o.completeIndex < 0 ? '∞' : o.completeIndex}`;

/**
 * Column positions: event order, widened (greedily, narrow spans first) so each bar can hold
 * its label; an extra last column is the end of the history (∞) where indeterminate ops stop.
 */
function columnLayout(items: readonly Item[]): { x: (e: number) => number; end: number } {
  const events = new Set<number>();
  for (const { op } of items) {
    events.add(op.index);
    if (op.completeIndex >= 0) events.add(op.completeIndex);
  }
  const cols = [...events].sort((a, b) => a - b);
  const col = new Map(cols.map((e, i) => [e, i]));
  const gaps = new Array<number>(cols.length).fill(STEP); // gap i: column i to i + 1 (last: to ∞)
  const spans = items
    .map((it) => {
      const a = col.get(it.op.index)!;
      const b = it.op.completeIndex < 0 ? cols.length : col.get(it.op.completeIndex)!;
      return { a, b, need: labelOf(it).length * CHAR_W + 10 };
    })
    .sort((p, q) => p.b - p.a - (q.b - q.a));
  for (const { a, b, need } of spans) {
    let have = 0;
    for (let i = a; i < b; i++) have += gaps[i]!;
    if (have < need) for (let i = a; i < b; i++) gaps[i]! += (need - have) / (b - a);
  }
  const total = gaps.reduce((s, g) => s + g, 0);
  const scale = total > MAX_WIDTH ? MAX_WIDTH / total : 1;
  const xs = [LEFT];
  for (const g of gaps)
    xs.push(xs[xs.length - 1]! + Math.max(STEP * Math.min(1, scale), g * scale));
  return { x: (e: number) => xs[col.get(e) ?? cols.length]!, end: xs[cols.length]! };
}

export function renderViolationSvg(v: Violation, opts: RenderOptions = {}): string {
  const items = windowOps(v);
  const { x, end } = columnLayout(items);
  const lanes = [...new Set(items.map((i) => String(i.op.process)))];
  const lane = new Map(lanes.map((p, i) => [p, i]));
  const width = Math.max(Math.ceil(end + 40), 640);
  // The message wraps to the diagram's width, so it is readable in full.
  const message = wrap(v.message, Math.floor((width - 16) / CHAR_W));
  const TOP = 40 + 14 * message.length;
  const height = TOP + lanes.length * LANE_H + 70;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="fl-lin" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace,Menlo,monospace" font-size="11">`,
  );
  out.push(
    // While stepping, ops not yet linearized fade; linearized ones are green, the last one outlined.
    '<style>.fl-stepping .fl-op rect{fill-opacity:.2}.fl-stepping .fl-op text{fill:#222}.fl-stepping .fl-op.fl-failing rect{fill-opacity:.85}.fl-stepping .fl-op.fl-failing text{fill:#fff}.fl-op.fl-done rect{fill:#2ca02c;fill-opacity:.9}.fl-op.fl-done text{fill:#fff}.fl-op.fl-cur rect{stroke:#000;stroke-width:2.5}</style>',
  );
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  const title =
    opts.title ?? `Not linearizable${v.key === null ? '' : ` — key ${JSON.stringify(v.key)}`}`;
  out.push(`<text x="8" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  message.forEach((line, i) =>
    out.push(`<text x="8" y="${34 + 14 * i}" fill="#444">${esc(line)}</text>`),
  );
  lanes.forEach((p, i) => {
    const y = TOP + i * LANE_H;
    out.push(
      `<line x1="${LEFT - 6}" x2="${end}" y1="${y + LANE_H / 2}" y2="${y + LANE_H / 2}" stroke="#eee"/>`,
    );
    out.push(`<text x="8" y="${y + LANE_H / 2 + 4}" fill="#555">process ${esc(p)}</text>`);
  });
  // The end of the history: where indeterminate ops (which may take effect any time) stop.
  const laneBottom = TOP + lanes.length * LANE_H;
  out.push(
    `<line x1="${end}" x2="${end}" y1="${TOP - 4}" y2="${laneBottom}" stroke="#bbb" stroke-dasharray="3 3"/><text x="${end + 4}" y="${TOP + 8}" fill="#777">∞</text>`,
  );
  const colors: Record<Role, string> = {
    failing: '#d62728',
    prefix: '#2ca02c',
    concurrent: '#9e9e9e',
  };
  for (const it of items) {
    const { op, role } = it;
    const y = TOP + (lane.get(String(op.process)) ?? 0) * LANE_H + (LANE_H - BAR_H) / 2;
    const x0 = x(op.index);
    const open = op.completeIndex < 0;
    const x1 = open ? end : x(op.completeIndex);
    const w = Math.max(6, x1 - x0);
    const stroke =
      role === 'failing'
        ? ' stroke="#7f0000" stroke-width="2"'
        : open
          ? ' stroke="#666" stroke-dasharray="4 3"'
          : '';
    const opacity = open ? 0.35 : role === 'concurrent' ? 0.55 : 0.85;
    const label = labelOf(it);
    const ink = role === 'concurrent' || open ? '#222' : '#fff';
    out.push(
      `<g class="fl-op${role === 'failing' ? ' fl-failing' : ''}" data-op="${op.index}"><title>${esc(`op ${intervalOf(op)} process ${String(op.process)}: ${label}${op.status === 'info' ? ' (indeterminate: may take effect any time after its invoke, or never)' : ''}`)}</title>` +
        `<rect x="${x0}" y="${y}" width="${w}" height="${BAR_H}" rx="3" fill="${colors[role]}" fill-opacity="${opacity}"${stroke}/>` +
        // A nested viewport clips a label that still does not fit (the list has it in full).
        `<svg x="${x0}" y="${y}" width="${w}" height="${BAR_H}"><text x="3" y="${BAR_H - 5}" fill="${ink}">${esc(label)}${open ? ' → ∞' : ''}</text></svg></g>`,
    );
  }
  const ly = laneBottom + 22;
  out.push(
    `<text x="8" y="${ly}"><tspan fill="${colors.failing}">■ cannot be linearized</tspan>  <tspan fill="${colors.prefix}">■ end of the longest linearizable prefix (#n = position)</tspan>  <tspan fill="#777">■ concurrent  ▭ dashed: indeterminate, to the end (∞)</tspan></text>`,
  );
  const prefix = v.prefixes[0];
  if (prefix) {
    out.push(
      `<text x="8" y="${ly + 18}" fill="#333">${esc(`after the ${prefix.length} ops of the longest linearizable prefix the state is ${prefix.state}`)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Splits text into lines of at most `n` characters, at spaces where it can. */
function wrap(text: string, n: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > n) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
    while (line.length > n) {
      lines.push(line.slice(0, n));
      line = line.slice(n);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

let figureSeq = 0;

/**
 * The diagram, the list of its ops with their full labels, and the step-through of the longest
 * linearization: an HTML fragment (it starts with the SVG) for violation.html and the report.
 */
export function renderViolationFigure(v: Violation, opts: RenderOptions = {}): string {
  const id = `fl-lin-${++figureSeq}`;
  const items = windowOps(v);
  const role = (it: Item) =>
    it.role === 'failing'
      ? 'cannot be linearized'
      : it.role === 'prefix'
        ? `linearized #${it.order}`
        : 'concurrent';
  const rows = items
    .map(
      (it) =>
        `<tr class="fl-${it.role}" data-op="${it.op.index}"><td>${it.op.index}</td><td>${esc(intervalOf(it.op))}</td><td>${esc(String(it.op.process))}</td><td>${esc(role(it))}${it.op.status === 'info' ? ', indeterminate' : ''}</td><td><code>${esc(it.op.description)}</code></td></tr>`,
    )
    .join('');
  const prefix = v.prefixes[0];
  const steps = prefix?.steps ?? [];
  const stepper =
    prefix && steps.length > 0
      ? `<div class="fl-steps" id="${id}-steps"><b>Step through the longest linearization</b> (${prefix.length} ops${prefix.stepsFrom ? `; the last ${steps.length} shown` : ''}):
<button type="button" data-d="-9999">first</button><button type="button" data-d="-1">◀ back</button><button type="button" data-d="1">next ▶</button><button type="button" data-d="9999">last</button>
<span class="fl-step-text"></span>
<ol start="${(prefix.stepsFrom ?? 0) + 1}">${steps.map((s) => `<li data-op="${s.index}"><code>${esc(s.description)}</code> (op ${s.index}) → state <code>${esc(s.state)}</code></li>`).join('')}</ol>
<p>then: ${esc(v.message)}</p></div>`
      : '';
  const data = JSON.stringify({ steps, from: prefix?.stepsFrom ?? 0 }).replace(/</g, '\\u003c');
  return `${renderViolationSvg(v, opts).replace('class="fl-lin"', `class="fl-lin" id="${id}"`)}
<div class="fl-lin-detail"><style>${FIGURE_CSS}</style><table class="fl-ops"><thead><tr><th>op</th><th>interval</th><th>process</th><th>role</th><th>operation</th></tr></thead><tbody>${rows}</tbody></table>
${stepper}<script type="application/json" id="${id}-data">${data}</script></div>
<script>${STEP_SCRIPT.replace('__ID__', id)}</script>`;
}

/** Wires one figure's step buttons: step k marks the prefix's first k ops as linearized. */
const STEP_SCRIPT = `(function(){var id='__ID__';var svg=document.getElementById(id);var box=document.getElementById(id+'-steps');if(!svg||!box)return;
var d=JSON.parse(document.getElementById(id+'-data').textContent);var n=d.steps.length,k=n;var items=box.querySelectorAll('li');var text=box.querySelector('.fl-step-text');
function show(){svg.classList.add('fl-stepping');svg.querySelectorAll('.fl-op').forEach(function(g){g.classList.remove('fl-done','fl-cur')});
for(var i=0;i<k;i++){var g=svg.querySelector('.fl-op[data-op="'+d.steps[i].index+'"]');if(g){g.classList.add(i===k-1?'fl-cur':'fl-done');if(i===k-1)g.classList.add('fl-done')}}
items.forEach(function(li,i){li.style.fontWeight=i===k-1?'bold':'';li.style.opacity=i<k?'1':'.45'});
text.textContent=k===0?'before step '+(d.from+1):'after step '+(d.from+k)+' ('+d.steps[k-1].description+'): state '+d.steps[k-1].state+(k===n?' (end of the prefix)':'');}
box.querySelectorAll('button').forEach(function(b){b.addEventListener('click',function(){k=Math.max(0,Math.min(n,k+Number(b.getAttribute('data-d'))));show()})});show();})();`;

const FIGURE_CSS =
  '.fl-ops{border-collapse:collapse;font-size:12px;margin:6px 0}.fl-ops td,.fl-ops th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left;vertical-align:top}.fl-ops code,.fl-steps code{white-space:pre-wrap;word-break:break-all}.fl-failing td{color:#a00;font-weight:bold}.fl-prefix td{color:#185c18}.fl-steps{font-size:12px;margin:8px 0}.fl-steps ol{max-height:16em;overflow:auto;margin:4px 0}.fl-steps button{margin:0 2px}.fl-step-text{margin-left:8px;font-family:ui-monospace,monospace}';

/** A self-contained HTML page: verdict, one figure and the text explanation per violation. */
export function renderViolationHtml(
  result: LinearizabilityResult | Violation[],
  opts: RenderOptions = {},
): string {
  const violations = Array.isArray(result) ? result : result.violations;
  const summary = Array.isArray(result)
    ? ''
    : `<p>model <b>${esc(result.model)}</b>, ${result.ops} ops, ${result.partitions.length} partition(s), verdict <b>${esc(String(result.valid))}</b>, ${result.timeMs.toFixed(1)} ms</p>`;
  const body = violations.length
    ? violations
        .map(
          (v) =>
            `<section>${renderViolationFigure(v)}<details><summary>explanation</summary><pre>${esc(formatViolationText(v))}</pre></details></section>`,
        )
        .join('\n')
    : '<p>No violation.</p>';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(opts.title ?? 'Linearizability violation')}</title>
<style>body{font-family:system-ui,sans-serif;margin:16px;color:#222}section{margin:16px 0;overflow-x:auto}pre{font-size:12px;background:#f6f6f6;padding:8px}</style>
</head><body><h1>${esc(opts.title ?? 'Linearizability check')}</h1>${summary}
${body}
</body></html>
`;
}
