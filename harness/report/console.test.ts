import { ConsoleReporter } from './console';
import type { ScenarioResult } from '../scenario/result';

const capture = (): { out: NodeJS.WritableStream; text: () => string } => {
  let buf = '';
  return { out: { write: (s: string) => ((buf += s), true) } as unknown as NodeJS.WritableStream, text: () => buf };
};

const result = (over: Partial<ScenarioResult>): ScenarioResult =>
  ({ scenario: 's', source: 's.yaml', verdict: 'pass', summary: '', wallMs: 1000, simulatedMs: 60_000, errors: [], expectations: [], ...over }) as ScenarioResult;

describe('ConsoleReporter', () => {
  it('a passing scenario with expectations not counted prints its summary, and the final list marks them', () => {
    const c = capture();
    const rep = new ConsoleReporter(c.out, false);
    const r = result({
      verdict: 'error',
      summary: 'late: not exercised: ...',
      expectations: [
        { id: 'late', status: 'not-exercised', verdict: 'error', message: 'not exercised: too late', where: '' },
        { id: 'opt', status: 'not-exercised', verdict: 'skip', message: 'not exercised (optional: not counted)', where: '' },
        { id: 'ok', status: 'pass', verdict: 'pass', message: 'held', where: '' },
      ],
    });
    const p = result({ scenario: 'p', summary: '1 expectation(s) met; not counted: opt (not-exercised)', expectations: [{ id: 'opt', status: 'not-exercised', verdict: 'skip', message: 'm', where: '' }] });
    const quiet = result({ scenario: 'q', summary: 'all met', expectations: [{ id: 'ok', status: 'pass', verdict: 'pass', message: 'held', where: '' }] });
    rep.scenarioEnd(1, 3, r);
    rep.scenarioEnd(2, 3, p);
    rep.scenarioEnd(3, 3, quiet);
    rep.summary([r, p, quiet], []);
    const text = c.text();
    expect(text).toContain('      1 expectation(s) met; not counted: opt (not-exercised)\n');
    expect(text).not.toContain('all met');
    expect(text).toContain('  - late: not exercised: too late\n');
    expect(text).toContain('  - opt (not counted): not exercised (optional: not counted)\n');
    expect(text).not.toContain('  - ok');
  });
});
