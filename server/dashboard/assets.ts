import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The dashboard's static files, served by Rapport itself (no third-party origin in the pages'
 * Content-Security-Policy): uPlot's minified script and style sheet from the installed package,
 * and the pages' own small script and style sheet below. uPlot: about 50 KB minified, draws on a
 * canvas, and stays fast with tens of thousands of points, which is what an alert's sends over
 * time are; no framework, no dependencies.
 */
const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

export const DASHBOARD_CSS = `body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#1f2933;line-height:1.45;background:#f8fafc}
header{background:#1f2933;color:#fff;padding:10px 24px}header a{color:#fff;margin-right:18px;text-decoration:none}header a.on{text-decoration:underline}
main{max-width:1200px;margin:0 auto;padding:8px 24px 48px}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;overflow-x:auto}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}a{color:#1f6feb}.muted{color:#6b7280;font-size:13px}
progress{width:160px;height:12px;vertical-align:middle}.kpis{display:flex;flex-wrap:wrap;gap:12px}
.kpi{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:110px}.kpi b{display:block;font-size:22px}
.live{color:#15803d;font-size:13px}.sub td:first-child{padding-left:24px}form.inline{display:inline}`;

/**
 * The pages' script: draws the charts whose data the page embeds (a JSON block, never run as
 * script) and, on an alert page, follows the live stream: each message carries the figures again
 * and the script writes them into the elements that name them (data-path), with textContent only.
 */
export const DASHBOARD_JS = `(function () {
  'use strict';
  var charts = {};
  var COLORS = ['#1f6feb', '#d97706', '#15803d', '#b91c1c', '#7c3aed', '#0891b2', '#6b7280'];
  function get(obj, path) {
    return path.split('|').reduce(function (o, k) {
      if (o === undefined || o === null) return undefined;
      if (Array.isArray(o)) {
        for (var i = 0; i < o.length; i++) if (String(o[i].key) === k) return o[i];
        return undefined;
      }
      return o[k];
    }, obj);
  }
  function draw(el, chart) {
    var width = Math.max(320, el.clientWidth || 520);
    var opts = {
      width: width,
      height: 220,
      series: [{}].concat(chart.series.map(function (s, i) {
        return { label: s.name, stroke: COLORS[i % COLORS.length], width: 2 };
      })),
      axes: [{}, {}],
      // One point (one week, one bucket): half a week each side, or the axis spans years.
      scales: { x: { time: el.getAttribute('data-time') !== 'false', range: function (u, min, max) {
        return min === max ? [min - 302400, max + 302400] : [min, max];
      } } }
    };
    var data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
    return new uPlot(opts, data, el);
  }
  function drawAll(figures) {
    var els = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var name = el.getAttribute('data-chart');
      var chart = get(figures, name);
      if (!chart) continue;
      var seriesNames = chart.series.map(function (s) { return s.name; }).join(',');
      var old = charts[name];
      if (old && old.seriesNames === seriesNames) {
        old.plot.setData([chart.x].concat(chart.series.map(function (s) { return s.values; })));
      } else {
        if (old) old.plot.destroy();
        charts[name] = { plot: draw(el, chart), seriesNames: seriesNames };
      }
    }
  }
  function writeFigures(figures) {
    var els = document.querySelectorAll('[data-path]');
    for (var i = 0; i < els.length; i++) {
      var v = get(figures, els[i].getAttribute('data-path'));
      var text = v === undefined || v === null ? '0' : String(v);
      if (els[i].tagName === 'PROGRESS') els[i].value = Number(v) || 0;
      else if (els[i].textContent !== text) els[i].textContent = text;
    }
    var status = document.getElementById('status');
    if (status && figures.status) status.textContent = figures.status.replace(/_/g, ' ');
  }
  var block = document.getElementById('figures');
  if (!block) return;
  var figures = JSON.parse(block.textContent);
  drawAll(figures);
  window.rapportDashboard = { charts: charts, figures: figures, updates: 0 };
  var stream = document.body.getAttribute('data-live');
  if (stream && window.EventSource) {
    var source = new EventSource(stream);
    var mark = document.getElementById('live');
    source.addEventListener('figures', function (e) {
      var next = JSON.parse(e.data);
      window.rapportDashboard.figures = next;
      window.rapportDashboard.updates++;
      writeFigures(next);
      drawAll(next);
      if (mark) mark.textContent = 'live: updated ' + new Date().toLocaleTimeString();
    });
    source.addEventListener('end', function () {
      source.close();
      if (mark) mark.textContent = 'final figures';
    });
  }
})();
`;

export interface DashboardAsset {
  body: string;
  type: string;
}

let cached: Record<string, DashboardAsset> | undefined;

/** The files under /dashboard/assets/, read once. */
export function dashboardAssets(): Record<string, DashboardAsset> {
  cached ??= {
    'uplot.min.js': {
      body: readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8'),
      type: 'text/javascript; charset=utf-8',
    },
    'uplot.min.css': { body: readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8'), type: 'text/css; charset=utf-8' },
    'dashboard.js': { body: DASHBOARD_JS, type: 'text/javascript; charset=utf-8' },
    'dashboard.css': { body: DASHBOARD_CSS, type: 'text/css; charset=utf-8' },
  };
  return cached;
}
