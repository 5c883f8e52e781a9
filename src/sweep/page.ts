/**
 * sweep.html: the degradation curve of a load sweep, self-contained (uPlot inlined, data
 * embedded): ok/s and p50/p95/p99 against load, the knee marked, a table per level with its
 * error and info rates, verdict and the fault periods it ran under.
 */
import type { SweepFile } from './sweep.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ms = (ns: number) => (ns / 1e6).toFixed(2);

export function sweepPage(file: SweepFile, uplot: { js: string; css: string }): string {
  const rows = file.levels
    .map(
      (l, i) =>
        `<tr${file.knee?.index === i ? ' class="knee"' : ''}><td>${l.concurrency}</td><td>${l.rate ?? '-'}</td><td>${l.okPerSec.toFixed(1)}</td><td>${ms(l.p50)}</td><td>${ms(l.p95)}</td><td>${ms(l.p99)}</td><td>${ms(l.max)}</td><td>${(l.errorRate * 100).toFixed(2)}%</td><td>${(l.infoRate * 100).toFixed(2)}%</td><td>${esc(String(l.valid))}</td><td>${esc(l.faults.map((f) => `${f.kind} ${f.from.toFixed(1)}-${f.to.toFixed(1)} s`).join(', ') || 'none')}</td><td>${esc(l.runDir)}</td></tr>`,
    )
    .join('\n');
  const data = JSON.stringify(file).replace(/</g, '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Faultline sweep ${esc(file.workload)} on ${esc(file.cluster)}</title>
<style>${uplot.css}</style>
<style>
body{font:14px system-ui,sans-serif;margin:20px;color:#222}
table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
tr.knee{background:#fff3cd}.charts{display:flex;flex-wrap:wrap;gap:20px}
</style></head><body>
<h1>Load sweep: ${esc(file.workload)} on ${esc(file.cluster)}</h1>
<p>${esc(file.sweeping === 'rate' ? `open-loop rate sweep at ${file.levels[0]?.concurrency ?? '?'} workers` : 'concurrency sweep' + (file.levels[0]?.rate ? ' (open loop)' : ' (closed loop)'))}, ${file.timeLimitS} s per level, nemesis ${esc(file.nemesis)}.
<b id="knee">${esc(file.knee?.message ?? 'no knee: latency never grew faster than throughput')}</b></p>
<div class="charts"><div id="throughput"></div><div id="latency"></div></div>
<table id="levels"><thead><tr><th>workers</th><th>rate</th><th>ok/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th><th>info</th><th>verdict</th><th>faults</th><th>run</th></tr></thead>
<tbody>${rows}</tbody></table>
<script type="application/json" id="sweep-data">${data}</script>
<script>${uplot.js.replace(/<\/script/gi, '<\\/script')}</script>
<script>
(function () {
  var S = JSON.parse(document.getElementById('sweep-data').textContent);
  var xs = S.levels.map(function (l) { return S.sweeping === 'rate' ? l.rate : l.concurrency; });
  var knee = S.knee ? xs[S.knee.index] : null;
  var faulty = S.levels.map(function (l) { return l.faults.length > 0; });
  window.__sweepCharts = {};
  function mark(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    // Levels that ran under faults: a band around their point.
    faulty.forEach(function (f, i) {
      if (!f) return;
      var x = u.valToPos(xs[i], 'x', true);
      ctx.fillStyle = 'rgba(220,53,69,0.12)';
      ctx.fillRect(x - 8, b.top, 16, b.height);
    });
    if (knee !== null) {
      var kx = u.valToPos(knee, 'x', true);
      ctx.strokeStyle = '#d9822b'; ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
      ctx.beginPath(); ctx.moveTo(kx, b.top); ctx.lineTo(kx, b.top + b.height); ctx.stroke();
    }
    ctx.restore();
  }
  function chart(name, title, series, data, yLabel) {
    var opts = {
      title: title, width: 560, height: 320,
      scales: { x: { time: false, distr: 3 } },
      axes: [{ label: S.sweeping === 'rate' ? 'ops/s offered' : 'workers' }, { label: yLabel }],
      series: [{}].concat(series),
      hooks: { draw: [mark] },
    };
    var u = new uPlot(opts, [xs].concat(data), document.getElementById(name));
    window.__sweepCharts[name] = u.data.map(function (d) { return d.length; });
  }
  chart('throughput', 'throughput', [{ label: 'ok/s', stroke: '#2b7bd9', points: { show: true } }],
    [S.levels.map(function (l) { return l.okPerSec; })], 'ok/s');
  chart('latency', 'latency', [
    { label: 'p50 ms', stroke: '#3a9d23', points: { show: true } },
    { label: 'p95 ms', stroke: '#d9822b', points: { show: true } },
    { label: 'p99 ms', stroke: '#c0392b', points: { show: true } }],
    ['p50', 'p95', 'p99'].map(function (k) { return S.levels.map(function (l) { return l[k] / 1e6; }); }), 'ms');
})();
</script>
</body></html>
`;
}
