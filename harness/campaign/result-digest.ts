import type { ScenarioResult } from '../scenario/result';

/**
 * What a campaign keeps of a result once it is written (results.jsonl, the scenario's folder, the reports): what
 * the verdicts and exit code, the requirement traceability, the catalogue, the manifest's controller identity and
 * the console summary read. Each expectation keeps its id, requirement, status and verdict; one that did not pass
 * also its message, time, observed values and location (the console summary shows them). Everything else goes: the
 * series, the evidence lists (frames, writes, controller output, timeline, traffic), provenance (in results.jsonl
 * and the manifest), plot details and reaction lists. A fresh object: the result itself is not changed.
 */
export function digestResult(r: ScenarioResult): ScenarioResult {
  const { series: _series, evidence: _evidence, provenance: _provenance, expectations, ...rest } = r;
  return {
    ...rest,
    expectations: expectations.map((x) => {
      const base = { id: x.id, ...(x.requirement !== undefined ? { requirement: x.requirement } : {}), status: x.status, verdict: x.verdict };
      if (x.verdict === 'pass') return { ...base, message: '', where: '' };
      return { ...base, message: x.message, ...(x.atMs !== undefined ? { atMs: x.atMs } : {}), ...(x.observed ? { observed: x.observed } : {}), where: x.where };
    }),
    evidence: { frames: [], writes: [], dutOutput: [], events: [] },
  };
}
