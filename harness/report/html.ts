import type { ExpectationResult } from '../scenario/judge';
import type { ScenarioResult } from '../scenario/result';
import { escapeHtml } from './html-escape';
import { renderEvidence } from './html-evidence';
import { failurePlot, plotHtml, signalPlot } from './html-plot';
import { PLOT_CLIENT_JS, uplotAssets } from './html-plot-client';
import { formatValue, signalUnit } from './signal-units';
import { GrowingReportFile, MemoryParts, type PartStore } from './part-spool';

export { escapeHtml };
const esc = escapeHtml;

/**
 * The HTML report: one self-contained file (inline CSS, uPlot and the plot script inlined, nothing fetched) that a
 * reviewer opens from disk in any browser. Failures come first, each with its message, the value that broke it
 * next to its limit, and a plot of that value and limit with the failure's window shaded (trigger to deadline) and
 * the failing signal marked; then the evidence decoded (DBC signal names, SunSpec points) with the raw bytes one
 * click away. After that the summary, the requirement traceability, and every scenario in full (expectations,
 * timeline, one zoomable plot per recorded signal). Every piece of text from results is escaped.
 */

/** One requirement and what judges it (harness/campaign/traceability.ts `RequirementTracer` gives these). */
export interface TraceRow {
  requirement: string;
  verdict: string;
  evidence: ReadonlyArray<{ scenario: string; expectation: string; verdict: string; status?: string }>;
}

/**
 * What the traceability table is drawn from: results handed over one at a time (it keeps what the table needs,
 * never the result), rows for the results so far at any point.
 */
export interface TraceSource {
  add(result: ScenarioResult): void;
  rows(): TraceRow[];
}

export interface HtmlReportOptions {
  /** Page title (default "HIL report"). */
  title?: string;
  /**
   * A fresh tracer for the requirement traceability (the report draws it, the campaign layer owns the rule:
   * `() => new RequirementTracer()`). Without it the table lists each expectation's requirement and verdict as
   * recorded.
   */
  trace?: () => TraceSource;
}

/** What a page is made of besides its pieces: counts, and the traceability so far. */
interface PageState {
  count: number;
  counts: Record<string, number>;
  failureBlocks: number;
  trace: TraceSource;
  parts: PartStore;
}

function newState(options: HtmlReportOptions, parts: PartStore): PageState {
  return { count: 0, counts: { pass: 0, fail: 0, error: 0, skip: 0 }, failureBlocks: 0, trace: options.trace?.() ?? new RecordedTrace(), parts };
}

/** Render one result into the page's pieces (its plots now: the caller may drop the result afterwards). */
function addResult(state: PageState, r: ScenarioResult): void {
  const index = ++state.count;
  state.counts[r.verdict] = (state.counts[r.verdict] ?? 0) + 1;
  state.trace.add(r);
  state.parts.append('row', summaryRow(r, index));
  const failures = renderFailures(r, index);
  if (failures) {
    state.parts.append('failure', failures);
    state.failureBlocks++;
  }
  state.parts.append('section', renderScenario(r, index));
}

/**
 * A report that grows as results come in. Each result is rendered once, when it is added, into pieces kept in a
 * temporary folder (`SpooledParts`), never in memory: what the report holds per result is its traceability
 * references (requirement, scenario, expectation, verdict), so a campaign of thousands of scenarios keeps the
 * memory of a few. The file is rewritten atomically (temp file + rename) from those pieces after each of the first
 * results and then as it grows (`rewriteDue`); `flush()` brings it up to date, `close()` does too and removes the
 * temporary folder. The page is the one `toHtml` gives for the same results.
 */
export class HtmlReport {
  private readonly file: GrowingReportFile;
  private readonly state: PageState;

  constructor(
    readonly path: string,
    private readonly options: HtmlReportOptions = {},
  ) {
    this.file = new GrowingReportFile(path, 'HTML report', (sink) => page(this.options, this.state, sink));
    this.state = newState(options, this.file.spool);
  }

