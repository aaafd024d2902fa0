import { readFileSync } from 'node:fs';

/**
 * The page side of the report's plots: uPlot (inlined from node_modules) and the script that draws each plot spec
 * (html-plot.ts `PlotSpec`) with it. Plain ES2019 in a string, so the page needs nothing but itself.
 */

let uplot: { js: string; css: string } | undefined;

/** uPlot's script and style, from node_modules (inlined into the page). */
export function uplotAssets(): { js: string; css: string } {
  uplot ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplot;
}

/**
 * Draws every `.plot-data` spec with uPlot. Exposes `window.__hilReport.plots[id]` (the uPlot instance and its spec)
 * for tests and for people poking at the page.
 */
export const PLOT_CLIENT_JS = String.raw`
(function () {
  var COLORS = { value: '#1565c0', signal: '#1565c0', limit: '#ef6c00' };
  var FILLS = { value: 'rgba(21,101,192,0.18)', signal: 'rgba(21,101,192,0.18)', limit: 'rgba(239,108,0,0.15)' };
  var reg = (window.__hilReport = { plots: {} });
  function fmt(spec, v) {
    if (v == null) return '-';
    if (spec.boolean) return v >= 0.5 ? 'true' : 'false';
    var text = spec.decimals == null ? String(Number(v.toPrecision(4))) : v.toFixed(spec.decimals);
    return text + (spec.unit ? ' ' + spec.unit : '');
  }
  /** Text beside x, on the side with room for it (left-aligned after x, else right-aligned before it). */
  function label(ctx, b, text, x, y, dpr, preferLeft) {
    var w = ctx.measureText(text).width, gap = 3 * dpr;
    var left = preferLeft ? x - gap - w >= b.left : x + gap + w > b.left + b.width;
    ctx.textAlign = left ? 'right' : 'left';
    ctx.fillText(text, left ? x - gap : x + gap, y);
    ctx.textAlign = 'left';
  }
  function overlay(spec) {
    return function (u) {
      var ctx = u.ctx, b = u.bbox, dpr = devicePixelRatio || 1;
      ctx.save();
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      if (spec.window) {
        var x0 = u.valToPos(spec.window.from, 'x', true), x1 = u.valToPos(spec.window.to, 'x', true);
        ctx.fillStyle = 'rgba(255,193,7,0.28)';
        ctx.fillRect(Math.min(x0, x1), b.top, Math.max(Math.abs(x1 - x0), 2 * dpr), b.height);
        ctx.strokeStyle = '#b28704'; ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([]); ctx.beginPath(); ctx.moveTo(x0, b.top); ctx.lineTo(x0, b.top + b.height); ctx.stroke();
        ctx.setLineDash([6 * dpr, 3 * dpr]); ctx.beginPath(); ctx.moveTo(x1, b.top); ctx.lineTo(x1, b.top + b.height); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#7a5c00';
        label(ctx, b, 'trigger: ' + spec.window.fromLabel, x0, b.top + 2 * dpr, dpr, true);
        label(ctx, b, spec.window.toLabel, x1, b.top + 2 * dpr, dpr, false);
      }
      spec.events.forEach(function (e, i) {
        var x = u.valToPos(e.t, 'x', true);
        ctx.strokeStyle = e.kind === 'error' ? '#ef6c00' : '#666'; ctx.lineWidth = 1 * dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]); ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = e.kind === 'error' ? '#ef6c00' : '#444';
        label(ctx, b, e.label, x, b.top + b.height - (14 + 13 * (i % 3)) * dpr, dpr, false);
      });
      spec.marks.forEach(function (m) {
        var x = u.valToPos(m.t, 'x', true);
        ctx.strokeStyle = '#c62828'; ctx.lineWidth = 2 * dpr;
        ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
        ctx.fillStyle = '#c62828';
        if (m.v != null) {
          var y = u.valToPos(m.v, 'y', true);
          ctx.beginPath(); ctx.arc(x, y, 5 * dpr, 0, 2 * Math.PI); ctx.fill();
        }
        label(ctx, b, m.label, x, b.top + 17 * dpr, dpr, false);
      });
      ctx.restore();
    };
  }
  function draw(spec, el) {
    var data = [spec.x];
    var series = [{ label: 't', value: function (u, v) { return v == null ? '-' : v.toFixed(3) + ' s'; } }];
    var bands = [];
    var minIdx = [];
    spec.lines.forEach(function (l) {
      var hi = data.length;
      data.push(l.max); data.push(l.min);
      var color = COLORS[l.role];
      var dash = l.role === 'limit' ? [6, 4] : undefined;
      var width = l.role === 'value' ? 2 : 1.5;
      series.push({ label: l.label, stroke: color, width: width, dash: dash, spanGaps: false, value: function (u, v) { return fmt(spec, v); } });
      series.push({ label: l.label + ' (min)', stroke: color, width: width, dash: dash, spanGaps: false, value: function (u, v) { return fmt(spec, v); } });
      minIdx.push(hi + 1);
      bands.push({ series: [hi, hi + 1], fill: FILLS[l.role] });
    });
    var yAxis = { label: spec.yLabel, labelFont: '600 11px system-ui, sans-serif', size: 64 };
    if (spec.boolean) yAxis.values = function (u, splits) { return splits.map(function (v) { return v === 1 ? 'true' : v === 0 ? 'false' : ''; }); };
    if (spec.boolean) yAxis.splits = function () { return [0, 1]; };
    var width = Math.max(480, Math.min(1140, (el.parentElement || document.body).clientWidth - 8));
    var opts = {
      title: spec.title,
      width: width,
      height: 280,
      series: series,
      bands: bands,
      scales: spec.boolean ? { x: { time: false }, y: { range: [-0.15, 1.15] } } : { x: { time: false } },
      axes: [{ label: spec.xLabel }, yAxis],
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: { draw: [overlay(spec)] },
    };
    var u = new uPlot(opts, data, el);
    if (spec.focus) u.setScale('x', { min: spec.focus.from, max: spec.focus.to });
    // One legend entry per line: the envelope's lower edge is the same line.
    var rows = u.root.querySelectorAll('.u-legend .u-series');
    minIdx.forEach(function (i) { if (rows[i]) rows[i].style.display = 'none'; });
    reg.plots[spec.id] = { u: u, spec: spec };
  }
  document.querySelectorAll('script.plot-data').forEach(function (s) {
    var el = document.getElementById(s.getAttribute('data-for'));
    if (el) draw(JSON.parse(s.textContent), el);
  });
  reg.ready = true;
})();
`;
