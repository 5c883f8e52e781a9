/**
 * The transactional checker's part of report.html (and of `check --out`'s anomalies.html): per
 * anomaly type, each cycle drawn as a ring of transactions with typed arrows (ww, wr, rw,
 * process, realtime) next to its explanation as numbered steps; non-cycle anomalies as sentences.
 * Kept apart from the run card and the linearizability diagrams: it only reads the checker's
 * result (src/checkers/txn).
 */
import type { CheckResult } from '../checkers/result.js';
import type { ExplainedCycle, TxnAnomaly, TxnCheckResult } from '../checkers/txn/index.js';

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const EDGE_COLORS: Record<string, string> = {
  ww: '#1f77b4',
  wr: '#2ca02c',
  rw: '#d62728',
  process: '#7f7f7f',
  realtime: '#9467bd',
};

const isCycle = (a: TxnAnomaly): a is ExplainedCycle => Array.isArray((a as ExplainedCycle).steps);

/** An SVG ring: one circle per txn, one arrow per step, labelled with its edge type. */
export function cycleSvg(c: ExplainedCycle): string {
  const n = c.ops.length;
  const r = Math.max(80, n * 28);
  const size = 2 * r + 110;
  const cx = size / 2;
  const cy = size / 2;
  const pos = c.ops.map((_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
  });
  const markers = Object.entries(EDGE_COLORS)
    .map(
      ([t, col]) =>
        `<marker id="fl-txn-arrow-${t}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${col}"/></marker>`,
    )
    .join('');
  const arrows = c.steps
    .map((s, i) => {
      const a = pos[i]!;
      const b = pos[(i + 1) % n]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len;
      const uy = dy / len;
      const x1 = a.x + ux * 20;
      const y1 = a.y + uy * 20;
      const x2 = b.x - ux * 20;
      const y2 = b.y - uy * 20;
      // bend outwards so the two arrows of a 2-cycle do not overlap
      const mx = (x1 + x2) / 2 - uy * 18;
      const my = (y1 + y2) / 2 + ux * 18;
      const col = EDGE_COLORS[s.type] ?? '#000';
      // the label sits outside the arc, away from the ring's centre, so labels never collide
      const qx = (x1 + 2 * mx + x2) / 4;
      const qy = (y1 + 2 * my + y2) / 4;
      const ox = qx - cx;
      const oy = qy - cy;
      const ol = Math.hypot(ox, oy) || 1;
      const lx = qx + (ox / ol) * 14;
      const ly = qy + (oy / ol) * 14 + 4;
      return `<path d="M${x1.toFixed(1)},${y1.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}" fill="none" stroke="${col}" stroke-width="2" marker-end="url(#fl-txn-arrow-${esc(s.type)})"><title>${esc(`${i + 1}. ${s.text}`)}</title></path><text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" font-size="12" fill="${col}" text-anchor="middle">${i + 1}. ${esc(s.type)}</text>`;
    })
    .join('');
  const nodes = c.ops
    .map(
      (op, i) =>
        `<g><circle cx="${pos[i]!.x.toFixed(1)}" cy="${pos[i]!.y.toFixed(1)}" r="18" fill="#fff" stroke="#333" stroke-width="1.5"/><text x="${pos[i]!.x.toFixed(1)}" y="${(pos[i]!.y + 4).toFixed(1)}" font-size="11" text-anchor="middle">T${op}</text></g>`,
    )
    .join('');
  return `<svg class="fl-txn-cycle" xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="${esc(c.type)} cycle"><defs>${markers}</defs>${arrows}${nodes}</svg>`;
}

/** The HTML fragment for one list-append result. */
export function renderTxnSection(r: TxnCheckResult, perType = 3): string {
  const parts: string[] = [];
  const types = r.anomalyTypes;
  parts.push(
    `<p class="fl-txn-summary">${types.length ? `anomalies: ${types.map((t) => `<b>${esc(t)}</b> ×${r.anomalyCounts[t]}`).join(', ')}` : 'no anomalies'}${r.not.length ? `; rules out <b>${esc(r.not.join(', '))}</b>${r.alsoNot.length ? ` (and stronger: ${esc(r.alsoNot.join(', '))})` : ''}` : ''}; checked as <b>${esc(r.consistencyModel)}</b>.</p>`,
  );
  for (const t of types) {
    const list = (r.anomalies[t] ?? []).slice(0, perType);
    if (list.length === 0) continue;
    parts.push(`<h4>${esc(t)}</h4>`);
    for (const a of list) {
      if (isCycle(a)) {
        parts.push(
          `<div class="fl-txn-anomaly" style="display:flex;gap:1em;align-items:flex-start;flex-wrap:wrap">${cycleSvg(a)}<ol>${a.steps.map((s) => `<li>${esc(s.text)}</li>`).join('')}<li style="list-style:none"><b>${esc([...a.ops, a.ops[0]].map((i) => `T${i}`).join(' < '))}</b>: no order of the transactions satisfies this.</li></ol></div>`,
        );
      } else parts.push(`<p class="fl-txn-anomaly">${esc(a.explanation)}</p>`);
    }
  }
  parts.push(
    '<p class="muted small">Tn is the transaction whose completion is op n of the history.</p>',
  );
  return parts.join('\n');
}

/** Diagrams for report.html: one fragment per list-append check that found anything. */
export function txnDiagrams(checks: Record<string, CheckResult>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, r] of Object.entries(checks)) {
    if (
      (r?.checker !== 'list-append' && r?.checker !== 'rw-register') ||
      !Array.isArray(r.anomalyTypes)
    )
      continue;
    if ((r.anomalyTypes as unknown[]).length === 0) continue;
    out[name] = renderTxnSection(r as unknown as TxnCheckResult);
  }
  return out;
}

/** A standalone page (for `check --out`). */
export function renderTxnHtml(r: TxnCheckResult, title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}.muted{color:#666}.small{font-size:.85em}</style></head><body><h1>${esc(title)}</h1><p>verdict: <b>${esc(r.valid)}</b></p>${renderTxnSection(r, 8)}</body></html>\n`;
}
