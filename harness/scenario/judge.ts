import { evaluate, explain, type Compiled, type SignalLookup } from './expression';
import { falseTerms, type FalseTerm } from './false-terms';
import type { Expectation, ExpectationForm } from './scenario';

export type { FalseTerm };

/** Verdict of a scenario: worst of its expectations and harness errors (error > fail > pass). */
export type Verdict = 'pass' | 'fail' | 'error';

/**
 * What the judge concluded about one expectation (docs/verdicts.md):
 * - `pass`: judged, and it held.
 * - `fail`: judged, and it was violated (`atMs`: the first moment that was certain).
 * - `not-exercised`: a reaction none of whose triggers had its whole `within` window inside the run (the trigger
 *   never became true, or only less than `within` before the end).
 * - `not-judged`: it could not be decided: a signal it reads never had a value (unknown or NaN) when it mattered,
 *   or the run stopped before its end (controller died, interrupted, harness error, `--stop-on-fail`) while the
 *   expectation was still open.
 */
export type ExpectationStatus = 'pass' | 'fail' | 'not-exercised' | 'not-judged';

/**
 * How an expectation weighs in its scenario's verdict: `pass`, `fail`, `error` (not exercised, not judged), or
 * `skip` (not counted: an `optional` reaction that was not exercised, or an expectation left open because the run
 * stopped at the first failure on purpose).
 */
export type ExpectationVerdict = Verdict | 'skip';

/** One trigger of a reaction and what came of it. */
export interface ReactionRecord {
  /** ms since t=0 of the sample where `when` became true. */
  triggeredAtMs: number;
  /** ms from the trigger to the first sample where `then` held, inside the window; null if it did not. */
  reactedAfterMs: number | null;
  /**
   * `reacted`: in time. `missed`: the window closed without `then`. `unknown`: the window closed and `then` never
   * had a value inside it. `open`: the run ended (or the expectation was decided) inside the window.
   */
  outcome: 'reacted' | 'missed' | 'unknown' | 'open';
}

/** Evidence attached to a result: when, what was observed, in words and values. */
export interface ExpectationResult {
  id: string;
  requirement?: string;
  status: ExpectationStatus;
  verdict: ExpectationVerdict;
  /** One line a person reads first: what went wrong, why it could not be judged, or how it passed. */
  message: string;
  /** ms since t=0 of the decisive moment (failure time, or when it passed). */
  atMs?: number;
  /** Values of the signals the decisive condition reads, at `atMs`. */
  observed?: Record<string, number | boolean | undefined>;
  /**
   * A failure's window, ms since t=0, for plots: a reaction's trigger and its deadline (trigger + `within`), an
   * invariant's first false sample and the end of its tolerance, an eventually's start (`0`) and its `by`.
   */
  window?: { fromMs: number; toMs: number; from: string; to: string };
  /** A failure: the parts of the condition that were false at `atMs` (the value, its limit, the signals that failed). */
  falseTerms?: FalseTerm[];
  /** Reactions: each trigger (the first {@link MAX_REACTION_RECORDS}) and what came of it. */
  reactions?: ReactionRecord[];
  /** Reactions: triggers after the first {@link MAX_REACTION_RECORDS}, counted but not listed. */
  reactionsOmitted?: number;
  where: string;
}

/** How the run ended, for {@link Judge.finish}. */
export interface RunEnd {
  /**
   * Set when the run stopped before its planned end: why, in words ("the controller exited during the scenario
   * (exit code 7)", "interrupted (SIGINT)"). Every expectation still open is then `not-judged`, never `pass`.
   */
  cutShort?: string;
  /**
   * The run was stopped on purpose at a failure (`--stop-on-fail`): the expectations left open are not held
   * against it (verdict `skip`); the failure already decides the scenario.
   */
  stoppedAtFailure?: boolean;
}

/** Reaction records kept per expectation; a trigger that flaps every step for hours is counted, not listed. */
export const MAX_REACTION_RECORDS = 1000;

