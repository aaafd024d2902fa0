import { evaluate, explain, type Compiled, type SignalLookup } from './expression';
import type { Expectation } from './scenario';

/** Outcome of one expectation. `error` means it could not be judged (a signal never had a value). */
export type Verdict = 'pass' | 'fail' | 'error';

/** Evidence attached to a result: when, what was observed, in words and values. */
export interface ExpectationResult {
  id: string;
  requirement?: string;
  verdict: Verdict;
  /** One line a person reads first: what went wrong (or how it passed). */
  message: string;
  /** Simulated ms since scenario start of the decisive moment (failure time, or reaction time). */
  atMs?: number;
  /** Values of the signals the failed condition reads, at `atMs`. */
  observed?: Record<string, number | boolean | undefined>;
  /** For reactions: each trigger and how long the reaction took (ms), or null if it missed. */
  reactions?: Array<{ triggeredAtMs: number; reactedAfterMs: number | null }>;
  where: string;
}

interface Pending {
  t0: number;
}

/**
 * Judges expectations from samples of the signals. The runner calls `sample(t)` after every plant step (and after
 * events it wants judged at once) with monotonically increasing `t` (ms since scenario start), then `finish(t)`.
 *
 * Semantics:
 * - reaction: on each rising edge of `when`, `then` must be observed true at some sample within `within`
 *   (a sample exactly at the deadline counts). A miss fails at the first sample after the deadline.
 * - invariant: after `after`, the condition may be false for at most `tolerance` at a stretch.
 * - eventually: true at some sample no later than `by`.
 * - final: true at the last sample.
 * A condition whose signals are unknown (undefined) is not judged at that sample; an expectation that could never
 * be judged ends as `error`, naming the signals.
 */
export class Judge {
  private readonly states: Array<State>;

  constructor(expectations: readonly Expectation[], private readonly lookup: SignalLookup) {
    this.states = expectations.map((e) => new State(e));
  }

  /** Judge at time `t` (ms since start). Returns ids of expectations that newly failed at this sample. */
  sample(t: number): string[] {
    const failed: string[] = [];
    for (const s of this.states) if (s.sample(t, this.lookup)) failed.push(s.e.id);
    return failed;
  }

  /** Close the run at `t` and return every result (in declaration order). */
  finish(t: number): ExpectationResult[] {
    return this.states.map((s) => s.finish(t, this.lookup));
  }

  /** True once any expectation has failed (the runner may stop early if asked to). */
  get anyFailed(): boolean {
    return this.states.some((s) => s.result?.verdict === 'fail');
  }
}

class State {
  result: ExpectationResult | undefined;
  private judged = false;
  private prevWhen = false;
  private pending: Pending[] = [];
  private readonly reactions: Array<{ triggeredAtMs: number; reactedAfterMs: number | null }> = [];
  private violationStart: number | undefined;
  private lastT = 0;

  constructor(readonly e: Expectation) {}

  private fail(t: number, message: string, cond: Compiled, lookup: SignalLookup): true {
    this.result = {
      id: this.e.id,
      ...(this.e.requirement ? { requirement: this.e.requirement } : {}),
      verdict: 'fail',
      message,
      atMs: t,
      observed: explain(cond, lookup),
      ...(this.e.form.kind === 'reaction' ? { reactions: this.reactions } : {}),
      where: this.e.where,
    };
    return true;
  }