  /** Results added so far. */
  get count(): number {
    return this.state.count;
  }

  /** Render one result into the report (the caller may drop `result` afterwards, series and all). */
  add(result: ScenarioResult): void {
    this.file.checkOpen();
    addResult(this.state, result);
    this.file.added(this.state.count);
  }

  /** Rewrite the file if results came in since it was last written. */
  flush(): void {
    this.file.flush();
  }

  /** Flush, then remove the temporary pieces; the report file stays. Idempotent. */
  close(): void {
    this.file.close();
  }

  /** The whole page as it stands. */
  toString(): string {
    const chunks: Buffer[] = [];
    page(this.options, this.state, (c) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    return Buffer.concat(chunks).toString('utf8');
  }

}

/** The page for a set of results at once. */
export function toHtml(results: ScenarioResult[], options: HtmlReportOptions = {}): string {
  const state = newState(options, new MemoryParts());
  for (const r of results) addResult(state, r);
  const out: string[] = [];
  page(options, state, (c) => out.push(typeof c === 'string' ? c : c.toString('utf8')));
  return out.join('');
}

/** The traceability without a campaign's rule: each expectation's requirement and verdict, as recorded. */
class RecordedTrace implements TraceSource {
  private readonly map = new Map<string, Array<{ scenario: string; expectation: string; verdict: string; status?: string }>>();

  add(r: ScenarioResult): void {
    for (const e of r.expectations) {
      if (!e.requirement) continue;
      let list = this.map.get(e.requirement);
      if (!list) this.map.set(e.requirement, (list = []));
      list.push({ scenario: r.scenario, expectation: e.id, verdict: e.verdict, status: e.status });
    }
  }

