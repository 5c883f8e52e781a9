/**
 * The page script of report.html (plain browser JS, inlined; no network). It decodes the
 * embedded columns, draws the perf plots with uPlot and the per-process timeline on a canvas,
 * and keeps one shared time view so zooming any plot zooms them all.
 *
 * Kept as a string because the page must be self-contained and the build (tsc) copies no assets.
 * Written without backticks and without dollar-brace so it can live in String.raw below.
 * The page exposes `window.__faultline` (charts, timeline stats, errors) for tests.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var state = (window.__faultline = { ready: false, charts: {}, timeline: null, errors: [] });
  window.addEventListener('error', function (e) { state.errors.push(String(e.message)); showError(String(e.message)); });
  function showError(msg) {
    var el = $('fl-error');
    if (el) { el.hidden = false; el.textContent = 'Report script error: ' + msg; }
  }

  var D = JSON.parse($('fl-data').textContent);
  var C = D.colors;
  var OUT = ['ok', 'fail', 'info', 'pending'];

  // ---- decode the op columns ------------------------------------------------------------
  function buf(s) {
    var bin = atob(s), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u.buffer;
  }
  function col(c) { // see UintColumn in page-data.ts
    var b = buf(c.data);
    var a = c.enc === 'u8' ? new Uint8Array(b) : c.enc === 'u16' ? new Uint16Array(b) : c.enc === 'u32' ? new Uint32Array(b) : new Float64Array(b);
    if (!c.delta) return a;
    var out = new Float64Array(a.length), acc = 0;
    for (var i = 0; i < a.length; i++) { acc += a[i]; out[i] = acc; }
    return out;
  }
  var O = D.ops, N = O.count;
  var startUs = col(O.startUs), durUs = col(O.durUs);
  var start = new Float64Array(N), dur = new Float64Array(N), end = new Float64Array(N);
  for (var i = 0; i < N; i++) {
    start[i] = startUs[i] / 1e6; // seconds since run start
    dur[i] = durUs[i] / 1000; // ms
    end[i] = (startUs[i] + durUs[i]) / 1e6;
  }
  var lane = col(O.lane), outcome = col(O.outcome), fn = col(O.fn), proc = col(O.process);
  var hidx = col(O.index), err = col(O.error), textId = col(O.text);
  var FULL = [0, Math.max(D.endS, 1e-3)];

  // ---- formatting -----------------------------------------------------------------------
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fmtMs(x) {
    if (x < 1) return (x * 1000).toFixed(0) + ' µs';
    if (x < 1000) return x.toFixed(x < 10 ? 2 : 1) + ' ms';
    return (x / 1000).toFixed(2) + ' s';
  }
  function fmtS(s) { return s.toFixed(s < 10 ? 4 : 3) + ' s'; }
  function axisS(v) { return +v.toPrecision(6) + 's'; }
  function opHtml(r) {
    var o = outcome[r], e = err[r];
    return '<div class="tt-h"><span class="dot" style="background:' + C[OUT[o]] + '"></span><b>' +
      esc(D.fns[fn[r]]) + '</b> ' + esc(D.texts[textId[r]]) + '</div>' +
      '<div><b class="oc-' + OUT[o] + '">' + OUT[o] + '</b>' + (e ? ' · ' + esc(D.errors[e - 1]) : '') + '</div>' +
      '<div class="tt-m">process ' + proc[r] + ' (' + esc(D.lanes[lane[r]]) + ') · history #' + hidx[r] + '<br>invoked at ' + fmtS(start[r]) +
      ' · took ' + fmtMs(dur[r]) + '</div>';
  }
  function faultHtml(f) {
    return '<div class="tt-h"><span class="dot" style="background:' + D.kindColors[f.kind] + '"></span><b>' +
      esc(f.kind) + '</b> ' + esc(f.label) + '</div><div>' + esc(f.status) + '</div><div class="tt-m">' +
      fmtS(f.start) + ' → ' + (f.end === null ? 'end (not healed)' : fmtS(f.end)) + '</div>';
  }
  var tip = $('fl-tip');
  function showTip(html, cx, cy) {
    tip.innerHTML = html;
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = cx + 14, y = cy + 14;
    if (x + w > window.innerWidth - 8) x = cx - w - 14;
    if (y + h > window.innerHeight - 8) y = cy - h - 14;
    tip.style.left = Math.max(4, x) + 'px';
    tip.style.top = Math.max(4, y) + 'px';
  }
  function hideTip() { tip.hidden = true; }
  function lowerBound(arr, v, lo, hi) { // first i in [lo,hi) with arr[i] >= v
    while (lo < hi) { var m = (lo + hi) >> 1; if (arr[m] < v) lo = m + 1; else hi = m; }
    return lo;
  }
  function alpha(hex, a) { return hex + ('0' + Math.round(a * 255).toString(16)).slice(-2); }

  // ---- shared view ----------------------------------------------------------------------
  var view = FULL.slice();
  var highlight = null; // {t0, t1, rows}
  var selected = -1;
  var viewListeners = [];
  function setView(t0, t1, src) {
    var span = Math.min(Math.max(t1 - t0, 1e-6), FULL[1] - FULL[0]);
    if (t0 < FULL[0]) t0 = FULL[0];
    if (t0 + span > FULL[1]) t0 = FULL[1] - span;
    view = [t0, t0 + span];
    for (var i = 0; i < viewListeners.length; i++) if (viewListeners[i].src !== src) viewListeners[i].fn(view[0], view[1]);
  }
  function focusRange(t0, t1, rows) {
    var span = Math.max(t1 - t0, 0.002);
    var pad = span * 0.75 + 0.001;
    highlight = { t0: t0, t1: t1, rows: rows || [] };
    if (highlight.rows.length) $('fl-selected').innerHTML = opHtml(highlight.rows[0]);
    setView(t0 - pad, t1 + pad, null);
    redrawCharts();
    $('fl-timeline-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  function focusOp(r) {
    selected = r;
    $('fl-selected').innerHTML = opHtml(r);
    focusRange(start[r], end[r], [r]);
  }

  // ---- uPlot charts ---------------------------------------------------------------------
  var charts = [];
  function redrawCharts() { for (var i = 0; i < charts.length; i++) charts[i].redraw(false); }
  function shade(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    for (var i = 0; i < D.faults.length; i++) {
      var f = D.faults[i];
      var x0 = u.valToPos(f.start, 'x', true), x1 = u.valToPos(f.end === null ? FULL[1] : f.end, 'x', true);
      ctx.fillStyle = alpha(D.kindColors[f.kind], 0.14);
      ctx.fillRect(x0, b.top, Math.max(x1 - x0, 1), b.height);
    }
    if (highlight) {
      var h0 = u.valToPos(highlight.t0, 'x', true), h1 = u.valToPos(highlight.t1, 'x', true);
      ctx.fillStyle = 'rgba(17,24,39,0.10)';
      ctx.fillRect(h0 - 1, b.top, Math.max(h1 - h0, 0) + 2, b.height);
    }
    ctx.restore();
  }
  // The y axis is as wide as its widest tick label (plus tick and gap), so the axis title
  // beside it never overlaps a label like "100.0 ms".
  var measureCtx = document.createElement('canvas').getContext('2d');
  function yAxisSize(u, values) {
    if (!values || !values.length) return 50;
    measureCtx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    var w = 0;
    for (var i = 0; i < values.length; i++) w = Math.max(w, measureCtx.measureText(String(values[i] == null ? '' : values[i])).width);
    return Math.ceil(w) + 22;
  }
  function baseOpts(el, name, yLabel, log) {
    var syncing = false;
    var entry = { src: name, fn: null };
    var opts = {
      width: Math.max(el.clientWidth, 300),
      height: 250,
      scales: { x: { time: false, auto: false, range: function () { return view.slice(); } }, y: log ? { distr: 3 } : { auto: true } },
      axes: [
        { values: function (u, vals) { return vals.map(axisS); }, grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d0d4da' } },
        { label: yLabel, size: yAxisSize, grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d0d4da' } },
      ],
      cursor: {
        sync: { key: 'faultline' },
        drag: { x: true, y: false, setScale: true },
        bind: {
          dblclick: function () { return function () { setView(FULL[0], FULL[1], null); return null; }; },
        },
      },
      hooks: {
        drawClear: [shade],
        setScale: [function (u, key) {
          if (key === 'x' && !syncing) setView(u.scales.x.min, u.scales.x.max, name);
        }],
      },
    };
    entry.fn = function (t0, t1) {
      var u = state.charts[name];
      if (!u) return;
      syncing = true;
      u.setScale('x', { min: t0, max: t1 });
      syncing = false;
    };
    viewListeners.push(entry);
    if (log) opts.axes[1].values = function (u, vals) { return vals.map(function (v) { return v == null ? '' : fmtMs(v); }); };
    return opts;
  }
  var noPath = function () { return null; };

  function latencyScatter() {
    var el = $('fl-latency');
    var rows = col(D.scatter);
    var n = rows.length, xs = new Float64Array(n);
    var ys = [[], [], [], []];
    for (var i = 0; i < n; i++) {
      var r = rows[i], o = outcome[r] === 3 ? 2 : outcome[r];
      xs[i] = start[r];
      for (var s = 0; s < 3; s++) ys[s].push(s === o ? Math.max(dur[r], 1e-3) : null);
    }
    var opts = baseOpts(el, 'latency', 'latency', true);
    opts.series = [
      { label: 'time' },
      { label: 'ok', stroke: C.ok, fill: C.ok, paths: noPath, points: { show: false } },
      { label: 'fail', stroke: C.fail, fill: C.fail, paths: noPath, points: { show: false } },
      { label: 'info', stroke: C.info, fill: C.info, paths: noPath, points: { show: false } },
    ];
    opts.legend = { live: false };
    opts.cursor.points = { show: false };
    var drawOrder = [2, 1, 3]; // fail, ok, info (rarest last, on top)
    opts.hooks.draw = [function (u) {
      var ctx = u.ctx, b = u.bbox, pr = uPlot.pxRatio, half = 1.6 * pr;
      var i0 = lowerBound(xs, u.scales.x.min, 0, n), i1 = lowerBound(xs, u.scales.x.max, i0, n);
      ctx.save();
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      for (var d = 0; d < drawOrder.length; d++) {
        var s = drawOrder[d];
        if (!u.series[s].show) continue;
        var ys = u.data[s];
        ctx.fillStyle = s === 3 ? C.info : alpha(C[OUT[s - 1]], 0.8);
        ctx.beginPath();
        for (var i = i0; i <= i1 && i < n; i++) {
          var y = ys[i];
          if (y == null) continue;
          var px = u.valToPos(xs[i], 'x', true), py = u.valToPos(y, 'y', true);
          ctx.rect(px - half, py - half, 2 * half, 2 * half);
        }
        ctx.fill();
      }
      ctx.restore();
    }];
    var hovered = -1, inside = false;
    opts.hooks.setCursor = [function (u) {
      var left = u.cursor.left, top = u.cursor.top;
      hovered = -1;
      if (!inside || left == null || left < 0) { if (inside) hideTip(); return; }
      var t0 = u.posToVal(left - 8, 'x'), t1 = u.posToVal(left + 8, 'x');
      var best = 64;
      for (var i = lowerBound(xs, t0, 0, n); i < n && xs[i] <= t1; i++) {
        for (var s = 1; s <= 3; s++) {
          var y = u.data[s][i];
          if (y == null || !u.series[s].show) continue;
          var dx = u.valToPos(xs[i], 'x') - left, dy = u.valToPos(y, 'y') - top, dd = dx * dx + dy * dy;
          if (dd < best) { best = dd; hovered = rows[i]; }
        }
      }
      if (hovered < 0) { hideTip(); return; }
      var rect = u.over.getBoundingClientRect();
      showTip(opHtml(hovered) + '<div class="tt-m">click: show in timeline</div>', rect.left + left, rect.top + top);
    }];
    var u = new uPlot(opts, [xs, ys[0], ys[1], ys[2]], el);
    u.over.addEventListener('mouseenter', function () { inside = true; });
    u.over.addEventListener('mouseleave', function () { inside = false; hideTip(); });
    u.over.addEventListener('click', function () { if (hovered >= 0) focusOp(hovered); });
    state.charts.latency = u;
    charts.push(u);
  }

  function quantiles() {
    var el = $('fl-quantiles'), B = D.buckets;
    var pos = function (a) { return a.map(function (v) { return v == null ? null : Math.max(v, 1e-3); }); };
    var opts = baseOpts(el, 'quantiles', 'latency (ok ops)', true);
    opts.series = [
      { label: 'time', value: function (u, v) { return v == null ? '' : axisS(v); } },
      { label: 'p50', stroke: C.p50, width: 1.5, value: function (u, v) { return v == null ? '–' : fmtMs(v); } },
      { label: 'p95', stroke: C.p95, width: 1.5, value: function (u, v) { return v == null ? '–' : fmtMs(v); } },
      { label: 'p99', stroke: C.p99, width: 1.5, value: function (u, v) { return v == null ? '–' : fmtMs(v); } },
    ];
    var u = new uPlot(opts, [B.t, pos(B.p50), pos(B.p95), pos(B.p99)], el);
    state.charts.quantiles = u;
    charts.push(u);
  }

  function throughput() {
    var el = $('fl-throughput'), B = D.buckets;
    var opts = baseOpts(el, 'throughput', 'ops/s', false);
    var stepped = uPlot.paths.stepped({ align: 1 });
    var fmt = function (u, v) { return v == null ? '–' : v.toFixed(1) + '/s'; };
    opts.series = [
      { label: 'time', value: function (u, v) { return v == null ? '' : axisS(v); } },
      { label: 'ok', stroke: C.ok, fill: alpha(C.ok, 0.12), paths: stepped, width: 1.5, value: fmt },
      { label: 'fail', stroke: C.fail, fill: alpha(C.fail, 0.12), paths: stepped, width: 1.5, value: fmt },
      { label: 'info', stroke: C.info, fill: alpha(C.info, 0.12), paths: stepped, width: 1.5, value: fmt },
    ];
    var u = new uPlot(opts, [B.t, B.ok, B.fail, B.info], el);
    state.charts.throughput = u;
    charts.push(u);
  }

  // Node resources (resources.jsonl): one line per node, fault periods shaded like the plots above.
  function resourceCharts() {
    var R = D.resources;
    if (!R) return;
    var palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];
    [['rss', 'RSS MiB', R.rssMiB, ' MiB'], ['cpu', 'CPU %', R.cpuPct, '%'], ['fds', 'open files', R.fds, '']].forEach(function (m) {
      var el = $('fl-' + m[0]);
      if (!el) return;
      var opts = baseOpts(el, m[0], m[1], false);
      opts.series = [{ label: 'time', value: function (u, v) { return v == null ? '' : axisS(v); } }].concat(R.nodes.map(function (n, i) {
        return { label: n, stroke: palette[i % palette.length], width: 1.5, spanGaps: false,
          value: function (u, v) { return v == null ? '–' : v.toFixed(m[0] === 'fds' ? 0 : 1) + m[3]; } };
      }));
      var u = new uPlot(opts, [R.t].concat(m[2]), el);
      state.charts[m[0]] = u;
      charts.push(u);
    });
  }

  // ---- timeline -------------------------------------------------------------------------
  function Timeline() {
    var wrap = $('fl-timeline'), canvas = document.createElement('canvas');
    wrap.appendChild(canvas);
    var ctx = canvas.getContext('2d');
    var nLanes = D.lanes.length;
    var kinds = [];
    D.faults.forEach(function (f) { if (kinds.indexOf(f.kind) < 0) kinds.push(f.kind); });
    // Rows of each lane, in start order (global rows are sorted by start; lanes never overlap,
    // so within a lane both start and end increase and a binary search finds the visible range).
    var laneStart = new Int32Array(nLanes + 1), laneRows = new Int32Array(N), fill = new Int32Array(nLanes);
    for (var i = 0; i < N; i++) laneStart[lane[i] + 1]++;
    for (var l = 0; l < nLanes; l++) laneStart[l + 1] += laneStart[l];
    for (var r = 0; r < N; r++) laneRows[laneStart[lane[r]] + fill[lane[r]]++] = r;
    var laneEnds = new Float64Array(N);
    for (var q = 0; q < N; q++) laneEnds[q] = end[laneRows[q]];

    var G = 70, RIGHT = 10, AXIS = 24, FROW = 16, GAP = 8;
    var W = 0, H = 0, laneH = 10, lanesTop = 0, dpr = 1;
    var stats = { rects: 0, draws: 0, lanes: nLanes, width: 0, height: 0 };
    state.timeline = stats;
    function layout() {
      dpr = window.devicePixelRatio || 1;
      W = Math.max(wrap.clientWidth, 320);
      laneH = Math.max(2, Math.min(16, Math.floor(560 / Math.max(nLanes, 1))));
      lanesTop = AXIS + kinds.length * FROW + (kinds.length ? GAP : 0);
      H = lanesTop + nLanes * laneH + 6;
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
      canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
      stats.width = W; stats.height = H;
    }
    function X(t) { return G + (t - view[0]) / (view[1] - view[0]) * (W - G - RIGHT); }
    function T(x) { return view[0] + (x - G) / (W - G - RIGHT) * (view[1] - view[0]); }
    function niceStep(raw) {
      var p = Math.pow(10, Math.floor(Math.log10(raw)));
      var ms = [1, 2, 5, 10];
      for (var i = 0; i < ms.length; i++) if (ms[i] * p >= raw) return ms[i] * p;
      return 10 * p;
    }
    var pending = false, cols = null;
    function schedule() { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; draw(); }); } }
    function draw() {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, W, H);
      var plotR = W - RIGHT, lanesH = nLanes * laneH;
      // alternate lane stripes
      ctx.fillStyle = '#f6f7f9';
      for (var l = 0; l < nLanes; l += 2) ctx.fillRect(G, lanesTop + l * laneH, plotR - G, laneH);
      ctx.save();
      ctx.beginPath(); ctx.rect(G, 0, plotR - G, H); ctx.clip();
      // fault periods: a bar per kind row, and a light band across the lanes
      D.faults.forEach(function (f) {
        var x0 = X(f.start), x1 = X(f.end === null ? FULL[1] : f.end);
        if (x1 < G || x0 > plotR) return;
        var col = D.kindColors[f.kind], y = AXIS + kinds.indexOf(f.kind) * FROW;
        ctx.fillStyle = alpha(col, 0.13);
        ctx.fillRect(x0, lanesTop, Math.max(x1 - x0, 1), lanesH);
        ctx.fillStyle = alpha(col, 0.45);
        ctx.fillRect(x0, y + 2, Math.max(x1 - x0, 1), FROW - 4);
        var a0 = f.applied === null ? null : X(f.applied), a1 = X(f.stopInvoked === null ? (f.end === null ? FULL[1] : f.end) : f.stopInvoked);
        if (a0 !== null) { ctx.fillStyle = f.status === 'failed' ? '#991b1b' : col; ctx.fillRect(a0, y + 2, Math.max(a1 - a0, 1), FROW - 4); }
        var lbl = f.label + (f.status === 'verified' ? ' ✓' : f.status === 'failed' ? ' ✗' : '');
        var tx = Math.max(x0, G) + 4;
        if (x1 - tx > 30) {
          ctx.fillStyle = '#ffffff'; ctx.font = '600 10px system-ui, sans-serif'; ctx.textBaseline = 'middle';
          ctx.save(); ctx.beginPath(); ctx.rect(tx - 2, y, x1 - tx, FROW); ctx.clip();
          ctx.fillText(lbl, tx, y + FROW / 2); ctx.restore();
        }
      });
      // ops: per lane, only the visible range. Ops at least 2 px wide are drawn as bars (touching
      // bars of one outcome merge); narrower ops add their width to their pixel column, and each
      // column is drawn as a stack of outcome shares, so a zoomed-out lane shows what it was
      // doing (mostly ok, some failures) instead of whichever outcome was painted last.
      var paths = [new Path2D(), new Path2D(), new Path2D(), new Path2D()];
      var rects = 0, v0 = view[0], v1 = view[1];
      var pad = laneH >= 6 ? 1 : 0, bh = laneH - 2 * pad;
      var ncols = Math.ceil(W) + 1;
      if (!cols || cols.length < ncols * 4) cols = new Float32Array(ncols * 4);
      var STACK = [1, 2, 3, 0];
      var labelled = bh >= 11, labels = [];
      for (var ln = 0; ln < nLanes; ln++) {
        var a = laneStart[ln], b = laneStart[ln + 1], y0 = lanesTop + ln * laneH + pad;
        var k = lowerBound(laneEnds, v0, a, b);
        var rO = -1, rX0 = 0, rX1 = 0, cmin = ncols, cmax = -1;
        for (; k < b; k++) {
          var row = laneRows[k];
          if (start[row] > v1) break;
          var o = outcome[row], x0 = X(start[row]), x1 = X(end[row]);
          if (x1 - x0 < 2) {
            var c = Math.min(ncols - 1, Math.max(0, Math.floor(x0)));
            cols[c * 4 + o] += Math.max(x1 - x0, 0.05);
            if (c < cmin) cmin = c;
            if (c > cmax) cmax = c;
            continue;
          }
          if (x1 - x0 >= 4) x1 -= 1; // a gap between neighbours, once they are wide enough
          if (labelled && x1 - x0 > 34) labels.push(row, x0, x1, y0);
          if (o === rO && x0 <= rX1 + 0.25) { if (x1 > rX1) rX1 = x1; continue; }
          if (rO >= 0) { paths[rO].rect(rX0, y0, rX1 - rX0, bh); rects++; }
          rO = o; rX0 = x0; rX1 = x1;
        }
        if (rO >= 0) { paths[rO].rect(rX0, y0, rX1 - rX0, bh); rects++; }
        for (var cc = cmin; cc <= cmax; cc++) {
          var base = cc * 4, sum = cols[base] + cols[base + 1] + cols[base + 2] + cols[base + 3];
          if (sum === 0) continue;
          var y = y0;
          for (var si = 0; si < 4; si++) {
            var so = STACK[si], v = cols[base + so];
            if (v === 0) continue;
            var hh = bh * v / sum;
            paths[so].rect(cc, y, 1, hh); rects++;
            y += hh;
            cols[base + so] = 0;
          }
        }
      }
      [0, 3, 2, 1].forEach(function (o) { ctx.fillStyle = C[OUT[o]]; ctx.fill(paths[o]); });
      // op labels (f and value) on bars wide enough to read them, as in Jepsen's timeline
      ctx.font = '10px system-ui, sans-serif'; ctx.textBaseline = 'middle'; ctx.fillStyle = '#ffffff';
      for (var li = 0; li < labels.length; li += 4) {
        var lr = labels[li], lx0 = Math.max(labels[li + 1], G), lx1 = labels[li + 2];
        if (lx1 - lx0 < 30) continue;
        ctx.save(); ctx.beginPath(); ctx.rect(lx0, labels[li + 3], lx1 - lx0 - 2, bh); ctx.clip();
        ctx.fillText(D.fns[fn[lr]] + ' ' + D.texts[textId[lr]], lx0 + 3, labels[li + 3] + bh / 2 + 0.5);
        ctx.restore();
      }
      // evidence / selection
      if (highlight) {
        var h0 = X(highlight.t0), h1 = X(highlight.t1);
        ctx.fillStyle = 'rgba(17,24,39,0.07)';
        ctx.fillRect(h0 - 2, AXIS, Math.max(h1 - h0, 0) + 4, H - AXIS);
        ctx.strokeStyle = '#111827'; ctx.lineWidth = 1;
        ctx.setLineDash([4, 3]);
        ctx.beginPath(); ctx.moveTo(h0 - 2, AXIS); ctx.lineTo(h0 - 2, H); ctx.moveTo(h1 + 2, AXIS); ctx.lineTo(h1 + 2, H); ctx.stroke();
        ctx.setLineDash([]);
        highlight.rows.forEach(function (row, i) {
          // the first op of a piece of evidence is its subject (e.g. the op that cannot be linearized)
          ctx.lineWidth = i === 0 ? 3 : 1.5;
          ctx.strokeStyle = i === 0 ? '#111827' : '#374151';
          var x0 = X(start[row]), x1 = Math.max(X(end[row]), x0 + 2);
          ctx.strokeRect(x0 - 1, lanesTop + lane[row] * laneH - 1, x1 - x0 + 2, laneH + 2);
        });
      }
      if (selected >= 0) {
        ctx.strokeStyle = '#7c3aed'; ctx.lineWidth = 2.5;
        var sx0 = X(start[selected]), sx1 = Math.max(X(end[selected]), sx0 + 2);
        ctx.strokeRect(sx0 - 2, lanesTop + lane[selected] * laneH - 2, sx1 - sx0 + 4, laneH + 4);
      }
      ctx.restore();
      // axis
      ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, W, AXIS);
      ctx.strokeStyle = '#d0d4da'; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(G, AXIS - 0.5); ctx.lineTo(plotR, AXIS - 0.5); ctx.stroke();
      var step = niceStep((v1 - v0) / Math.max(2, (plotR - G) / 110));
      ctx.fillStyle = '#4b5563'; ctx.font = '11px system-ui, sans-serif'; ctx.textBaseline = 'alphabetic'; ctx.textAlign = 'center';
      for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
        var x = X(t);
        ctx.beginPath(); ctx.moveTo(x, AXIS - 5); ctx.lineTo(x, AXIS); ctx.stroke();
        ctx.fillText(axisS(t), x, AXIS - 8);
      }
      ctx.textAlign = 'left';
      // gutter labels
      ctx.fillStyle = '#ffffff'; ctx.fillRect(0, AXIS, G - 2, H - AXIS);
      ctx.fillStyle = '#374151'; ctx.textBaseline = 'middle'; ctx.font = '10px system-ui, sans-serif';
      kinds.forEach(function (kd, i) {
        ctx.fillStyle = D.kindColors[kd];
        ctx.fillText(kd, 4, AXIS + i * FROW + FROW / 2);
      });
      if (laneH >= 9) {
        ctx.fillStyle = '#6b7280';
        for (var ll = 0; ll < nLanes; ll++) ctx.fillText(D.lanes[ll], 4, lanesTop + ll * laneH + laneH / 2);
      } else if (nLanes) {
        ctx.fillStyle = '#6b7280';
        ctx.fillText(nLanes + ' lanes', 4, lanesTop + 8);
      }
      stats.rects = rects; stats.draws++;
    }
    function hit(mx, my) {
      var t = T(mx), tol = 3 * (view[1] - view[0]) / (W - G - RIGHT);
      if (my >= AXIS && my < AXIS + kinds.length * FROW) {
        var kd = kinds[Math.floor((my - AXIS) / FROW)];
        for (var i = D.faults.length - 1; i >= 0; i--) {
          var f = D.faults[i];
          if (f.kind === kd && f.start - tol <= t && (f.end === null ? FULL[1] : f.end) + tol >= t) return { fault: f };
        }
        return null;
      }
      var ln = Math.floor((my - lanesTop) / laneH);
      if (ln < 0 || ln >= nLanes || mx < G) return null;
      var k = lowerBound(laneEnds, t - tol, laneStart[ln], laneStart[ln + 1]);
      if (k < laneStart[ln + 1] && start[laneRows[k]] <= t + tol) return { row: laneRows[k] };
      return null;
    }
    var drag = null;
    canvas.addEventListener('mousedown', function (e) { drag = { x: e.clientX, v0: view[0], v1: view[1], moved: false }; e.preventDefault(); });
    window.addEventListener('mouseup', function (e) {
      if (!drag) return;
      var d = drag; drag = null;
      if (!d.moved) {
        var rect = canvas.getBoundingClientRect(), h = hit(e.clientX - rect.left, e.clientY - rect.top);
        if (h && h.row !== undefined) { selected = h.row; $('fl-selected').innerHTML = opHtml(h.row); schedule(); }
      }
    });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      var dt = dx / (W - G - RIGHT) * (drag.v1 - drag.v0);
      setView(drag.v0 - dt, drag.v1 - dt, null);
    });
    canvas.addEventListener('mousemove', function (e) {
      if (drag && drag.moved) { hideTip(); return; }
      var rect = canvas.getBoundingClientRect(), h = hit(e.clientX - rect.left, e.clientY - rect.top);
      if (!h) { hideTip(); canvas.style.cursor = 'grab'; return; }
      canvas.style.cursor = 'pointer';
      showTip(h.fault ? faultHtml(h.fault) : opHtml(h.row), e.clientX, e.clientY);
    });
    canvas.addEventListener('mouseleave', hideTip);
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      var rect = canvas.getBoundingClientRect(), mx = e.clientX - rect.left;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        var d = (e.deltaX || e.deltaY) / (W - G - RIGHT) * (view[1] - view[0]);
        setView(view[0] + d, view[1] + d, null);
        return;
      }
      var t = T(Math.max(G, mx)), f = Math.exp(e.deltaY * 0.0015), span = (view[1] - view[0]) * f;
      setView(t - (t - view[0]) * f, t - (t - view[0]) * f + span, null);
    }, { passive: false });
    canvas.addEventListener('dblclick', function () { setView(FULL[0], FULL[1], null); });
    viewListeners.push({ src: 'timeline', fn: schedule });
    // For tests and the console: where an op is drawn (CSS px within the canvas).
    state.opBox = function (r) { return { x0: X(start[r]), x1: X(end[r]), y: lanesTop + lane[r] * laneH, h: laneH }; };
    layout(); draw();
    return { layout: layout, draw: draw, schedule: schedule };
  }

  // ---- wiring ---------------------------------------------------------------------------
  state.getView = function () { return view.slice(); };
  state.rowOfHistoryIndex = function (h) {
    for (var i = 0; i < N; i++) if (hidx[i] === h) return i;
    return -1;
  };
  var timeline;
  function zoomBy(f) {
    var c = (view[0] + view[1]) / 2, h = (view[1] - view[0]) * f / 2;
    setView(c - h, c + h, null);
  }
  function init() {
    latencyScatter();
    quantiles();
    throughput();
    resourceCharts();
    timeline = Timeline();
    $('fl-zoom-in').addEventListener('click', function () { zoomBy(0.5); });
    $('fl-zoom-out').addEventListener('click', function () { zoomBy(2); });
    $('fl-zoom-reset').addEventListener('click', function () { highlight = null; setView(FULL[0], FULL[1], null); redrawCharts(); });
    Array.prototype.forEach.call(document.querySelectorAll('[data-t0]'), function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        var rows = (a.getAttribute('data-rows') || '').split(',').filter(Boolean).map(Number);
        focusRange(+a.getAttribute('data-t0'), +a.getAttribute('data-t1'), rows);
      });
    });
    var resizeTimer = 0;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        ['latency', 'quantiles', 'throughput'].forEach(function (name) {
          var u = state.charts[name];
          u.setSize({ width: Math.max(u.root.parentNode.clientWidth, 300), height: 250 });
        });
        timeline.layout(); timeline.draw();
      }, 100);
    });
    state.ready = true;
  }
  try { init(); } catch (e) { state.errors.push(String(e && e.stack || e)); showError(String(e)); throw e; }
})();
`;
