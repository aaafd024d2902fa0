import { readFileSync } from 'node:fs';
import { CLIENT_JS } from './dashboard-client';

let cached: string | undefined;

/** The dashboard page: uPlot's script and style inlined from node_modules (no network), then the client. */
export function dashboardPage(): string {
  if (cached) return cached;
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  cached = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hil dashboard</title>
<link rel="icon" href="data:,">
<style>${uplotCss}
body{font:13px system-ui,sans-serif;margin:0 12px;background:#fafafa}
h1{font-size:18px}.row{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px;display:flex;flex-wrap:wrap;gap:4px;max-width:1180px}
.card h3{width:100%;margin:2px 0}.badges{width:100%}.badges span{display:inline-block;margin:2px 6px 2px 0;padding:1px 6px;border-radius:8px;background:#eee}
.ok{background:#d4f4d4!important}.warn{background:#fde9c8!important}.alarm{background:#f8d0d0!important;color:#900}
.bars{display:flex;align-items:flex-end;gap:1px;height:120px;width:380px;border-bottom:1px solid #999}.bar{flex:1;background:#1f77b4;min-width:2px}
pre{background:#fff;border:1px solid #ddd;padding:4px;max-height:240px;overflow:auto;font-size:11px}
fieldset{margin:4px 0}.params label{margin-right:6px}
</style></head><body>
<h1>bench <span id="bench"></span></h1>
<section id="run-box" hidden><h2>Run: timeline and verdicts</h2><ol id="run"></ol></section>
<div class="row" id="packs"></div>
<div class="row" id="inverters"></div>
<h2>Manual control</h2>
<div id="controls"></div>
<button id="clear-all">clear all faults</button> <span id="result"></span>
<h3>Faults in force</h3><ul id="faults"></ul>
<h3>Events</h3><ul id="events"></ul>
<h2>Traffic</h2><table id="traffic-table"></table>
<h3>Latest frames</h3><pre id="frames"></pre>
<h3>Controller's Modbus writes</h3><pre id="writes"></pre>
<h2>Export</h2><button id="export">export session as scenario</button><pre id="export-text"></pre>
<script>${uplotJs}</script>
<script>${CLIENT_JS}</script>
</body></html>`;
  return cached;
}