  rows(): TraceRow[] {
    return [...this.map.keys()].sort().map((req) => {
      const evidence = this.map.get(req)!;
      const v = evidence.map((e) => e.verdict);
      return { requirement: req, verdict: v.includes('error') ? 'error' : v.includes('fail') ? 'fail' : v.includes('pass') ? 'pass' : 'untested', evidence };
    });
  }
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.pass{background:#2e7d32}.fail{background:#c62828}.error{background:#ef6c00}.skip,.untested{background:#607d8b}
section{border-top:3px solid #ccc;margin-top:28px;padding-top:12px}section.v-fail{border-color:#c62828}section.v-error{border-color:#ef6c00}
#failures{border:2px solid #c62828;border-radius:6px;padding:8px 12px;margin:12px 0 20px;background:#fffafa}
.failure{border-top:1px solid #f0c8c8;padding:8px 0}.failure:first-of-type{border-top:none}
.failure h3{margin:4px 0}.why{font-size:15px;margin:4px 0}.why b{color:#c62828}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}dt{color:#666}dd{margin:0;word-break:break-all}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px;margin:4px 0}
td pre{white-space:pre-wrap;word-break:break-word;background:none;padding:0;margin:0}
code{font-size:12px}.muted{color:#777}.hint{color:#777;font-size:12px}
.plot{margin:6px 0 14px}.scroll{max-height:300px;overflow:auto;border:1px solid #eee}table.evidence td{font-size:12px}details.raw{display:inline-block;margin-left:8px}
details.raw summary{cursor:pointer;color:#1565c0;font-size:11px}details.raw code{background:#f4f4f4;padding:1px 4px}
`;

/** The page, in order, as chunks (a spooled report's pieces are copied from disk, never joined in memory). */
function page(options: HtmlReportOptions, state: PageState, sink: (chunk: string | Buffer) => void): void {
  const title = options.title ?? 'HIL report';
  const { counts, parts } = state;
  const { js, css } = uplotAssets();
  sink(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,"><style>${css}${CSS}</style></head><body>
<h1>${esc(title)}</h1>
`);
  if (state.failureBlocks > 0) {
    sink(`<div id="failures"><h2>Failures (${counts.fail} failed, ${counts.error} errors)</h2>\n<p class="hint">Plots open on the failure's window; drag across to zoom, double-click for the whole run. Shaded: the window the expectation was judged over (trigger to deadline); red: the value that failed, at the moment it failed; orange dashed: its limit.</p>\n`);
    parts.emit('failure', sink);
    sink('</div>');
  } else sink(`<p id="all-passed"><span class="badge pass">ALL PASSED</span> no failures</p>`);
  sink(`
<p class="muted">Generated ${esc(new Date().toISOString())}. ${state.count} scenario(s): ${counts.pass} passed, ${counts.fail} failed, ${counts.error} errors, ${counts.skip} skipped.</p>
<h2>Scenarios</h2>
<table id="summary"><thead><tr><th>#</th><th>Scenario</th><th>Verdict</th><th>Summary</th><th>Requirements</th><th>Wall</th><th>Simulated</th><th>Seed</th></tr></thead>
<tbody>
`);
  parts.emit('row', sink);
  sink(`
</tbody></table>
${traceTable(state.trace.rows())}
`);
  parts.emit('section', sink);
  sink(`
<script>${js}</script>
<script>${PLOT_CLIENT_JS}</script>
</body></html>
`);
}

const badge = (v: string): string => `<span class="badge ${esc(v)}">${esc(v.toUpperCase())}</span>`;
/** An expectation's badge: coloured by its verdict, labelled by its status ("NOT JUDGED", "NOT EXERCISED"). */
const statusBadge = (status: string | undefined, verdict: string): string =>
  `<span class="badge ${esc(verdict)}">${esc((status ?? verdict).replace('-', ' ').toUpperCase())}</span>`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const wall = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

/** A scenario's row in the summary table (exported for tests and benchmarks). */
export function summaryRow(r: ScenarioResult, index: number): string {
  const failed = r.expectations.some((x) => x.verdict === 'fail' || x.verdict === 'error') || r.errors.length > 0;
  const verdict = failed ? `<a href="#f-${index}">${badge(r.verdict)}</a>` : badge(r.verdict);
  return `<tr><td class="num">${index}</td><td><a href="#s-${index}">${esc(r.scenario)}</a></td><td>${verdict}</td><td>${esc(r.summary)}</td><td>${esc(r.requirements.join(', '))}</td><td class="num">${wall(r.wallMs)}</td><td class="num">${seconds(r.simulatedMs)}</td><td class="num">${r.seed}</td></tr>`;
}

/** Requirement -> the expectations that judge it and their verdicts. */
function traceTable(rows: readonly TraceRow[]): string {
  if (rows.length === 0) return '';
  const body = rows
    .map((t) => {
      const ev = t.evidence.map((e) => `${statusBadge(e.status, e.verdict)} ${esc(e.scenario)} / <code>${esc(e.expectation)}</code>`).join('<br>');
      return `<tr><td><b>${esc(t.requirement)}</b></td><td>${badge(t.verdict)}</td><td>${ev || '<span class="muted">(nothing judges it)</span>'}</td></tr>`;
    })
    .join('\n');
  return `<h2>Requirement traceability</h2>\n<table id="traceability"><thead><tr><th>Requirement</th><th>Verdict</th><th>Judged by (scenario / expectation)</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The failure block of a scenario (its failed and errored expectations, its harness errors), '' if none. */
export function renderFailures(r: ScenarioResult, index: number): string {
  const bad = r.expectations.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
  if (bad.length === 0 && r.errors.length === 0) return '';
  const out: string[] = [];
  out.push(`<div class="failure-group" id="f-${index}" data-scenario="${esc(r.scenario)}">`);
  // Failures before errors (not judged, not exercised): a failure is what the controller did.
  const ordered = [...bad.filter((x) => x.status === 'fail'), ...bad.filter((x) => x.status !== 'fail')];
  ordered.forEach((x, k) => out.push(failureCard(r, index, x, k)));
  for (const e of r.errors) out.push(`<div class="failure harness-error"><h3>${badge('error')} ${esc(r.scenario)}: harness error at t=${seconds(e.atMs)}</h3><p class="why">${esc(e.message)}</p></div>`);
  out.push(renderEvidence(r, true));
  out.push(`<p><a href="#s-${index}">the whole scenario: expectations, timeline, every signal ↓</a></p>`);
  out.push('</div>');
  return out.join('\n');
}

function failureCard(r: ScenarioResult, index: number, x: ExpectationResult, k: number): string {
  const out: string[] = [];
  out.push(`<div class="failure" data-expectation="${esc(x.id)}">`);
  out.push(
    `<h3>${statusBadge(x.status, x.verdict)} ${esc(r.scenario)} / <code>${esc(x.id)}</code>${x.requirement ? ` <span class="muted">[${esc(x.requirement)}]</span>` : ''}${x.atMs !== undefined ? ` <span class="muted">at t=${seconds(x.atMs)}</span>` : ''}</h3>`,
  );
  out.push(`<p class="why">${esc(x.message)}</p>`);
  for (const t of x.falseTerms ?? []) {
    const unit = t.signals.length === 1 ? signalUnit(t.signals[0]!) : undefined;
    const value = `<b>${esc(t.value)} = ${esc(formatValue(t.valueAt, unit))}</b>`;
    const limit = t.op !== undefined ? `, must be ${esc(t.op)} ${esc(t.limit ?? '')}${t.limitSignals && t.limitSignals.length > 0 ? ` = ${esc(formatValue(t.limitAt, unit))}` : unit?.unit ? ` ${esc(unit.unit)}` : ''}` : '';
    out.push(`<p class="term">${value}${limit}</p>`);
  }
  if (x.window) {
    out.push(`<p class="window muted">window: t=${seconds(x.window.fromMs)} (${esc(x.window.from)}) to t=${seconds(x.window.toMs)} (${esc(x.window.to)})${x.atMs !== undefined ? `; failed at t=${seconds(x.atMs)}` : ''}</p>`);
  }
  if (!x.falseTerms && x.observed) {
    out.push(`<p class="term">${Object.entries(x.observed).map(([n, v]) => `${esc(n)} = ${esc(formatValue(v, signalUnit(n)))}`).join(', ')}</p>`);
  }
  out.push(`<p class="muted">${esc(x.where)}</p>`);
  if (x.status === 'fail' && r.series) {
    const terms = x.falseTerms && x.falseTerms.length > 0 ? x.falseTerms.slice(0, 3) : [undefined];
    terms.forEach((t, j) => {
      const spec = failurePlot(`f-${index}-${k}-${j}`, r, x, t);
      if (spec.lines.length > 0 && spec.x.length > 0) out.push(plotHtml(spec));
    });
  }
  out.push('</div>');
  return out.join('\n');
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
      const observed = x.observed ? Object.entries(x.observed).map(([k, v]) => `${k} = ${formatValue(v, signalUnit(k))}`).join('\n') : '';
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

  out.push('<h3>Timeline</h3>');
  out.push(r.evidence.events.length > 0 ? `<pre>${esc(r.evidence.events.join('\n'))}</pre>` : '<p class="muted">(no timeline events)</p>');

  const names = Object.keys(r.series ?? {});
  if (names.length > 0) {
    out.push('<h3>Signals</h3>');
    out.push('<p class="hint">Min/max of each plant step per bucket; grey dashed: timeline events (labelled); red: where a failed expectation names this signal as the one that failed. Drag to zoom, double-click to reset.</p>');
    names.forEach((name, i) => out.push(plotHtml(signalPlot(`s-${index}-p${i}`, name, r))));
  }

  const bad = r.verdict === 'fail' || r.verdict === 'error';
  // A failed scenario's evidence is shown with its failures at the top.
  if (bad) out.push('<p class="muted"><a href="#failures">evidence: with the failures at the top ↑</a></p>');
  else out.push(renderEvidence(r, false));
  out.push('</section>');
  return out.join('\n');
}
