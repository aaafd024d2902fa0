import type { ScenarioResult } from '../report/result';
import { traceRequirements } from './traceability';

const result = (scenario: string, requirements: string[], expectations: Array<[string, 'pass' | 'fail' | 'error', string?]>, verdict: ScenarioResult['verdict'] = 'pass'): ScenarioResult =>
  ({
    scenario,
    requirements,
    verdict,
    errors: [],
    expectations: expectations.map(([id, v, requirement]) => ({ id, verdict: v, message: '', where: '', ...(requirement ? { requirement } : {}) })),
  }) as unknown as ScenarioResult;

describe('traceRequirements', () => {
  it('maps requirements to the expectations that judge them, worst verdict wins', () => {
    const t = traceRequirements([
      result('a', ['REQ-1'], [['x', 'pass'], ['y', 'fail', 'REQ-2']]),
      result('b', ['REQ-10'], [['z', 'pass', 'REQ-2']]),
      result('c', ['REQ-3'], [], 'skip'),
    ]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-1:fail', 'REQ-2:fail', 'REQ-3:untested', 'REQ-10:pass']);
    expect(t[1]!.evidence).toEqual([
      { scenario: 'a', expectation: 'y', verdict: 'fail' },
      { scenario: 'b', expectation: 'z', verdict: 'pass' },
    ]);
  });
});
