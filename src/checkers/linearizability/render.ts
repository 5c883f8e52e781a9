/**
 * Diagrams of a violation: processes as lanes over (history) time, each op a bar from its
 * invoke to its completion, the op that cannot be linearized in red, the tail of the longest
 * linearizable prefix in green (numbered in linearization order), other concurrent ops grey,
 * indeterminate ops fading out to the right. Only the relevant window is drawn (the failing op,
 * its concurrent ops, the end of the prefix), so the SVG stays small for any history size.
 * The x axis is event order, not wall time: file order is the truth, and it keeps short ops
 * readable next to long ones.
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
const TOP = 48;

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

type Role = 'failing' | 'prefix' | 'concurrent';

/** The ops to draw, each once, with its role (failing > prefix > concurrent). */
function windowOps(v: Violation): { op: OpSummary; role: Role; order?: number }[] {
  const byIndex = new Map<number, { op: OpSummary; role: Role; order?: number }>();
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

export function renderViolationSvg(v: Violation, opts: RenderOptions = {}): string {
  const items = windowOps(v);
  // Columns: the distinct event positions in the window, in order.
  const events = new Set<number>();
  for (const { op } of items) {
    events.add(op.index);
    if (op.completeIndex >= 0) events.add(op.completeIndex);
  }
  const cols = [...events].sort((a, b) => a - b);
  const col = new Map(cols.map((e, i) => [e, i]));
  const lanes = [...new Set(items.map((i) => String(i.op.process)))];
  const lane = new Map(lanes.map((p, i) => [p, i]));
  const width = LEFT + (cols.length + 1) * STEP + 640;
  const height = TOP + lanes.length * LANE_H + 88;
  const x = (e: number) => LEFT + (col.get(e) ?? cols.length) * STEP;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace,Menlo,monospace" font-size="11">`,
  );
  out.push(
    '<defs><linearGradient id="fl-fade" x1="0" x2="1"><stop offset="0" stop-color="#999" stop-opacity="0.8"/><stop offset="1" stop-color="#999" stop-opacity="0"/></linearGradient></defs>',
  );
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  const title =
    opts.title ?? `Not linearizable${v.key === null ? '' : ` — key ${JSON.stringify(v.key)}`}`;
  out.push(`<text x="8" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="8" y="34" fill="#444">${esc(clip(v.message, 160))}</text>`);
  lanes.forEach((p, i) => {
    const y = TOP + i * LANE_H;
    out.push(
      `<line x1="${LEFT - 6}" x2="${width - 8}" y1="${y + LANE_H / 2}" y2="${y + LANE_H / 2}" stroke="#eee"/>`,
    );
    out.push(`<text x="8" y="${y + LANE_H / 2 + 4}" fill="#555">process ${esc(p)}</text>`);
  });
  const colors: Record<Role, string> = {
    failing: '#d62728',
    prefix: '#2ca02c',
    concurrent: '#9e9e9e',
  };
  for (const { op, role, order } of items) {
    const y = TOP + (lane.get(String(op.process)) ?? 0) * LANE_H + (LANE_H - BAR_H) / 2;
    const x0 = x(op.index);
    const open = op.completeIndex < 0;
    const x1 = open ? x0 + 3 * STEP : x(op.completeIndex);
    const w = Math.max(6, x1 - x0);
    const fill = open ? 'url(#fl-fade)' : colors[role];
    const stroke = role === 'failing' ? ' stroke="#7f0000" stroke-width="2"' : '';
    const label = `${order === undefined ? '' : `#${order} `}${op.description}`;
    const fits = Math.max(4, Math.floor(w / 7));
    // The failing op's label goes beside its bar when the bar is too short for it.
    const outside = role === 'failing' && label.length > fits;
    const text = outside
      ? `<text x="${x0 + w + 4}" y="${y + BAR_H - 5}" fill="#7f0000" font-weight="bold">${esc(clip(label, 90))}</text>`
      : `<text x="${x0 + 3}" y="${y + BAR_H - 5}" fill="${role === 'concurrent' ? '#222' : '#fff'}">${esc(clip(label, fits))}</text>`;
    out.push(
      `<g><title>${esc(`op ${op.index}..${open ? '∞' : op.completeIndex} process ${String(op.process)}: ${op.description}${op.status === 'info' ? ' (indeterminate)' : ''}`)}</title>` +
        `<rect x="${x0}" y="${y}" width="${w}" height="${BAR_H}" rx="3" fill="${fill}" fill-opacity="${role === 'concurrent' ? 0.55 : 0.85}"${stroke}/>` +
        `${text}</g>`,
    );
  }
  const prefix = v.prefixes[0];
  const ly = TOP + lanes.length * LANE_H + 22;
  out.push(
    `<text x="8" y="${ly}"><tspan fill="${colors.failing}">■ cannot be linearized</tspan>  <tspan fill="${colors.prefix}">■ end of longest linearizable prefix (#n = position)</tspan>  <tspan fill="#777">■ concurrent</tspan></text>`,
  );
  out.push(
    `<text x="8" y="${ly + 18}" fill="#7f0000">${esc(clip(`failing op ${v.op.index} (process ${String(v.op.process)}): ${v.op.description}`, 220))}</text>`,
  );
  if (prefix) {
    out.push(
      `<text x="8" y="${ly + 36}" fill="#333">${esc(clip(`after the ${prefix.length} ops of the longest linearizable prefix the state is ${prefix.state}`, 220))}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** A self-contained HTML page: verdict, one diagram and the text explanation per violation. */
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
            `<section>${renderViolationSvg(v)}<details><summary>explanation</summary><pre>${esc(formatViolationText(v))}</pre></details></section>`,
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
