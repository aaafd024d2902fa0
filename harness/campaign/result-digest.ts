import type { ScenarioResult } from '../scenario/result';

/**
 * What a campaign keeps of a result once it is written (results.jsonl, the scenario's folder, the reports): what
 * the verdicts, the requirement traceability, the catalogue, the manifest's controller identity and the console
 * summary read. Each expectation keeps its id, requirement, status, verdict, message, time, observed values and
 * location; its plot details (false terms, window) and reaction list go, as do the series and the evidence lists
 * (frames, writes, controller output, timeline, traffic). A fresh object: the result itself is not changed.
 */
export function digestResult(r: ScenarioResult): ScenarioResult {
  const { series: _series, evidence: _evidence, expectations, ...rest } = r;
  return {
    ...rest,
    expectations: expectations.map(({ falseTerms: _f, window: _w, reactions: _r, reactionsOmitted: _o, ...x }) => x),
    evidence: { frames: [], writes: [], dutOutput: [], events: [] },
  };
}
