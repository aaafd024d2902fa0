import { renameSync, writeFileSync } from 'node:fs';
import type { ScenarioResult } from '../scenario/result';
import { downsample, type SignalSeries } from '../evidence/series';

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) that a reviewer opens
 * in any browser. A summary table, then per scenario: its expectations with verdicts and observed values, the
 * timeline events, one plot per recorded signal (markers for events and failures), and the evidence (frames,
 * Modbus writes, controller output). Every piece of text from results is escaped.
 */

/** Escape for HTML text and (double- or single-quoted) attribute values; drops control characters. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}
const esc = escapeHtml;

export interface HtmlReportOptions {
  /** Page title (default "HIL report"). */
  title?: string;
}

/** A report that grows as results come in; each `add` rewrites the file atomically (temp file + rename). */
export class HtmlReport {
  private readonly rows: string[] = [];
  private readonly sections: string[] = [];
  private readonly counts = { pass: 0, fail: 0, error: 0, skip: 0 };

  constructor(
    readonly path: string,
    private readonly options: HtmlReportOptions = {},
  ) {}

  /**
   * Render one result into the report and rewrite the file. The result's plots are rendered now, so the caller
   * may drop `result.series` afterwards (memory stays bounded over a long campaign).
   */
  add(result: ScenarioResult): void {
    const index = this.rows.length + 1;
    this.rows.push(summaryRow(result, index));
    this.sections.push(renderScenario(result, index));
    this.counts[result.verdict]++;
    this.write();
  }

  /** The whole page as it stands. */
  toString(): string {
    return page(this.options.title ?? 'HIL report', this.counts, this.rows, this.sections);
  }

  private write(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, this.toString());
    renameSync(tmp, this.path);
  }
}