/**
 * `a` is later than `b` by half a microsecond or more. Sample times are sums of step sizes in floating point (ten
 * 33.3 ms steps make 333.00000000000006 ms): times closer than that are the same instant.
 */
function later(a: number, b: number): boolean {
  return Math.round((a - b) * 1000) > 0;
}

/**
 * Judges expectations from samples of the signals. The runner calls `sample(t)` after every plant step with
 * increasing `t` (ms since the scenario's t=0), then `finish(end)` once, right after the last sample.
 *
 * Semantics (every comparison is on samples; nothing happens between them):
 * - reaction: each rising edge of `when` (including `when` already true at the first sample where it has a value)
 *   is a trigger; `then` must be true at some sample in [trigger, trigger + within] (the sample at the deadline
 *   counts). A trigger whose window closes without it fails at the first sample after the deadline (or at the
 *   deadline when that is the last sample). Triggers are independent: a re-trigger while one is open opens a
 *   second window, and one `then` sample can answer both. A trigger whose window did not fit in the run is `open`:
 *   if no trigger was judged, the reaction is `not-exercised` (error, or skip when `optional`).
 * - invariant: from `after` on, a violation (consecutive false samples) may last at most `tolerance`, measured from
 *   its first false sample to its latest; `tolerance: 0` fails at the first false sample. A violation still open
 *   at the end, shorter than the tolerance, is forgiven (the run judged ended there).
 * - eventually: true at some sample at or before `by`; fails at the first sample after `by`.
 * - atEnd: true at the last sample.
 * A sample where the condition reads an unknown signal (no value, NaN) judges nothing. An expectation never judged
 * for that reason is `not-judged`, naming the signals.
 */
export class Judge {
  private readonly states: ExpectationState[];

  constructor(expectations: readonly Expectation[], private readonly lookup: SignalLookup) {
    this.states = expectations.map((e) => stateFor(e));
  }

  /** Judge at time `t` (ms since t=0). Returns the ids of expectations that failed at this sample. */
  sample(t: number): string[] {
    const failed: string[] = [];
    for (const s of this.states) {
      if (s.decided) continue;
      s.lastT = t;
      if (s.sample(t, this.lookup)) failed.push(s.e.id);
    }
    return failed;
  }

  /** Close the run and return every result, in declaration order. Call once, after the last sample. */
  finish(end: RunEnd = {}): ExpectationResult[] {
    return this.states.map((s) => s.decided ?? s.finish(end, this.lookup));
  }

  /** True once any expectation has failed (the runner may stop early if asked to). */
  get anyFailed(): boolean {
    return this.states.some((s) => s.decided?.status === 'fail');
  }
}

function stateFor(e: Expectation): ExpectationState {
  const f = e.form;
  switch (f.kind) {
    case 'reaction':
      return new ReactionState(e, f);
    case 'invariant':
      return new InvariantState(e, f);
    case 'eventually':
      return new EventuallyState(e, f);
    case 'final':
      return new FinalState(e, f);
  }
}

type Form<K extends ExpectationForm['kind']> = Extract<ExpectationForm, { kind: K }>;

abstract class ExpectationState<F extends ExpectationForm = ExpectationForm> {
  /** Set once the outcome cannot change any more (a failure, an `eventually` that came true). */
  decided: ExpectationResult | undefined;
  /** Time of the latest sample, if any. */
  lastT: number | undefined;

  constructor(
    readonly e: Expectation,
    protected readonly f: F,
  ) {}

  /** Judge one sample; true when it made the expectation fail. */
  abstract sample(t: number, lookup: SignalLookup): boolean;

  /** The result once the run has ended (only called while undecided). */
  abstract finish(end: RunEnd, lookup: SignalLookup): ExpectationResult;

  protected result(status: ExpectationStatus, message: string, extra: Partial<ExpectationResult> = {}): ExpectationResult {
    return {
      id: this.e.id,
      ...(this.e.requirement !== undefined ? { requirement: this.e.requirement } : {}),
      status,
      verdict: VERDICT_OF[status],
      message,
      ...extra,
      where: this.e.where,
    };
  }

