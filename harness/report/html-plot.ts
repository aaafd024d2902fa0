import type { ExpectationResult } from '../scenario/judge';
import type { FalseTerm } from '../scenario/false-terms';
import type { ScenarioResult } from '../scenario/result';
import { compileExpression, evaluate, type Compiled } from '../scenario/expression';
import { downsample, rebucket, type SeriesSet, type SignalSeries } from '../evidence/series';
import { decimalsOf, signalUnit, type SignalUnit } from './signal-units';

/**
 * Plots of the HTML report, drawn in the page by uPlot (inlined from node_modules: no network). Each plot is a JSON
 * spec in a `<script type="application/json" class="plot-data">` beside an empty `<div>`; `PLOT_CLIENT_JS`
 * (html-plot-client.ts) draws them: min/max envelopes per bucket, a limit next to the value on the same axes, a
 * failure's window as a shaded band between its trigger and its deadline, events as labelled vertical lines, the
 * failure as a red point on the one signal that failed. Drag to zoom, double-click for the whole run.
 */

/** One line (a min/max envelope) of a plot. */
export interface PlotLine {
  label: string;
  /** `value`: the signal or expression judged; `limit`: what it was compared with; `signal`: a recorded signal. */
  role: 'value' | 'limit' | 'signal';
  min: Array<number | null>;
  max: Array<number | null>;
}

/** What the page script gets for one plot. Times in seconds since t=0. */
export interface PlotSpec {
  id: string;
  title: string;
  x: number[];
  lines: PlotLine[];
  /** Axis labels, units included. */
  xLabel: string;
  yLabel: string;
  unit: string;
  /** Digits shown for values (from the resolution); null: unknown resolution, about four significant digits. */
  decimals: number | null;
  boolean: boolean;
  window?: { from: number; to: number; fromLabel: string; toLabel: string };
  /** The time range shown first (a failure's window with room around it); double-click shows the whole run. */
  focus?: { from: number; to: number };
  events: Array<{ t: number; label: string; kind: 'event' | 'error' }>;
  /** Failure points: on line `line` (index into `lines`), at `t`, value `v` if known. */
  marks: Array<{ t: number; v?: number; line: number; label: string }>;
}

/** Points per line at most (a plot is about 1,000 px wide). */
const MAX_POINTS = 1000;

/** Timeline events with their times, from the runner's `t=12.000s text` evidence lines. */
export function timelineEvents(r: ScenarioResult): Array<{ atMs: number; text: string }> {
  const out: Array<{ atMs: number; text: string }> = [];
  for (const line of r.evidence.events) {
    const m = /^t=(-?\d+(?:\.\d+)?)s\s+(.*)$/.exec(line);
    if (m) out.push({ atMs: Number(m[1]) * 1000, text: m[2]! });
  }
  return out;
}

/**
 * Short label of a timeline event for a plot (the runner's wording, harness/scenario/runner.ts): `fault 'vent':
 * pack2 external-heat {...}` -> `fault vent`, `clear fault 'vent'` -> `clear vent`, `set inv1.irradiance=300`,
 * `ramp inv1.irradiance 0 -> 800 over 60000 ms` -> `ramp inv1.irradiance -> 800`, `age 365.0 days of ...` -> `age 365.0 days`,
 * anything else as it is; at most 40 characters.
 */
export function eventLabel(text: string): string {
  let m: RegExpExecArray | null;
  let short = text;
  if ((m = /^fault '([^']*)'/.exec(text))) short = `fault ${m[1]}`;
  else if ((m = /^clear fault '([^']*)'/.exec(text))) short = `clear ${m[1]}`;
  else if ((m = /^ramp (\S+) \S+ -> (\S+)/.exec(text))) short = `ramp ${m[1]} -> ${m[2]}`;
  else if ((m = /^age ([\d.]+ days)/.exec(text))) short = `age ${m[1]}`;
  return short.length > 40 ? `${short.slice(0, 39)}…` : short;
}

function plotEvents(r: ScenarioResult): PlotSpec['events'] {
  return [
    ...timelineEvents(r).map((e) => ({ t: e.atMs / 1000, label: eventLabel(e.text), kind: 'event' as const })),
    ...r.errors.map((e) => ({ t: e.atMs / 1000, label: 'error', kind: 'error' as const })),
  ];
}

