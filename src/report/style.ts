/** The report's stylesheet and the outcome colours shared by the CSS and the page script. */
export const OUTCOME_COLORS = {
  ok: '#3b82f6',
  fail: '#e11d48',
  info: '#f59e0b',
  pending: '#8b5cf6',
  p50: '#2563eb',
  p95: '#f59e0b',
  p99: '#dc2626',
};

export const REPORT_CSS = `
:root{--ok:${OUTCOME_COLORS.ok};--fail:${OUTCOME_COLORS.fail};--info:${OUTCOME_COLORS.info};--pending:${OUTCOME_COLORS.pending};
--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f3f4f6;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;padding:16px 28px 12px;background:#111827;color:#f9fafb}
header h1{margin:0;font-size:22px;display:flex;align-items:center;gap:12px}
header .muted{color:#9ca3af;margin:4px 0 0}
header nav a{color:#d1d5db;margin-left:16px;text-decoration:none;font-size:13px}
header nav a:hover{color:#fff}
main{padding:18px 28px 60px;max-width:1600px;margin:0 auto}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:14px;margin:18px 0 6px;font-weight:600}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:18px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}
.card.wide{grid-column:1/-1}
.muted{color:var(--muted)}.small{font-size:12px}
ul.verdicts{list-style:none;margin:0;padding:0}ul.verdicts li{padding:5px 0;border-bottom:1px solid #f0f1f3}
ul.verdicts li:last-child{border-bottom:0}
.vhead{display:flex;justify-content:space-between;align-items:center;gap:8px;font-weight:600}.vhead a{color:var(--fg)}
.badge{white-space:nowrap;display:inline-block;padding:2px 9px;border-radius:999px;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;vertical-align:middle}
.badge.ok{background:#dcfce7;color:#166534}.badge.bad{background:#fee2e2;color:#991b1b}
.badge.unk{background:#fef3c7;color:#92400e}.badge.none{background:#e5e7eb;color:#374151}
header .badge{font-size:13px;padding:3px 12px}
table{border-collapse:collapse}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 14px 3px 0;vertical-align:top;white-space:nowrap}
table.kv td{padding:3px 8px 3px 0;word-break:break-word}
table.kv th a{color:var(--fg);font-weight:600}
table.grid{width:100%;font-size:13px}
table.grid th{text-align:left;color:var(--muted);font-weight:500;border-bottom:1px solid var(--line);padding:6px 8px}
table.grid td{border-bottom:1px solid #f0f1f3;padding:6px 8px;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.obs code{font-size:11px;color:#374151}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:4px}
pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f9fafb;border:1px solid var(--line);border-radius:8px;padding:10px;overflow:auto;max-height:420px}
.cmd{display:flex;gap:8px;align-items:center;background:#111827;border-radius:8px;padding:8px 10px}
.cmd code{background:none;color:#a7f3d0;font-size:13px;flex:1;word-break:break-all}
button{font:inherit;font-size:12px;border:1px solid #d1d5db;background:#fff;border-radius:6px;padding:3px 10px;cursor:pointer}
button:hover{background:#f3f4f6}
.cmd button{background:#374151;color:#f9fafb;border-color:#4b5563}
.check{border-left:4px solid #d1d5db;padding:4px 0 4px 14px;margin:12px 0}
.check.failed{border-left-color:var(--fail)}
.check h3{margin:0 0 4px;display:flex;gap:10px;align-items:center}
.check p{margin:2px 0 6px}
.evidence{margin:6px 0;padding-left:18px;max-height:260px;overflow:auto}
.evidence li{margin:2px 0}
.evidence code{font-size:11px}
a.jump{color:#1d4ed8;font-weight:600;text-decoration:none;font-size:12px;white-space:nowrap}
a.jump:hover{text-decoration:underline}
.diagram{overflow:auto;border:1px solid var(--line);border-radius:8px;padding:8px;margin:8px 0;background:#fff}
.diagram.linked{cursor:pointer}.diagram.linked:hover{border-color:#93c5fd}
.chart{min-height:250px;width:100%}
.legend{margin:0 0 4px}
.lg{display:inline-flex;align-items:center;gap:5px;margin-right:14px;font-size:13px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%}
.sw{display:inline-block;width:14px;height:10px;border:1px solid;border-radius:2px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.hint{color:var(--muted);font-size:12px;margin:2px 0 8px}
.btns{float:right}.btns button{margin-left:6px}
#fl-timeline{width:100%;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff;user-select:none}
#fl-timeline canvas{display:block;cursor:grab}
.selected{margin-top:8px;padding:8px 12px;border:1px dashed var(--line);border-radius:8px;min-height:38px}
.tip{position:fixed;z-index:10;pointer-events:none;background:#111827;color:#f9fafb;border-radius:8px;padding:8px 10px;font-size:12px;max-width:420px;box-shadow:0 4px 16px rgba(0,0,0,.25)}
.tip .dot,.selected .dot{margin-right:6px}
table.periods{width:auto;margin:6px 0}
.tip .tt-h{font-size:13px;margin-bottom:2px;word-break:break-word}.tip .tt-m{color:#9ca3af;margin-top:2px}
.tip .oc-ok{color:#93c5fd}.tip .oc-fail{color:#fda4af}.tip .oc-info{color:#fcd34d}
.oc-ok{color:var(--ok)}.oc-fail{color:var(--fail)}.oc-info{color:#b45309}.oc-pending{color:var(--pending)}
.selected .tt-m{color:var(--muted)}
.error{background:#fee2e2;color:#991b1b;border-radius:8px;padding:10px 14px;margin:0 0 12px}
.notes{background:#fef3c7;border-radius:8px;padding:6px 14px;margin:0 0 12px}.notes p{margin:4px 0}
ol.journal{font-size:12px;max-height:300px;overflow:auto}
.uplot{font-family:inherit}
.u-legend{font-size:12px}
`;
