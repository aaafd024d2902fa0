import type { Verdict } from '../scenario/judge';
import type { ScenarioResult } from '../report/result';

/** One requirement and the evidence for it. */
export interface RequirementTrace {
  requirement: string;
  /** Worst verdict over its expectations (error > fail > pass); `untested` if only skipped scenarios cover it. */
  verdict: Verdict | 'untested';
  /** The expectations that trace to it: those naming it, and every expectation of a scenario that names it. */
  evidence: Array<{ scenario: string; expectation: string; verdict: Verdict | 'skip' }>;
}

/**
 * Requirement traceability for a campaign: every requirement named by an expectation or a scenario, with the
 * expectations that judge it. A scenario's `requirements` are judged by all its expectations; an expectation's own
 * `requirement` by that expectation as well. Sorted by requirement id.
 */
export function traceRequirements(results: readonly ScenarioResult[]): RequirementTrace[] {
  const map = new Map<string, RequirementTrace>();
  const add = (req: string, scenario: string, expectation: string, verdict: Verdict | 'skip'): void => {
    let t = map.get(req);
    if (!t) map.set(req, (t = { requirement: req, verdict: 'untested', evidence: [] }));
    t.evidence.push({ scenario, expectation, verdict });
  };
  for (const r of results) {
    if (r.verdict === 'skip') {
      for (const req of r.requirements) add(req, r.scenario, '(scenario skipped)', 'skip');
      continue;
    }
    for (const e of r.expectations) {
      const reqs = new Set([...r.requirements, ...(e.requirement ? [e.requirement] : [])]);
      for (const req of reqs) add(req, r.scenario, e.id, e.verdict);
    }
    if (r.errors.length > 0) for (const req of r.requirements) add(req, r.scenario, '(harness error)', 'error');
  }
  for (const t of map.values()) {
    const v = t.evidence.map((e) => e.verdict).filter((x): x is Verdict => x !== 'skip');
    t.verdict = v.length === 0 ? 'untested' : v.includes('error') ? 'error' : v.includes('fail') ? 'fail' : 'pass';
  }
  return [...map.values()].sort((a, b) => a.requirement.localeCompare(b.requirement, 'en', { numeric: true }));
}
