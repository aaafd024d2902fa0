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
  const map = new Map<string, RequirementTrace>();
  const entry = (req: string): RequirementTrace => {
    let t = map.get(req);
    if (!t) map.set(req, (t = { requirement: req, verdict: 'untested', evidence: [] }));
    return t;
  };
  for (const r of results) {
    for (const req of r.requirements) entry(req);
    if (r.verdict === 'skip') {
      const reqs = new Set([...r.requirements, ...r.expectations.flatMap((e) => (e.requirement !== undefined ? [e.requirement] : []))]);
      for (const req of reqs) entry(req).evidence.push({ scenario: r.scenario, expectation: '(scenario skipped)', verdict: 'skip' });
      continue;
    }
    for (const e of r.expectations) {
      const reqs = e.requirement !== undefined ? [e.requirement] : r.requirements;
      for (const req of reqs) entry(req).evidence.push({ scenario: r.scenario, expectation: e.id, verdict: e.verdict, ...(e.status ? { status: e.status } : {}) });
    }
    if (r.errors.length > 0) for (const req of r.requirements) entry(req).evidence.push({ scenario: r.scenario, expectation: '(harness error)', verdict: 'error' });
  }
  for (const t of map.values()) {
    const v = t.evidence.map((e) => e.verdict).filter((x): x is Verdict => x !== 'skip');
    t.verdict = v.length === 0 ? 'untested' : v.includes('error') ? 'error' : v.includes('fail') ? 'fail' : 'pass';
  }
  return [...map.values()].sort((a, b) => a.requirement.localeCompare(b.requirement, 'en', { numeric: true }));
}