  /** Returns true when this sample made it fail. */
  sample(t: number, lookup: SignalLookup): boolean {
    this.lastT = t;
    if (this.result) return false;
    const f = this.e.form;
    switch (f.kind) {
      case 'reaction': {
        const w = evaluate(f.when.ast, lookup);
        const th = evaluate(f.then.ast, lookup);
        if (w !== undefined) {
          this.judged = true;
          const now = !!w;
          if (now && !this.prevWhen) {
            const r = { triggeredAtMs: t, reactedAfterMs: null as number | null };
            this.reactions.push(r);
            this.pending.push({ t0: t });
          }
          this.prevWhen = now;
        }
        const still: Pending[] = [];
        for (const p of this.pending) {
          const r = this.reactions.find((x) => x.triggeredAtMs === p.t0)!;
          if (th !== undefined && th && t - p.t0 <= f.withinMs + 1e-9) {
            r.reactedAfterMs = t - p.t0;
            continue;
          }
          if (t - p.t0 > f.withinMs + 1e-9) {
            return this.fail(
              t,
              `'${f.then.source}' did not hold within ${f.withinMs} ms of '${f.when.source}' becoming true at ${fmt(p.t0)}`,
              f.then,
              lookup,
            );
          }
          still.push(p);
        }
        this.pending = still;
        return false;
      }
      case 'invariant': {
        if (t < f.afterMs) return false;
        const v = evaluate(f.cond.ast, lookup);
        if (v === undefined) return false;
        this.judged = true;
        if (v) {
          this.violationStart = undefined;
          return false;
        }
        this.violationStart ??= t;
        if (f.toleranceMs === 0 || t - this.violationStart > f.toleranceMs) {
          const tol = f.toleranceMs > 0 ? ` for more than ${f.toleranceMs} ms (since ${fmt(this.violationStart)})` : '';
          return this.fail(t, `invariant '${f.cond.source}' was violated${tol}`, f.cond, lookup);
        }
        return false;
      }
      case 'eventually': {
        if (t > f.byMs) return false;
        const v = evaluate(f.cond.ast, lookup);
        if (v === undefined) return false;
        this.judged = true;
        if (v) {
          this.result = { id: this.e.id, ...(this.e.requirement ? { requirement: this.e.requirement } : {}), verdict: 'pass', message: `'${f.cond.source}' became true at ${fmt(t)}`, atMs: t, where: this.e.where };
        }
        return false;
      }
      case 'final':
        return false;
    }
  }

  finish(t: number, lookup: SignalLookup): ExpectationResult {
    if (this.result) return this.result;
    const f = this.e.form;
    const base = { id: this.e.id, ...(this.e.requirement ? { requirement: this.e.requirement } : {}), where: this.e.where };
    if (f.kind === 'final') {
      const v = evaluate(f.cond.ast, lookup);
      if (v === undefined) return { ...base, verdict: 'error', message: `cannot judge '${f.cond.source}': no value for ${unknowns(f.cond, lookup)}` };
      if (!v) this.fail(t, `at the end, '${f.cond.source}' is false`, f.cond, lookup);
      else return { ...base, verdict: 'pass', message: `'${f.cond.source}' holds at the end`, atMs: t };
      return this.result!;
    }
    if (f.kind === 'reaction' && this.pending.length > 0) {
      // Triggers too close to the end to have had their full deadline are not held against the controller.
      const p = this.pending[0]!;
      if (t - p.t0 > f.withinMs) this.fail(t, `'${f.then.source}' did not hold within ${f.withinMs} ms of the trigger at ${fmt(p.t0)}`, f.then, lookup);
      if (this.result) return this.result;
    }
    if (!this.judged) {
      const cond = f.kind === 'reaction' ? f.when : f.cond;
      return { ...base, verdict: 'error', message: `never judged: no value for ${unknowns(cond, lookup)} during the run` };
    }
    if (f.kind === 'eventually') {
      return this.fail(Math.min(t, f.byMs), `'${f.cond.source}' never became true by ${fmt(f.byMs)}`, f.cond, lookup) && this.result!;
    }
    if (f.kind === 'reaction') {
      const n = this.reactions.length;
      const worst = Math.max(0, ...this.reactions.map((r) => r.reactedAfterMs ?? 0));
      if (n === 0 && !f.optional) {
        // A reaction the scenario never provoked proves nothing: say so rather than pass it.
        return {
          ...base,
          verdict: 'error',
          message: `not exercised: '${f.when.source}' never became true, so the reaction was never tested (strengthen the stimulus, or mark the expectation optional: true)`,
          reactions: this.reactions,
        };
      }
      return {
        ...base,
        verdict: 'pass',
        message: n === 0 ? `'${f.when.source}' never became true (optional: nothing to react to)` : `${n} trigger(s), slowest reaction ${worst} ms (deadline ${f.withinMs} ms)`,
        reactions: this.reactions,
        atMs: this.lastT,
      };
    }
    return { ...base, verdict: 'pass', message: `'${f.cond.source}' held throughout`, atMs: this.lastT };
  }
}

function unknowns(c: Compiled, lookup: SignalLookup): string {
  const u = c.signals.filter((s) => lookup(s) === undefined);
  return u.length > 0 ? u.join(', ') : c.signals.join(', ');
}

function fmt(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)}s`;
}
