import { ExitCode } from '../../core/errors';
import { exitCodeForResults, type ScenarioResult } from './result';

const r = (verdict: ScenarioResult['verdict']) => ({ verdict }) as ScenarioResult;

describe('exitCodeForResults', () => {
  it.each([
    [['pass', 'pass'], {}, ExitCode.PASSED],
    [['pass', 'skip'], {}, ExitCode.NOT_ALL_RAN],
    [['pass', 'skip'], { allowSkip: true }, ExitCode.PASSED],
    [['skip', 'error'], {}, ExitCode.ERROR],
    [['error', 'fail', 'skip'], {}, ExitCode.FAILED],
  ] as const)('%j %j -> %d', (verdicts, options, code) => {
    expect(exitCodeForResults(verdicts.map(r), options)).toBe(code);
  });

  it('the documented codes', () => {
    expect(ExitCode).toEqual({ PASSED: 0, FAILED: 1, BAD_INPUT: 2, ERROR: 3, NOT_ALL_RAN: 4, SIGINT: 130, SIGTERM: 143 });
  });
});