/** The union of bucket starts of some series, ascending. */
function timeAxis(series: SignalSeries[]): number[] {
  const all = new Set<number>();
  for (const s of series) for (const t of s.t) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/**
 * An expression's min/max per bucket, from its signals' min/max: evaluated on the bucket minimums and on the
 * maximums, the smaller and larger result (exact for the monotone expressions limits are: `lim * 1.05 + 1`).
 */
function evalOver(c: Compiled, set: SeriesSet, xs: number[]): { min: Array<number | null>; max: Array<number | null> } {
  const idx = c.signals.map((name) => {
    const s = set[name];
    const m = new Map<number, number>();
    s?.t.forEach((t, i) => m.set(t, i));
    return { name, s, m };
  });
  const min: Array<number | null> = [];
  const max: Array<number | null> = [];
  for (const t of xs) {
    const at = (pick: 'min' | 'max') => (name: string): number | undefined => {
      const e = idx.find((x) => x.name === name);
      const i = e?.m.get(t);
      return e?.s && i !== undefined ? e.s[pick][i] : undefined;
    };
    const a = evaluate(c.ast, at('min'));
    const b = evaluate(c.ast, at('max'));
    if (a === undefined || b === undefined) {
      min.push(null);
      max.push(null);
    } else {
      min.push(Math.min(a, b));
      max.push(Math.max(a, b));
    }
  }
  return { min, max };
}

/**
 * The series of a plot, downsampled to about {@link MAX_POINTS} buckets of one common width (the widest any of them
 * needs), so their buckets line up on one time axis (recordings of one run share their bucket width; a signal
 * recorded over a shorter span would otherwise be merged less).
 */
function downsampled(set: SeriesSet | undefined, names: readonly string[]): SeriesSet {
  const each = names.flatMap((n) => (set?.[n] ? [[n, downsample(set[n]!, MAX_POINTS)] as const] : []));
  const width = Math.max(0, ...each.map(([, s]) => s.bucketMs));
  const out: SeriesSet = {};
  for (const [n, s] of each) out[n] = s.bucketMs === width ? s : rebucket(s, width);
  return out;
}

/** Characters a y-axis label fits in (about 200 px of plot height at 11 px); the plot title has the full name. */
const AXIS_CHARS = 34;

/** `<what> (<unit>)`, shortened to fit the axis: the device prefix dropped, then `value`. */
function axisLabel(what: string, unit: SignalUnit | undefined): string {
  const suffix = !unit ? '(unit not known)' : unit.boolean ? '(false/true)' : unit.unit ? `(${unit.unit})` : '(dimensionless)';
  const shorter = /^[\w.]+$/.test(what) ? [what.slice(what.indexOf('.') + 1)] : [];
  for (const w of [what, ...shorter, 'value']) if (`${w} ${suffix}`.length <= AXIS_CHARS) return `${w} ${suffix}`;
  return `value ${suffix}`;
}

const X_LABEL = 't (s since t=0, simulated)';

/** A plot of one recorded signal; failure points only where the failure names this signal as the one that failed. */
export function signalPlot(id: string, name: string, r: ScenarioResult): PlotSpec {
  const set = downsampled(r.series, [name]);
  const s = set[name] ?? { bucketMs: 1, t: [], min: [], max: [] };
  const unit = signalUnit(name);
  const boolean = !!(s.boolean || unit?.boolean);
  const marks: PlotSpec['marks'] = [];
  for (const x of r.expectations) {
    if (x.status !== 'fail' || x.atMs === undefined || !failedSignals(x).includes(name)) continue;
    const v = valueOf(x, name);
    marks.push({ t: x.atMs / 1000, ...(v !== undefined ? { v } : {}), line: 0, label: `✕ ${x.id}` });
  }
  return {
    id,
    title: name,
    x: s.t.map((t) => t / 1000),
    lines: [{ label: name, role: 'signal', min: s.min, max: s.max }],
    xLabel: X_LABEL,
    yLabel: axisLabel(name, unit),
    unit: unit?.unit ?? '',
    decimals: decimalsFor(unit),
    boolean,
    events: plotEvents(r),
    marks,
  };
}

function decimalsFor(unit: SignalUnit | undefined): number | null {
  return unit?.resolution !== undefined ? decimalsOf(unit.resolution) : null;
}

/**
 * The signals a failure is about: those of the value side of each false term (not the limit's); without terms (a
 * result from before they were recorded) every observed signal.
 */
export function failedSignals(x: ExpectationResult): string[] {
  if (x.falseTerms && x.falseTerms.length > 0) return [...new Set(x.falseTerms.flatMap((t) => t.signals))];
  return Object.keys(x.observed ?? {});
}

function valueOf(x: ExpectationResult, name: string): number | undefined {
  const term = x.falseTerms?.find((t) => t.value === name);
  if (term?.valueAt !== undefined) return term.valueAt;
  const o = x.observed?.[name];
  return typeof o === 'boolean' ? (o ? 1 : 0) : o;
}

/**
 * The plot of one false term of a failure: its value side (the signal that failed) and its limit on the same
 * axes, the failure's window shaded, the failure point marked on the value only.
 */
export function failurePlot(id: string, r: ScenarioResult, x: ExpectationResult, term: FalseTerm | undefined): PlotSpec {
  const valueSrc = term?.value ?? failedSignals(x)[0] ?? '';
  const valueC = safeCompile(valueSrc);
  const limitC = term?.limit !== undefined ? safeCompile(term.limit) : undefined;
  const names = [...(valueC?.signals ?? []), ...(limitC?.signals ?? [])];
  const set = downsampled(r.series, names);
  const xs = timeAxis(Object.values(set));
  const lines: PlotLine[] = [];
  if (valueC) lines.push({ label: valueSrc, role: 'value', ...evalOver(valueC, set, xs) });
  if (limitC && term) {
    // A constant limit is drawn across the whole run.
    const ev = limitC.signals.length > 0 ? evalOver(limitC, set, xs) : { min: xs.map(() => evaluate(limitC.ast, () => undefined) ?? null), max: xs.map(() => evaluate(limitC.ast, () => undefined) ?? null) };
    lines.push({ label: `limit: ${term.op ?? ''} ${term.limit}`.replace(/\s+/g, ' '), role: 'limit', ...ev });
  }
  // The unit of the value: a bare signal's own, or that of the single signal an expression of it reads.
  const unit = valueC?.signals.length === 1 ? signalUnit(valueC.signals[0]!) : undefined;
  const boolean = !!unit?.boolean || (term?.op === undefined && valueC?.signals.length === 1 && !!set[valueC.signals[0]!]?.boolean);
  const v = term?.valueAt ?? (valueC?.signals.length === 1 ? valueOf(x, valueC.signals[0]!) : undefined);
  const focus = x.window ? focusOn(x.window.fromMs, Math.max(x.window.toMs, x.atMs ?? 0), xs) : undefined;
  return {
    id,
    title: `${x.id}: ${term?.source ?? valueSrc}`,
    x: xs.map((t) => t / 1000),
    lines,
    xLabel: X_LABEL,
    yLabel: axisLabel(valueSrc, unit),
    unit: unit?.unit ?? '',
    decimals: decimalsFor(unit),
    boolean,
    ...(x.window ? { window: { from: x.window.fromMs / 1000, to: x.window.toMs / 1000, fromLabel: x.window.from, toLabel: x.window.to } } : {}),
    ...(focus ? { focus } : {}),
    events: plotEvents(r),
    marks: x.atMs !== undefined && lines.length > 0 ? [{ t: x.atMs / 1000, ...(v !== undefined ? { v } : {}), line: 0, label: `✕ ${x.id}` }] : [],
  };
}

/**
 * A range around [from, to] (ms) with three times its width (at least 5 % of the run) on each side, in seconds; none
 * when that is most of the run anyway (a short run is shown whole).
 */
function focusOn(from: number, to: number, xs: number[]): { from: number; to: number } | undefined {
  if (xs.length < 2) return undefined;
  const first = xs[0]!;
  const last = xs[xs.length - 1]!;
  const pad = Math.max(3 * Math.max(to - from, 100), 0.05 * (last - first));
  const a = Math.max(first, from - pad);
  const b = Math.min(last, to + pad);
  return b - a < 0.6 * (last - first) ? { from: a / 1000, to: b / 1000 } : undefined;
}

function safeCompile(src: string): Compiled | undefined {
  try {
    return compileExpression(src);
  } catch {
    return undefined;
  }
}

/** A plot spec as HTML: the container and its data (JSON made safe inside a script element). */
export function plotHtml(spec: PlotSpec): string {
  const json = JSON.stringify(spec).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<div class="plot" id="${spec.id}" data-title="${escapeAttr(spec.title)}" role="img" aria-label="${escapeAttr(`${spec.title}; ${spec.yLabel} against ${spec.xLabel}`)}"></div><script type="application/json" class="plot-data" data-for="${spec.id}">${json}</script>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
