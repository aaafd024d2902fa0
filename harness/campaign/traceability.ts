import type { ExpectationStatus, ExpectationVerdict, Verdict } from '../scenario/judge';
import type { ScenarioResult } from '../scenario/result';

/** One piece of evidence for a requirement: an expectation of a scenario (or the scenario itself). */
export interface RequirementEvidence {
  scenario: string;
  /** The expectation id, or `(scenario skipped)` / `(harness error)`. */
  expectation: string;
  /** `skip`: not counted (scenario skipped, optional reaction not exercised, left open by --stop-on-fail). */
  verdict: ExpectationVerdict;
  status?: ExpectationStatus;
}

/** One requirement and the evidence for it. */
export interface RequirementTrace {
  requirement: string;
  /** Worst counted verdict of its evidence (error > fail > pass); `untested` if none of it counts. */
  verdict: Verdict | 'untested';
  /** What judges it, by the rule of {@link traceRequirements}. */
  evidence: RequirementEvidence[];
}

/**
 * Requirement traceability for a campaign: every requirement named by an expectation or a scenario, with what
 * judges it (docs/verdicts.md "Requirements"). The rule:
 * - an expectation that names a requirement (`requirement:`) is evidence for that requirement only;
 * - a scenario's `requirements:` are judged by the scenario's expectations that name no requirement, and by the
 *   scenario's harness errors (a controller crash, a set-up failure: the run itself is in question);
 * - a skipped scenario is `skip` evidence for the requirements it names (scenario-level and its expectations').
 * So a scenario-level requirement never inherits the failure of an expectation that names another requirement. A
 * requirement whose evidence is all `skip` (or empty: a scenario-level requirement of a scenario whose expectations
 * all name other requirements) is `untested`. Sorted by requirement id.
 */
export function traceRequirements(results: readonly ScenarioResult[]): RequirementTrace[] {
  const tracer = new RequirementTracer();
  for (const r of results) tracer.add(r);
  return tracer.rows();
}

/**
 * {@link traceRequirements} one result at a time: what it keeps of a result is its (scenario, expectation, verdict)
 * references per requirement, never the result, so a campaign of thousands of scenarios can hand each result over
 * and drop it (the HTML report's traceability table, requirements.json). `rows()` may be called at any point and
 * gives what `traceRequirements` gives for the results added so far, in the same order.
 */
export class RequirementTracer {
  private readonly map = new Map<string, RequirementEvidence[]>();

  private entry(req: string): RequirementEvidence[] {
    let e = this.map.get(req);
    if (!e) this.map.set(req, (e = []));
    return e;
  }

  add(r: ScenarioResult): void {
    for (const req of r.requirements) this.entry(req);
    if (r.verdict === 'skip') {
      const reqs = new Set([...r.requirements, ...r.expectations.flatMap((e) => (e.requirement !== undefined ? [e.requirement] : []))]);
      for (const req of reqs) this.entry(req).push({ scenario: r.scenario, expectation: '(scenario skipped)', verdict: 'skip' });
      return;
    }
    for (const e of r.expectations) {
      const reqs = e.requirement !== undefined ? [e.requirement] : r.requirements;
      for (const req of reqs) this.entry(req).push({ scenario: r.scenario, expectation: e.id, verdict: e.verdict, ...(e.status ? { status: e.status } : {}) });
    }
    if (r.errors.length > 0) for (const req of r.requirements) this.entry(req).push({ scenario: r.scenario, expectation: '(harness error)', verdict: 'error' });
  }

  /** Every requirement seen so far with its verdict and evidence (fresh arrays: the caller may keep them). */
  rows(): RequirementTrace[] {
    const out: RequirementTrace[] = [];
    for (const [requirement, evidence] of this.map) {
      const v = evidence.map((e) => e.verdict).filter((x): x is Verdict => x !== 'skip');
      const verdict: RequirementTrace['verdict'] = v.length === 0 ? 'untested' : v.includes('error') ? 'error' : v.includes('fail') ? 'fail' : 'pass';
      out.push({ requirement, verdict, evidence: [...evidence] });
    }
    return out.sort((a, b) => a.requirement.localeCompare(b.requirement, 'en', { numeric: true }));
  }
}
