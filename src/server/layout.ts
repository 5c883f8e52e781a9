/**
 * The frame every server page shares: stylesheet, header with navigation, and small helpers
 * (verdict badges, times, sizes). Pages are plain strings; nothing loads from the network.
 */
import { esc } from '../report/html.js';
import type { Verdict } from './runs.js';

export { esc };

const CSS = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f3f4f6;--card:#fff;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header{display:flex;align-items:center;gap:28px;padding:12px 28px;background:#111827;color:#f9fafb}
header .brand{font-weight:700;font-size:18px;color:#fff;letter-spacing:.01em}
header nav a{color:#d1d5db;margin-right:18px;font-size:14px}
header nav a.on{color:#fff;font-weight:600;border-bottom:2px solid #60a5fa;padding-bottom:2px}
header .root{margin-left:auto;color:#9ca3af;font-size:12px;font-family:ui-monospace,monospace}
main{padding:18px 28px 60px;max-width:1400px;margin:0 auto}
h1{font-size:20px;margin:4px 0 14px;display:flex;align-items:center;gap:12px;flex-wrap:wrap}
h2{font-size:16px;margin:0 0 10px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:0 0 16px}
.muted{color:var(--muted)}.small{font-size:12px}.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#f9fafb;border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow:auto;margin:6px 0;white-space:pre-wrap;word-break:break-word}
.badge{white-space:nowrap;display:inline-block;padding:2px 9px;border-radius:999px;font-size:11.5px;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.badge.valid{background:#dcfce7;color:#166534}.badge.invalid{background:#fee2e2;color:#991b1b}
.badge.unknown{background:#fef3c7;color:#92400e}.badge.incomplete{background:#e5e7eb;color:#374151}.badge.running{background:#dbeafe;color:#1e40af}
h1 .badge{font-size:13px;padding:3px 12px}
h1 .button{font-size:14px;font-weight:600;margin-left:auto}
.crumbs{font-size:13px;color:var(--muted);margin-top:2px}
td.nowrap{white-space:nowrap}
.failed-checks{color:#991b1b;font-size:12px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:3px;vertical-align:middle}
.dot.valid{background:#22c55e}.dot.invalid{background:#ef4444}.dot.unknown{background:#f59e0b}.dot.incomplete{background:#9ca3af}
table.list{width:100%;border-collapse:collapse;background:var(--card)}
table.list th{text-align:left;font-weight:600;font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em;padding:8px 10px;border-bottom:2px solid var(--line);white-space:nowrap}
table.list td{padding:7px 10px;border-bottom:1px solid #f0f1f3;vertical-align:top}
table.list tr:hover td{background:#f9fafb}
table.list td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.list td.cmd{max-width:300px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:var(--muted)}
table.kv{border-collapse:collapse}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 16px 3px 0;vertical-align:top;white-space:nowrap}
table.kv td{padding:3px 0;word-break:break-word}
form.filters{display:flex;flex-wrap:wrap;gap:10px 14px;align-items:flex-end}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:3px}
form.filters input,form.filters select{font:inherit;padding:5px 8px;border:1px solid #d1d5db;border-radius:6px;background:#fff;color:var(--fg)}
form.filters input[type=search]{width:220px}
button,.button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;display:inline-block}
.button.secondary,button.secondary{background:#fff;color:var(--accent)}
.button:hover{text-decoration:none;filter:brightness(1.05)}
.counts{margin:12px 0 8px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.pager{display:flex;gap:10px;justify-content:flex-end;margin-top:10px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.banner{border-radius:8px;padding:10px 14px;margin:0 0 16px;border:1px solid}
.banner.error{background:#fef2f2;border-color:#fecaca;color:#991b1b}
.banner.note{background:#eff6ff;border-color:#bfdbfe;color:#1e40af}
div.table-wrap{overflow-x:auto}
ul.files{list-style:none;margin:0;padding:0;columns:2}ul.files li{padding:2px 0}
.stat{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.stat-label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.stat#ok{color:#15803d}.stat#fail{color:#b91c1c}.stat#info{color:#b45309}
#spark{max-width:240px;overflow:hidden}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:12px}
.chip{display:inline-block;padding:1px 8px;margin:2px 4px 2px 0;border-radius:999px;background:#fee2e2;color:#991b1b;font-size:12px;font-weight:600}
.empty{padding:28px;text-align:center;color:var(--muted)}
`;

export type NavTab = 'runs' | 'groups' | 'live' | 'none';

export function layout(
  title: string,
  tab: NavTab,
  body: string,
  root: string,
  script = '',
): string {
  const nav = (['runs', 'groups', 'live'] as const)
    .map((t) => {
      const href = t === 'runs' ? '/' : `/${t}`;
      const label = t === 'runs' ? 'Runs' : t === 'groups' ? 'Failure groups' : 'Live';
      return `<a href="${href}"${t === tab ? ' class="on"' : ''}>${label}</a>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Faultline</title><style>${CSS}</style></head>
<body><header><a class="brand" href="/">Faultline</a><nav>${nav}</nav><span class="root" title="results directory">${esc(root)}</span></header>
<main>${body}</main>${script ? `<script>${script}</script>` : ''}</body></html>
`;
}

export function badge(v: Verdict): string {
  return `<span class="badge ${v}">${v === 'incomplete' ? 'no result' : v}</span>`;
}

/** ISO -> `2026-11-21 16:00:24` (UTC, as the run stamps are). */
export function fmtTime(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '');
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `a/b c` -> `a/b%20c`: each segment encoded, separators kept. */
export function urlPath(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}