  protected fail(t: number, message: string, cond: Compiled, lookup: SignalLookup, extra: Partial<ExpectationResult> = {}): true {
    const terms = falseTerms(cond, lookup);
    this.decided = this.result('fail', message, { atMs: t, observed: explain(cond, lookup), ...(terms.length > 0 ? { falseTerms: terms } : {}), ...extra });
    return true;
  }

  /** The run stopped early while this was open. `sofar` says what had been seen. */
  protected cutShort(end: RunEnd, sofar: string, extra: Partial<ExpectationResult> = {}): ExpectationResult {
    const message =
      this.lastT === undefined
        ? `not judged: the run stopped before t=0 (${end.cutShort})`
        : `not judged: the run stopped after the sample at ${fmt(this.lastT)} (${end.cutShort}) before this was decided; ${sofar}`;
    const r = this.result('not-judged', message, extra);
    if (end.stoppedAtFailure) r.verdict = 'skip';
    return r;
  }
}

/** How a status counts, unless the expectation is optional or was left open by --stop-on-fail (then `skip`). */
const VERDICT_OF: Readonly<Record<ExpectationStatus, Verdict>> = { pass: 'pass', fail: 'fail', 'not-exercised': 'error', 'not-judged': 'error' };

interface Trigger {
  t0: number;
  /** `then` had a value at some sample inside the window. */
  thenKnown: boolean;
  record: ReactionRecord;
}

class ReactionState extends ExpectationState<Form<'reaction'>> {
  private prevWhen = false;
  private whenKnown = false;
  private open: Trigger[] = [];
  private readonly records: ReactionRecord[] = [];
  private triggers = 0;
  private reactedCount = 0;
  private slowestMs = 0;
  private unknownCount = 0;
  private firstUnknownAt = 0;

  sample(t: number, lookup: SignalLookup): boolean {
    const f = this.f;
    const w = evaluate(f.when.ast, lookup);
    const th = evaluate(f.then.ast, lookup);
    if (w !== undefined) {
      this.whenKnown = true;
      const now = w !== 0;
      if (now && !this.prevWhen) this.trigger(t);
      this.prevWhen = now;
    }
    const still: Trigger[] = [];
    for (const p of this.open) {
      if (later(t - p.t0, f.withinMs)) {
        if (this.closeWithout(p, t, lookup)) return true;
        continue;
      }
      if (th !== undefined) p.thenKnown = true;
      if (th) this.react(p, t);
      else still.push(p);
    }
    this.open = still;
    return false;
  }

  private trigger(t: number): void {
    const record: ReactionRecord = { triggeredAtMs: t, reactedAfterMs: null, outcome: 'open' };
    this.triggers++;
    if (this.records.length < MAX_REACTION_RECORDS) this.records.push(record);
    this.open.push({ t0: t, thenKnown: false, record });
  }

  private react(p: Trigger, t: number): void {
    const after = t - p.t0;
    p.record.reactedAfterMs = after;
    p.record.outcome = 'reacted';
    this.reactedCount++;
    this.slowestMs = Math.max(this.slowestMs, after);
  }

  /** The window of `p` closed (judged at `t`) without `then`: a miss fails, an unknown is counted. */
  private closeWithout(p: Trigger, t: number, lookup: SignalLookup): boolean {
    const f = this.f;
    if (!p.thenKnown) {
      p.record.outcome = 'unknown';
      if (this.unknownCount++ === 0) this.firstUnknownAt = p.t0;
      return false;
    }
    p.record.outcome = 'missed';
    return this.fail(
      t,
      `'${f.then.source}' did not hold within ${f.withinMs} ms of '${f.when.source}' becoming true at ${fmt(p.t0)}`,
      f.then,
      lookup,
      { ...this.reactionExtra(), window: { fromMs: p.t0, toMs: p.t0 + f.withinMs, from: `'${f.when.source}' became true`, to: `deadline (within ${f.withinMs} ms)` } },
    );
  }

