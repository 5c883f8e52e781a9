/**
 * The live page: the daemon's current trial as it runs. The page is a frame; a small script
 * listens to /api/events?state=1 and re-renders from each `state` frame (the server folds the
 * events, so the browser holds no copy of that logic), keeping the last ops/s values for a sparkline.
 */
import { layout } from './layout.js';

const SCRIPT = String.raw`
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function badge(v) {
    var k = v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
    return '<span class="badge ' + k + '">' + k + '</span>';
  }
  function runLink(ids, dir, label) {
    var id = ids[dir];
    if (!id) return '<span class="mono small">' + esc(label || dir) + '</span>';
    return '<a class="mono small" href="/runs/' + id.split('/').map(encodeURIComponent).join('/') + '">' + esc(label || id) + '</a>';
  }
  var points = [];
  var lastTrial = null;
  var lastElapsed = -1;
  function spark() {
    var w = 240, h = 40, n = points.length;
    if (n < 2) { $('spark').innerHTML = ''; return; }
    var max = Math.max.apply(null, points.concat([1]));
    var d = points.map(function (p, i) {
      return (i ? 'L' : 'M') + (i * w / (n - 1)).toFixed(1) + ',' + (h - 2 - p / max * (h - 4)).toFixed(1);
    }).join('');
    $('spark').innerHTML = '<svg width="100%" height="' + h + '" preserveAspectRatio="none" viewBox="0 0 ' + w + ' ' + h + '"><path d="' + d + '" fill="none" stroke="#2563eb" stroke-width="1.5" vector-effect="non-scaling-stroke"/></svg>';
  }
  function render(s) {
    $('detached').style.display = s.attached ? 'none' : '';
    $('daemon').textContent = s.attached ? s.daemon : 'no daemon attached';
    $('daemon').className = 'badge ' + (s.daemon === 'running' ? 'valid' : s.daemon === 'stopping' ? 'unknown' : 'incomplete');
    var t = s.totals;
    $('totals').textContent = t.trials + ' trials: ' + t.valid + ' valid, ' + t.invalid + ' invalid, ' + t.unknown + ' unknown';
    var c = s.current, sh = s.shrinking;
    if (c && c.trial !== lastTrial) { points = []; lastTrial = c.trial; lastElapsed = -1; }
    $('current').style.display = c ? '' : 'none';
    $('shrinking').style.display = sh ? '' : 'none';
    $('idle').style.display = c || sh ? 'none' : '';
    if (sh) {
      $('shrink-trial').innerHTML = '#' + sh.trial + ' · seed <span class="mono">' + sh.seed + '</span> · ' + runLink(s.runIds, sh.runDir);
      $('shrink-step').textContent = sh.step;
      $('shrink-size').textContent = sh.size === null ? '–' : sh.size;
      $('shrink-candidate').textContent = sh.candidateSize === null ? '–' : sh.candidateSize;
      $('shrink-repro').textContent = sh.attempts === null ? '–' : sh.failures + ' / ' + sh.attempts;
      var a = sh.attempt;
      $('shrink-attempt').innerHTML = a
        ? 'running attempt <span class="mono">' + esc(a.label) + '</span>: ' + (a.elapsedMs / 1000).toFixed(1) + ' s, ok ' + a.ok + ' fail ' + a.fail + ' info ' + a.info
        : 'starting the first attempt…';
    }
    if (c) {
      // One point per progress report (state frames also follow fault events).
      if (c.elapsedMs > 0 && c.elapsedMs !== lastElapsed) {
        lastElapsed = c.elapsedMs;
        points.push(c.opsPerSec);
        if (points.length > 120) points.shift();
      }
      $('trial').innerHTML = '#' + c.trial + ' · seed <span class="mono">' + (c.seed === null ? '–' : c.seed) + '</span> · ' + runLink(s.runIds, c.runDir);
      $('elapsed').textContent = (c.elapsedMs / 1000).toFixed(1) + ' s';
      $('ops').textContent = c.opsPerSec.toFixed(0);
      $('ok').textContent = c.ok; $('fail').textContent = c.fail; $('info').textContent = c.info;
      $('faults').innerHTML = c.activeFaults.length
        ? c.activeFaults.map(function (f) { return '<span class="chip">' + esc(f) + '</span>'; }).join('')
        : '<span class="muted">none</span>';
      $('shrink').textContent = c.shrink ? 'shrinking: step ' + c.shrink.step + ', schedule size ' + c.shrink.size : '';
      spark();
    }
    $('fault-log').innerHTML = s.faults.slice().reverse().map(function (f) {
      return '<tr><td class="num">#' + f.trial + (f.shrink ? ' <span class="muted small">shrink</span>' : '') + '</td><td class="mono">' + esc(f.id) + '</td><td>' + esc(f.kind) + '</td><td>' + esc(f.event) + '</td><td class="mono small">' + esc((f.targets || []).join(', ')) + '</td></tr>';
    }).join('') || '<tr><td colspan="5" class="muted">no faults yet</td></tr>';
    $('finished').innerHTML = s.finished.slice().reverse().map(function (f) {
      return '<tr><td class="num">#' + f.trial + '</td><td>' + badge(f.valid) + '</td><td>' + runLink(s.runIds, f.runDir) + '</td><td class="mono small">' + esc(f.signature || '') + '</td></tr>';
    }).join('') || '<tr><td colspan="4" class="muted">no trial has finished yet</td></tr>';
  }
  var es = new EventSource('/api/events?state=1');
  es.addEventListener('state', function (m) { render(JSON.parse(m.data)); $('conn').textContent = 'connected'; });
  es.onerror = function () { $('conn').textContent = 'reconnecting…'; };
})();
`;

export function livePage(root: string): string {
  const stat = (id: string, label: string) =>
    `<div><div class="stat" id="${id}">–</div><div class="stat-label">${label}</div></div>`;
  const body = `<h1>Live <span id="daemon" class="badge incomplete">…</span> <span class="muted small" id="conn">connecting…</span></h1>
<section><div id="totals" class="muted">–</div></section>
<section id="idle"><div class="empty">No trial is running.<span id="detached"><br>This server has no live stream: trials appear here when it is started by <code>faultline daemon</code>.</span></div></section>
<section id="current" style="display:none"><h2>Current trial <span id="trial"></span></h2>
<div class="stats">${stat('elapsed', 'elapsed')}${stat('ops', 'ops/s')}${stat('ok', 'ok')}${stat('fail', 'fail')}${stat('info', 'info')}<div><div id="spark"></div><div class="stat-label">ops/s trend</div></div></div>
<p><span class="stat-label">active faults</span> <span id="faults"></span></p><p id="shrink" class="muted"></p></section>
<section id="shrinking" style="display:none"><h2>Shrinking trial <span id="shrink-trial"></span></h2>
<div class="stats">${stat('shrink-step', 'steps decided')}${stat('shrink-candidate', 'last candidate (ops+faults)')}${stat('shrink-repro', 'reproduced (failures / runs)')}${stat('shrink-size', 'smallest failing so far')}</div>
<p id="shrink-attempt" class="muted"></p></section>
<div class="grid"><section><h2>Fault events</h2><table class="list"><thead><tr><th>Trial</th><th>Id</th><th>Kind</th><th>Event</th><th>Targets</th></tr></thead><tbody id="fault-log"></tbody></table></section>
<section><h2>Finished trials</h2><table class="list"><thead><tr><th>Trial</th><th>Verdict</th><th>Run</th><th>Signature</th></tr></thead><tbody id="finished"></tbody></table></section></div>`;
  return layout('Live', 'live', body, root, SCRIPT);
}
