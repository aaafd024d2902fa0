import type { ExpectationVerdict } from '../scenario/judge';
import type { ScenarioResult } from '../scenario/result';
import { traceRequirements } from './traceability';

const result = (
  scenario: string,
  requirements: string[],
  expectations: Array<[string, ExpectationVerdict, string?]>,
  verdict: ScenarioResult['verdict'] = 'pass',
  errors: string[] = [],
): ScenarioResult =>
  ({
    scenario,
    requirements,
    verdict,
    errors: errors.map((message) => ({ atMs: 0, message })),
    expectations: expectations.map(([id, v, requirement]) => ({
      id,
      verdict: v,
      status: v === 'skip' ? 'not-exercised' : v === 'error' ? 'not-judged' : v,
      message: '',
      where: '',
      ...(requirement ? { requirement } : {}),
    })),
  }) as unknown as ScenarioResult;

const verdicts = (results: ScenarioResult[]): string[] => traceRequirements(results).map((r) => `${r.requirement}:${r.verdict}`);

describe('traceRequirements', () => {
  it('a requirement is judged only by the expectations that name it; worst verdict wins; sorted naturally', () => {
    const t = traceRequirements([result('a', [], [['x', 'pass', 'REQ-2'], ['y', 'fail', 'REQ-2']]), result('b', [], [['z', 'pass', 'REQ-10']])]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-2:fail', 'REQ-10:pass']);
    expect(t[0]!.evidence).toEqual([
      { scenario: 'a', expectation: 'x', verdict: 'pass', status: 'pass' },
      { scenario: 'a', expectation: 'y', verdict: 'fail', status: 'fail' },
    ]);
  });

  it('a scenario-level requirement is judged by the expectations that name no requirement, never by those naming another', () => {
    const t = traceRequirements([result('a', ['REQ-1'], [['x', 'pass'], ['y', 'fail', 'REQ-2']])]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-1:pass', 'REQ-2:fail']);
    expect(t[0]!.evidence.map((e) => e.expectation)).toEqual(['x']);
    expect(t[1]!.evidence.map((e) => e.expectation)).toEqual(['y']);
  });

  it('an unnamed expectation that fails fails every scenario-level requirement', () => {
    expect(verdicts([result('a', ['REQ-1', 'REQ-3'], [['x', 'fail'], ['y', 'pass', 'REQ-2']])])).toEqual(['REQ-1:fail', 'REQ-2:pass', 'REQ-3:fail']);
  });

  it('a scenario-level requirement whose expectations all name other requirements is untested, and still listed', () => {
    const t = traceRequirements([result('a', ['REQ-1'], [['y', 'pass', 'REQ-2']])]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-1:untested', 'REQ-2:pass']);
    expect(t[0]!.evidence).toEqual([]);
  });

  it('harness errors count against the scenario-level requirements only', () => {
    const t = traceRequirements([result('a', ['REQ-1'], [['x', 'pass'], ['y', 'pass', 'REQ-2']], 'error', ['the controller exited'])]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-1:error', 'REQ-2:pass']);
    expect(t[0]!.evidence.at(-1)).toEqual({ scenario: 'a', expectation: '(harness error)', verdict: 'error' });
  });

  it('errors of expectations (not judged, not exercised) make the requirement an error', () => {
    expect(verdicts([result('a', [], [['x', 'pass', 'R'], ['y', 'error', 'R'], ['z', 'fail', 'R']])])).toEqual(['R:error']);
  });

  it('skipped evidence does not count: a requirement with only skips is untested, skips beside a pass leave it passed', () => {
    const t = traceRequirements([
      result('a', ['REQ-1'], [['opt', 'skip']]),
      result('b', ['REQ-2'], [['opt', 'skip'], ['x', 'pass']]),
      result('c', ['REQ-3'], [['x', 'pass', 'REQ-4']], 'skip'),
    ]);
    expect(t.map((r) => `${r.requirement}:${r.verdict}`)).toEqual(['REQ-1:untested', 'REQ-2:pass', 'REQ-3:untested', 'REQ-4:untested']);
    expect(t[2]!.evidence).toEqual([{ scenario: 'c', expectation: '(scenario skipped)', verdict: 'skip' }]);
    expect(t[0]!.evidence[0]!.status).toBe('not-exercised');
  });

  it('evidence from several scenarios adds up', () => {
    expect(verdicts([result('a', ['R'], [['x', 'pass']]), result('b', [], [['y', 'pass', 'R']]), result('c', ['R'], [['z', 'pass']])])).toEqual(['R:pass']);
    expect(traceRequirements([result('a', ['R'], [['x', 'pass']]), result('b', [], [['y', 'pass', 'R']])])[0]!.evidence).toHaveLength(2);
  });
});
