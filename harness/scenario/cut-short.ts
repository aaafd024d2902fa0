import type { ExpectationResult } from './judge';
import type { Expectation } from './scenario';

/**
 * The verdicts of a run that ended before its duration (interrupted by a signal, the controller hung or died): what
 * was decided for good stays, everything that would have needed the rest of the run is "not judged" (an error
 * verdict, never a pass). Decided for good: a failure seen during the run (a missed reaction deadline, a violated
 * invariant), an `eventually` that became true, and an `eventually` whose deadline had passed. Not judged: a
 * reaction or invariant that held so far (the rest of the run could still break it), an `atEnd` (the end never
 * came), an `eventually` still waiting for its deadline.
 *
 * `results` are `Judge.finish(cutMs)` results in declaration order, `expectations` the scenario's.
 */
export function judgeCutShort(results: readonly ExpectationResult[], expectations: readonly Expectation[], cutMs: number, reason: string): ExpectationResult[] {
  return results.map((r, i) => {
    const form = expectations[i]?.form;
    if (!form) return r;
    const decided =
      form.kind === 'final'
        ? false
        : form.kind === 'eventually'
          ? r.verdict === 'pass' || (r.verdict === 'fail' && form.byMs <= cutMs)
          : r.verdict === 'fail';
    if (decided) return r;
    return {
      id: r.id,
      ...(r.requirement ? { requirement: r.requirement } : {}),
      verdict: 'error',
      message: `not judged: ${reason} at t=${(cutMs / 1000).toFixed(3)}s${r.verdict === 'pass' && (form.kind === 'reaction' || form.kind === 'invariant') ? ` (so far: ${r.message})` : ''}`,
      atMs: cutMs,
      ...(r.reactions ? { reactions: r.reactions } : {}),
      where: r.where,
    };
  });
}