/** The page for a set of results at once. */
export function toHtml(results: ScenarioResult[], options: HtmlReportOptions = {}): string {
  const counts = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const r of results) counts[r.verdict]++;
  return page(
    options.title ?? 'HIL report',
    counts,
    results.map((r, i) => summaryRow(r, i + 1)),
    results.map((r, i) => renderScenario(r, i + 1)),
  );
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.pass{background:#2e7d32}.fail{background:#c62828}.error{background:#ef6c00}.skip{background:#607d8b}
section{border-top:3px solid #ccc;margin-top:28px;padding-top:12px}section.v-fail{border-color:#c62828}section.v-error{border-color:#ef6c00}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}dt{color:#666}dd{margin:0;word-break:break-all}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px;margin:4px 0}
td pre{white-space:pre-wrap;word-break:break-word;background:none;padding:0;margin:0}
code{font-size:12px}.muted{color:#777}svg{display:block;margin:4px 0 12px;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#444}
`;

function page(title: string, counts: Record<string, number>, rows: string[], sections: string[]): string {
  const total = rows.length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
<p class="muted">Generated ${esc(new Date().toISOString())}. ${total} scenario(s): ${counts.pass} passed, ${counts.fail} failed, ${counts.error} errors, ${counts.skip} skipped.</p>
<table><thead><tr><th>#</th><th>Scenario</th><th>Verdict</th><th>Summary</th><th>Requirements</th><th>Wall</th><th>Simulated</th><th>Seed</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
${sections.join('\n')}
</body></html>
`;
}

const badge = (v: string): string => `<span class="badge ${esc(v)}">${esc(v.toUpperCase())}</span>`;
/** An expectation's badge: coloured by its verdict, labelled by its status ("NOT JUDGED", "NOT EXERCISED"). */
const statusBadge = (status: string | undefined, verdict: string): string =>
  `<span class="badge ${esc(verdict)}">${esc((status ?? verdict).replace('-', ' ').toUpperCase())}</span>`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const wall = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

function summaryRow(r: ScenarioResult, index: number): string {
  return `<tr><td class="num">${index}</td><td><a href="#s-${index}">${esc(r.scenario)}</a></td><td>${badge(r.verdict)}</td><td>${esc(r.summary)}</td><td>${esc(r.requirements.join(', '))}</td><td class="num">${wall(r.wallMs)}</td><td class="num">${seconds(r.simulatedMs)}</td><td class="num">${r.seed}</td></tr>`;
}

/** One scenario's section (exported for tests and other renderers). */
export function renderScenario(r: ScenarioResult, index: number): string {
  const out: string[] = [];
  out.push(`<section id="s-${index}" class="v-${esc(r.verdict)}">`);
  out.push(`<h2>${badge(r.verdict)} ${esc(r.scenario)}${r.title && r.title !== r.scenario ? ` <span class="muted">${esc(r.title)}</span>` : ''}</h2>`);
  out.push(`<p>${esc(r.summary)}</p>`);
  const meta: Array<[string, string]> = [
    ['source', r.source],
    ['bench', r.bench],
    ['time mode', r.speed !== undefined ? `${r.timeMode} x${r.speed}` : r.timeMode],
    ['seed', String(r.seed)],
    ['started', r.startedAt],
    ...(r.t0 ? ([['t=0', `${r.t0.iso} (${r.t0.clock} clock, epoch ${(r.t0.epochMs / 1000).toFixed(6)} s)`]] as Array<[string, string]>) : []),
    ...(r.interrupted !== undefined ? ([['interrupted', `${r.interrupted.signal} at t=${(r.interrupted.atMs / 1000).toFixed(3)}s`]] as Array<[string, string]>) : []),
    ['wall time', wall(r.wallMs)],
    ['simulated time', seconds(r.simulatedMs)],
    ['requirements', r.requirements.join(', ') || '(none)'],
  ];
  const prov = (r as unknown as Record<string, unknown>)['provenance'];
  if (prov && typeof prov === 'object') for (const [k, v] of Object.entries(prov)) meta.push([`provenance: ${k}`, typeof v === 'string' ? v : JSON.stringify(v)]);
  out.push(`<dl>${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`);

  if (r.errors.length > 0) {
    out.push('<h3>Errors</h3><ul>');
    for (const e of r.errors) out.push(`<li>t=${seconds(e.atMs)}: ${esc(e.message)}</li>`);
    out.push('</ul>');
  }

  if (r.expectations.length > 0) {
    out.push('<h3>Expectations</h3>');
    out.push('<table><thead><tr><th>Expectation</th><th>Requirement</th><th>Verdict</th><th>Message</th><th>At</th><th>Observed</th><th>Where</th></tr></thead><tbody>');
    for (const x of r.expectations) {
      const observed = x.observed ? Object.entries(x.observed).map(([k, v]) => `${k} = ${v === undefined ? '(no value)' : String(v)}`).join('\n') : '';
      let message = x.message;
      if (x.reactions && x.reactions.length > 0) {
        const shown = x.reactions.slice(0, 50);
        const times = shown.map((q) => (q.reactedAfterMs !== null ? `${q.reactedAfterMs} ms` : (q.outcome ?? 'missed')));
        const more = x.reactions.length - shown.length + (x.reactionsOmitted ?? 0);
        message += `\nreactions (trigger -> reaction): ${shown.map((q, i) => `t=${seconds(q.triggeredAtMs)} -> ${times[i]}`).join('; ')}${more > 0 ? `; ${more} more` : ''}`;
      }
      out.push(
        `<tr><td><code>${esc(x.id)}</code></td><td>${esc(x.requirement ?? '')}</td><td>${statusBadge(x.status, x.verdict)}</td><td><pre>${esc(message)}</pre></td><td class="num">${x.atMs !== undefined ? seconds(x.atMs) : ''}</td><td>${observed ? `<pre>${esc(observed)}</pre>` : ''}</td><td><code>${esc(x.where)}</code></td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }

  const events = timelineEvents(r);
  out.push('<h3>Timeline</h3>');
  out.push(r.evidence.events.length > 0 ? `<pre>${esc(r.evidence.events.join('\n'))}</pre>` : '<p class="muted">(no timeline events)</p>');

  const series = r.series ?? {};
  const names = Object.keys(series);
  if (names.length > 0) {
    out.push('<h3>Signals</h3>');
    out.push('<p class="muted">Min/max of each plant step per bucket; grey dashed lines: timeline events; red: failed expectations (dot: the observed value); orange: harness errors.</p>');
    for (const name of names) out.push(renderPlot(name, series[name]!, r, events));
  }

  const bad = r.verdict === 'fail' || r.verdict === 'error';
  const block = (title: string, lines: string[]): void => {
    if (lines.length === 0) return;
    out.push(`<details${bad ? ' open' : ''}><summary>${esc(title)} (${lines.length})</summary><pre>${esc(lines.join('\n'))}</pre></details>`);
  };
  if (r.evidence.frames.length + r.evidence.writes.length + r.evidence.dutOutput.length > 0) out.push('<h3>Evidence</h3>');
  block('CAN frames before the first failure', r.evidence.frames);
  block('Modbus writes before the first failure', r.evidence.writes);
  block('Controller output', r.evidence.dutOutput);
  out.push('</section>');
  return out.join('\n');
}

/** Timeline events with their times, from the runner's `t=12.000s text` evidence lines. */
function timelineEvents(r: ScenarioResult): Array<{ atMs: number; text: string }> {
  const out: Array<{ atMs: number; text: string }> = [];
  for (const line of r.evidence.events) {
    const m = /^t=(-?\d+(?:\.\d+)?)s\s+(.*)$/.exec(line);
    if (m) out.push({ atMs: Number(m[1]) * 1000, text: m[2]! });
  }
  return out;
}

const W = 960;
const H = 190;
const M = { left: 70, right: 14, top: 18, bottom: 30 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** One SVG plot of a signal: min/max envelope against simulated seconds, with event and failure markers. */
export function renderPlot(name: string, raw: SignalSeries, r: ScenarioResult, events: Array<{ atMs: number; text: string }>): string {
  const s = downsample(raw, PW);
  const endMs = Math.max(r.simulatedMs, s.t.length ? s.t[s.t.length - 1]! + s.bucketMs : 0, 1);
  const x = (ms: number): number => M.left + (Math.min(Math.max(ms, 0), endMs) / endMs) * PW;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < s.t.length; i++) {
    lo = Math.min(lo, s.min[i]!);
    hi = Math.max(hi, s.max[i]!);
  }
  if (s.boolean) [lo, hi] = [0, 1];
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-9) {
    const pad = Math.abs(hi) > 1e-9 ? Math.abs(hi) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const padY = (hi - lo) * 0.08;
  const y0 = lo - padY;
  const y1 = hi + padY;
  const y = (v: number): number => M.top + (1 - (v - y0) / (y1 - y0)) * PH;
  const f = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="plot" data-signal="${esc(name)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(name)}">`);
  parts.push(`<title>${esc(name)}</title>`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="#fff" stroke="#bbb"/>`);
  // Axes: ticks and labels.
  for (const v of s.boolean ? [0, 1] : niceTicks(lo, hi, 5)) {
    const yy = f(y(v));
    parts.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(s.boolean ? (v ? 'true' : 'false') : fmtNum(v))}</text>`);
  }
  for (const v of niceTicks(0, endMs / 1000, 10)) {
    const xx = f(x(v * 1000));
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${M.top + PH}" y2="${M.top + PH + 4}" stroke="#888"/>`);
    parts.push(`<text x="${xx}" y="${M.top + PH + 16}" text-anchor="middle">${esc(fmtNum(v))}</text>`);
  }
  parts.push(`<text x="${M.left + PW}" y="${H - 2}" text-anchor="end">t (simulated s)</text>`);
  parts.push(`<text x="${M.left}" y="${M.top - 5}" font-weight="600">${esc(name)}</text>`);
  // Data: one closed path per run of consecutive buckets (a gap where the signal had no value breaks it).
  const d: string[] = [];
  let start = 0;
  for (let i = 1; i <= s.t.length; i++) {
    if (i === s.t.length || s.t[i]! - s.t[i - 1]! > s.bucketMs) {
      const seg: string[] = [];
      for (let k = start; k < i; k++) seg.push(`${f(x(s.t[k]!))},${f(y(s.max[k]!))}`);
      if (i - start === 1) seg.push(`${f(x(s.t[start]! + s.bucketMs))},${f(y(s.max[start]!))}`, `${f(x(s.t[start]! + s.bucketMs))},${f(y(s.min[start]!))}`);
      for (let k = i - 1; k >= start; k--) seg.push(`${f(x(s.t[k]!))},${f(y(s.min[k]!))}`);
      d.push(`M${seg.join('L')}Z`);
      start = i;
    }
  }
  if (d.length > 0) parts.push(`<path class="series" d="${d.join('')}" fill="rgba(21,101,192,0.25)" stroke="#1565c0" stroke-width="1.2" stroke-linejoin="round"/>`);
  else parts.push(`<text x="${M.left + PW / 2}" y="${M.top + PH / 2}" text-anchor="middle">(no values recorded)</text>`);
  // Markers.
  for (const e of events) {
    const xx = f(x(e.atMs));
    parts.push(`<line class="event-marker" x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + PH}" stroke="#666" stroke-dasharray="4 3"><title>${esc(`t=${seconds(e.atMs)} ${e.text}`)}</title></line>`);
  }
  for (const e of r.errors) {
    const xx = f(x(e.atMs));
    parts.push(`<line class="error-marker" x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + PH}" stroke="#ef6c00" stroke-width="2"><title>${esc(`error at t=${seconds(e.atMs)}: ${e.message}`)}</title></line>`);
  }
  for (const x0 of r.expectations) {
    if (x0.verdict !== 'fail' || x0.atMs === undefined) continue;
    if (x0.observed && !(name in x0.observed)) continue;
    const xx = f(x(x0.atMs));
    const label = `${x0.id} failed at t=${seconds(x0.atMs)}: ${x0.message}`;
    parts.push(`<g class="failure-marker" data-expectation="${esc(x0.id)}"><title>${esc(label)}</title>`);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + PH}" stroke="#c62828" stroke-width="2"/>`);
    parts.push(`<text x="${xx}" y="${M.top + 11}" dx="4" fill="#c62828" style="fill:#c62828">✕ ${esc(x0.id)}</text>`);
    const v = x0.observed?.[name];
    const num = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (num !== undefined && Number.isFinite(num)) parts.push(`<circle cx="${xx}" cy="${f(y(Math.min(Math.max(num, y0), y1)))}" r="4" fill="#c62828"/>`);
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** About `n` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? String(Number(v.toFixed(2))) : String(Number(v.toPrecision(3)));
}
