/**
 * The dashboard's browser script (plain ES2020, no build step): it uses only the documented API
 * (docs/ui-api.yaml) with the token of the page's own URL. Kept as a string so `dist/` needs no asset copying.
 */
export const CLIENT_JS = String.raw`
'use strict';
const token = new URLSearchParams(location.search).get('token') || '';
const api = (path, init) => fetch(path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token), init);
const KEEP = 600;
const plots = {};
const hil = (window.__hil = { plots, updates: 0, lastT: -1 });
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
};
function plot(parent, key, title, series) {
  const box = el('div', { class: 'plot', 'data-plot': key });
  parent.append(box);
  const opts = {
    title, width: 380, height: 170,
    scales: { x: { time: false } },
    axes: [{ label: 's' }, { label: series[0].unit, size: 55 }],
    series: [{ label: 't (s)' }, ...series.map((s) => ({ label: s.label + ' (' + s.unit + ')', stroke: s.color, width: 1.5 }))],
    legend: { live: false },
  };
  const data = [[], ...series.map(() => [])];
  plots[key] = { u: new uPlot(opts, data, box), data, pick: series.map((s) => s.pick) };
}
function push(snap) {
  for (const p of Object.values(plots)) {
    p.data[0].push(snap.t);
    p.pick.forEach((f, i) => p.data[i + 1].push(f(snap)));
    if (p.data[0].length > KEEP) for (const a of p.data) a.shift();
    p.u.setData(p.data);
  }
}
let state;
async function init() {
  state = await (await api('/api/state')).json();
  document.getElementById('bench').textContent = state.bench;
  const packs = document.getElementById('packs');
  for (const name of Object.keys(state.snapshot.packs)) {
    const card = el('section', { class: 'card', 'data-pack': name }, el('h3', { text: 'pack ' + name }));
    card.append(el('div', { class: 'badges', id: 'badges-' + name }));
    const P = (f) => (s) => s.packs[name] ? f(s.packs[name]) : null;
    plot(card, name + '.voltage', 'Voltage', [{ label: 'V', unit: 'V', color: '#1f77b4', pick: P((p) => p.voltage) }]);
    plot(card, name + '.current', 'Current and limits', [
      { label: 'I', unit: 'A', color: '#d62728', pick: P((p) => p.current) },
      { label: 'charge limit', unit: 'A', color: '#2ca02c', pick: P((p) => p.chargeLimit) },
      { label: '-discharge limit', unit: 'A', color: '#ff7f0e', pick: P((p) => -p.dischargeLimit) },
    ]);
    plot(card, name + '.soc', 'SOC', [{ label: 'SOC', unit: '%', color: '#9467bd', pick: P((p) => p.soc) }]);
    plot(card, name + '.cells', 'Cell min/max', [
      { label: 'min', unit: 'V', color: '#17becf', pick: P((p) => p.cellMin) },
      { label: 'max', unit: 'V', color: '#bcbd22', pick: P((p) => p.cellMax) },
    ]);
    plot(card, name + '.temp', 'Temperatures', [
      { label: 'min', unit: 'degC', color: '#1f77b4', pick: P((p) => p.tempMin) },
      { label: 'max', unit: 'degC', color: '#d62728', pick: P((p) => p.tempMax) },
    ]);
    card.append(el('div', { class: 'bars', id: 'bars-' + name }));
    packs.append(card);
  }
  const invs = document.getElementById('inverters');
  for (const name of Object.keys(state.snapshot.inverters)) {
    const card = el('section', { class: 'card', 'data-inverter': name }, el('h3', { text: 'inverter ' + name }), el('div', { class: 'badges', id: 'badges-' + name }));
    const I = (f) => (s) => s.inverters[name] ? f(s.inverters[name]) : null;
    plot(card, name + '.power', 'Power', [
      { label: 'PV', unit: 'W', color: '#ff7f0e', pick: I((v) => v.pv) },
      { label: 'AC', unit: 'W', color: '#1f77b4', pick: I((v) => v.ac) },
      { label: 'battery', unit: 'W', color: '#2ca02c', pick: I((v) => v.battery) },
    ]);
    plot(card, name + '.limit', 'Power limit', [{ label: 'limit', unit: '%', color: '#7f7f7f', pick: I((v) => v.limitPct) }]);
    invs.append(card);
  }
  buildControls();
  renderFaults(state.faults);
  for (const r of state.actions) logAction(r);
  const hist = await (await api('/api/history')).json();
  for (const s of hist.snapshots) push(s);
  const es = new EventSource('/api/stream?token=' + encodeURIComponent(token));
  es.addEventListener('snapshot', (e) => update(JSON.parse(e.data)));
  es.addEventListener('traffic', (e) => renderTraffic(JSON.parse(e.data)));
  es.addEventListener('action', (e) => { const m = JSON.parse(e.data); logAction(m.record); renderFaults(m.faults); });
  es.addEventListener('run', (e) => runEvent(JSON.parse(e.data)));
  if (state.run) { document.getElementById('run-box').hidden = false; for (const r of state.run) runEvent(r); }
  // hil run --ui: each scenario brings its own bench up on the same address; follow it.
  es.onerror = () => { es.close(); waitAndReload(); };
}
async function waitAndReload() {
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    try { if ((await api('/api/state')).ok) return location.reload(); } catch (e) { /* not up yet */ }
  }
}
function runEvent(r) {
  document.getElementById('run-box').hidden = false;
  const at = r.atMs !== undefined ? 't=' + (r.atMs / 1000).toFixed(1) + 's ' : '';
  const text = r.type === 'scenario-start' ? 'scenario ' + r.scenario + ' started (' + r.mode + ')'
    : r.type === 'scenario-end' ? 'scenario ' + r.scenario + ': ' + String(r.verdict).toUpperCase() + ' - ' + r.summary
    : r.type === 'expectation-failed' ? r.scenario + ': expectation ' + r.id + ' FAILED'
    : r.type === 'event' ? r.scenario + ': ' + r.text
    : r.scenario + ': ' + r.type + (r.message ? ' ' + r.message : '');
  const cls = r.type === 'expectation-failed' || (r.type === 'scenario-end' && r.verdict !== 'pass') || r.type === 'error' ? 'alarm' : r.type === 'scenario-end' ? 'ok' : '';
  document.getElementById('run').append(el('li', { class: cls, text: at + text }));
}
function update(snap) {
  push(snap);
  hil.updates++;
  hil.lastT = snap.t;
  for (const [name, p] of Object.entries(snap.packs)) {
    const b = document.getElementById('badges-' + name);
    b.replaceChildren(
      el('span', { class: p.contactor ? 'ok' : 'warn', text: 'contactor ' + (p.contactor ? 'closed' : 'open') }),
      el('span', { text: 'SOC ' + p.soc.toFixed(1) + ' %' }),
      el('span', { text: 'limits +' + p.chargeLimit.toFixed(1) + ' / -' + p.dischargeLimit.toFixed(1) + ' A' }),
      ...(p.alarms.length ? p.alarms.map((a) => el('span', { class: 'alarm', text: a })) : [el('span', { class: 'ok', text: 'no alarms' })]),
    );
    const bars = document.getElementById('bars-' + name);
    if (p.cells.length) {
      const lo = Math.min(...p.cells) - 0.01, hi = Math.max(...p.cells) + 0.01;
      bars.replaceChildren(...p.cells.map((v, i) => el('div', { class: 'bar', title: 'cell ' + (i + 1) + ': ' + v.toFixed(3) + ' V', style: 'height:' + (5 + (95 * (v - lo)) / (hi - lo)).toFixed(0) + '%' })));
    }
  }
  for (const [name, v] of Object.entries(snap.inverters)) {
    document.getElementById('badges-' + name).replaceChildren(el('span', { text: 'state ' + v.state }), el('span', { text: 'limit ' + v.limitPct + ' %' }), el('span', { text: 'AC ' + v.ac + ' W' }));
  }
  const rows = [];
  for (const [bus, b] of Object.entries(snap.buses)) {
    rows.push(el('tr', {}, el('th', { text: bus }), el('td', { text: 'load ' + b.load.toFixed(2) + ' %' }), el('td', { text: b.frames + ' frames' })));
    for (const [id, r] of Object.entries(b.rates)) rows.push(el('tr', {}, el('td'), el('td', { text: id }), el('td', { text: r.toFixed(1) + ' /s' })));
  }
  for (const [ep, units] of Object.entries(snap.modbus)) for (const [u, c] of Object.entries(units)) rows.push(el('tr', {}, el('th', { text: 'modbus ' + ep }), el('td', { text: 'unit ' + u }), el('td', { text: c + ' requests' })));
  document.getElementById('traffic-table').replaceChildren(...rows);
}
function renderTraffic(t) {
  document.getElementById('frames').textContent = t.frames.map((f) => f.t.toFixed(3) + ' ' + f.bus + ' ' + f.raw + (f.decoded ? '  ' + f.decoded : '')).join('\n');
  document.getElementById('writes').textContent = t.writes.join('\n') || '(no writes yet)';
}
function logAction(r) {
  const line = 't=' + r.t.toFixed(1) + 's ' + JSON.stringify(r.action) + ' -> ' + (r.ok ? '' : 'refused: ') + r.message;
  document.getElementById('events').prepend(el('li', { class: r.ok ? '' : 'alarm', text: line }));
}
function renderFaults(list) {
  const ul = document.getElementById('faults');
  ul.replaceChildren(...list.map((f) => el('li', {}, el('span', { text: f.id + ' ' + f.device + ' ' + f.kind + ' ' + JSON.stringify(f.params) + ' ' }), el('button', { 'data-clear': f.id, text: 'clear', onclick: () => act({ type: 'clear', id: f.id }) }))));
}
async function act(action) {
  const r = await api('/api/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action) });
  const body = await r.json();
  document.getElementById('result').textContent = (body.ok ? 'ok: ' : 'refused: ') + (body.message || body.error);
}
function paramField(p) {
  const range = p.values ? '' : p.minimum !== undefined || p.maximum !== undefined ? ' ' + (p.minimum ?? '') + '..' + (p.maximum ?? '') : '';
  const attrs = { name: p.name, 'data-type': p.type, placeholder: p.type + range + (p.unit ? ' ' + p.unit : '') + (p.required ? ' (required)' : p.default !== undefined ? ' (default ' + p.default + ')' : ''), title: p.description || '' };
  if (p.values && p.type !== 'array') return el('select', attrs, ...(p.required ? [] : [el('option', { value: '', text: '-' })]), ...p.values.map((v) => el('option', { value: v, text: v })));
  return el('input', attrs);
}
function readParam(input) {
  const raw = input.value.trim();
  if (raw === '') return undefined;
  switch (input.dataset.type) {
    case 'number': case 'integer': return Number(raw);
    case 'boolean': return raw === 'true';
    case 'array': return raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (isNaN(Number(s)) ? s : Number(s)));
    case 'object': return JSON.parse(raw);
    default: return raw;
  }
}
function stimulus(key) {
  const v = el('input', { size: '6', 'data-input': key });
  return el('label', {}, key + ' ', v, el('button', { 'data-set': key, text: 'set', onclick: () => (v.value.trim() === '' ? (document.getElementById('result').textContent = 'refused: ' + key + ' needs a value') : act({ type: 'set', key, value: Number(v.value) })) }), ' ');
}
function buildControls() {
  const box = document.getElementById('controls');
  box.append(el('fieldset', {}, el('legend', { text: 'bench' }), stimulus('ambient'), ' (every device)'));
  for (const d of state.devices) {
    const kinds = el('select', { 'data-kinds': d.name }, ...d.faultKinds.map((k) => el('option', { value: k.kind, text: k.kind, title: k.description || '' })));
    const params = el('span', { class: 'params' });
    const id = el('input', { placeholder: 'id (optional)', 'data-fault-id': d.name, size: '10' });
    const fill = () => params.replaceChildren(...d.faultKinds.find((k) => k.kind === kinds.value).params.map((p) => el('label', {}, p.name + ' ', paramField(p))));
    kinds.addEventListener('change', fill);
    fill();
    const inject = el('button', { 'data-inject': d.name, text: 'inject', onclick: () => {
      const out = {};
      try { for (const i of params.querySelectorAll('[name]')) { const v = readParam(i); if (v !== undefined) out[i.name] = v; } }
      catch (e) { document.getElementById('result').textContent = 'refused: ' + e.message; return; }
      act({ type: 'fault', device: d.name, kind: kinds.value, params: out, ...(id.value ? { id: id.value } : {}) });
      id.value = '';
    } });
    const inputs = d.inputs.map((inp) => stimulus(d.name + '.' + inp));
    box.append(el('fieldset', {}, el('legend', { text: d.name + ' (' + d.type + ')' }), el('div', {}, 'fault ', kinds, ' ', id, ' ', params, ' ', inject), el('div', { class: 'stimuli' }, ...inputs)));
  }
}
document.getElementById('clear-all').addEventListener('click', () => act({ type: 'clear-all' }));
document.getElementById('export').addEventListener('click', async () => {
  document.getElementById('export-text').textContent = await (await api('/api/export')).text();
});
init().catch((e) => { document.getElementById('result').textContent = 'error: ' + e.message; console.error(e); });
`;