  private reactionExtra(): Partial<ExpectationResult> {
    const omitted = this.triggers - this.records.length;
    return { reactions: this.records, ...(omitted > 0 ? { reactionsOmitted: omitted } : {}) };
  }

  finish(end: RunEnd, lookup: SignalLookup): ExpectationResult {
    const f = this.f;
    // A window whose deadline was the last sample closed there (an open trigger implies a sample, so lastT is set).
    const lastT = this.lastT!;
    for (const p of this.open) {
      if (!later(f.withinMs, lastT - p.t0) && this.closeWithout(p, lastT, lookup)) return this.decided!;
    }
    const extra = this.reactionExtra();
    if (end.cutShort !== undefined) return this.cutShort(end, `${this.triggers} trigger(s) so far, ${this.reactedCount} answered in time`, extra);
    if (!this.whenKnown) return this.result('not-judged', `not judged: ${unknownIn(f.when, explain(f.when, lookup))} during the whole run, so '${f.when.source}' could not be watched`, extra);
    if (this.unknownCount > 0) {
      return this.result(
        'not-judged',
        `not judged: ${unknownIn(f.then, explain(f.then, lookup))} throughout the window of ${this.unknownCount} trigger(s) (the first at ${fmt(this.firstUnknownAt)})`,
        extra,
      );
    }
    const late = this.triggers - this.reactedCount;
    const lateNote = late > 0 ? `; ${late} trigger(s) less than ${f.withinMs} ms before the end, not judged` : '';
    if (this.reactedCount > 0) {
      return this.result('pass', `${this.reactedCount} trigger(s) answered in time, slowest after ${this.slowestMs} ms (deadline ${f.withinMs} ms)${lateNote}`, extra);
    }
    const why =
      this.triggers === 0
        ? `'${f.when.source}' never became true`
        : `'${f.when.source}' became true only less than ${f.withinMs} ms before the end (at ${fmt(this.records[0]!.triggeredAtMs)}), so no reaction window fit in the run`;
    const hint = f.optional ? ' (optional: not counted)' : ' (strengthen the stimulus, trigger it earlier, or mark the expectation optional: true)';
    const r = this.result('not-exercised', `not exercised: ${why}${hint}`, extra);
    if (f.optional) r.verdict = 'skip';
    return r;
  }
}

class InvariantState extends ExpectationState<Form<'invariant'>> {
  private seen = false;
  private known = false;
  private violationStart: number | undefined;

  sample(t: number, lookup: SignalLookup): boolean {
    const f = this.f;
    if (later(f.afterMs, t)) return false;
    this.seen = true;
    const v = evaluate(f.cond.ast, lookup);
    if (v === undefined) return false;
    this.known = true;
    if (v !== 0) {
      this.violationStart = undefined;
      return false;
    }
    this.violationStart ??= t;
    const window = { fromMs: this.violationStart, toMs: this.violationStart + f.toleranceMs, from: 'first violation', to: `tolerance (${f.toleranceMs} ms)` };
    if (f.toleranceMs === 0) return this.fail(t, `invariant '${f.cond.source}' was violated`, f.cond, lookup, { window });
    if (later(t - this.violationStart, f.toleranceMs)) {
      return this.fail(t, `invariant '${f.cond.source}' was violated for more than ${f.toleranceMs} ms (since ${fmt(this.violationStart)})`, f.cond, lookup, { window });
    }
    return false;
  }

  finish(end: RunEnd, lookup: SignalLookup): ExpectationResult {
    const f = this.f;
    if (end.cutShort !== undefined) return this.cutShort(end, this.known ? 'it held until then' : 'it had not been judged yet');
    if (!this.seen) return this.result('not-judged', `not judged: the run ended before ${fmt(f.afterMs)} ('after')`);
    if (!this.known) return this.result('not-judged', `not judged: ${unknownIn(f.cond, explain(f.cond, lookup))} during the whole run`);
    const open = this.violationStart !== undefined ? `; false since ${fmt(this.violationStart)} when the run ended (within the ${f.toleranceMs} ms tolerance)` : '';
    return this.result('pass', `'${f.cond.source}' held throughout${f.afterMs > 0 ? ` (from ${fmt(f.afterMs)})` : ''}${open}`, { atMs: this.lastT! });
  }
}

class EventuallyState extends ExpectationState<Form<'eventually'>> {
  private known = false;

  sample(t: number, lookup: SignalLookup): boolean {
    const f = this.f;
    if (later(t, f.byMs)) return this.known ? this.fail(t, this.missed(), f.cond, lookup, { window: this.window() }) : false;
    const v = evaluate(f.cond.ast, lookup);
    if (v === undefined) return false;
    this.known = true;
    if (v !== 0) this.decided = this.result('pass', `'${f.cond.source}' became true at ${fmt(t)}`, { atMs: t });
    return false;
  }

  private window(): ExpectationResult['window'] {
    return { fromMs: 0, toMs: this.f.byMs, from: 't=0', to: `deadline (by ${fmt(this.f.byMs)})` };
  }

  private missed(): string {
    return `'${this.f.cond.source}' never became true by ${fmt(this.f.byMs)}`;
  }

  finish(end: RunEnd, lookup: SignalLookup): ExpectationResult {
    const f = this.f;
    const complete = this.lastT !== undefined && !later(f.byMs, this.lastT);
    if (complete && this.known) {
      this.fail(f.byMs, this.missed(), f.cond, lookup, { window: this.window() });
      return this.decided!;
    }
    if (complete) return this.result('not-judged', `not judged: ${unknownIn(f.cond, explain(f.cond, lookup))} up to ${fmt(f.byMs)}`);
    if (end.cutShort !== undefined) return this.cutShort(end, `it had not become true by then (deadline ${fmt(f.byMs)})`);
    return this.result('not-judged', `not judged: the run ended before the deadline ${fmt(f.byMs)}`);
  }
}

class FinalState extends ExpectationState<Form<'final'>> {
  private last: number | undefined;
  private observed: Record<string, number | boolean | undefined> | undefined;
  private terms: FalseTerm[] = [];

  sample(_t: number, lookup: SignalLookup): boolean {
    this.last = evaluate(this.f.cond.ast, lookup);
    this.observed = this.last ? undefined : explain(this.f.cond, lookup);
    this.terms = this.last === 0 ? falseTerms(this.f.cond, lookup) : [];
    return false;
  }

  finish(end: RunEnd): ExpectationResult {
    const f = this.f;
    if (end.cutShort !== undefined) return this.cutShort(end, 'the end was never reached');
    if (this.lastT === undefined) return this.result('not-judged', 'not judged: the run took no sample');
    if (this.last === undefined) {
      return this.result('not-judged', `not judged: ${unknownIn(f.cond, this.observed!)} at the end`, { atMs: this.lastT, observed: this.observed! });
    }
    if (this.last === 0) {
      this.decided = this.result('fail', `at the end, '${f.cond.source}' is false`, { atMs: this.lastT, observed: this.observed!, ...(this.terms.length > 0 ? { falseTerms: this.terms } : {}) });
      return this.decided;
    }
    return this.result('pass', `'${f.cond.source}' holds at the end`, { atMs: this.lastT });
  }
}

/** Why `c` has no value, given the values of its signals: "no value for a, b", or NaN arithmetic. */
function unknownIn(c: Compiled, observed: Record<string, number | boolean | undefined>): string {
  const u = c.signals.filter((s) => !hasValue(observed[s]));
  return u.length > 0 ? `no value for ${u.join(', ')}` : `'${c.source}' is not a number (NaN)`;
}

function hasValue(v: number | boolean | undefined): boolean {
  return v !== undefined && !Number.isNaN(v);
}

/** `t=12.345s`, for messages. */
export function fmt(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)}s`;
}
