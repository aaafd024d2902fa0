import { judgeCutShort } from './cut-short';
import type { ExpectationResult } from './judge';
import { parseScenario } from './load-scenario';

const s = parseScenario(
  `
scenario: cut
duration: 60s
expect:
  - { id: reaction, when: "pack1.soc < 10", within: 1s, then: "pack1.current == 0" }
  - { id: invariant, always: "pack1.soc > 0" }
  - { id: eventually, eventually: "pack1.soc > 50", by: 20s }
  - { id: final, atEnd: "pack1.soc > 0" }
`,
  'cut.yaml',
);
const res = (id: string, verdict: ExpectationResult['verdict'], message = `${id} ${verdict}`): ExpectationResult => ({ id, verdict, message, where: 'cut.yaml:1:1' });
const cut = (verdicts: Array<ExpectationResult['verdict']>, atMs: number) =>
  judgeCutShort(
    s.expectations.map((e, i) => res(e.id, verdicts[i]!)),
    s.expectations,
    atMs,
    'interrupted by SIGINT',
  ).map((r) => `${r.id}:${r.verdict}${r.message.startsWith('not judged') ? ' (not judged)' : ''}`);

describe('judgeCutShort: what a run cut short may still claim', () => {
  it.each([
    // [verdicts at the cut (reaction, invariant, eventually, final), cut at ms, expected]
    [['pass', 'pass', 'pass', 'pass'], 10_000, ['reaction:error (not judged)', 'invariant:error (not judged)', 'eventually:pass', 'final:error (not judged)']],
    [['fail', 'fail', 'fail', 'fail'], 10_000, ['reaction:fail', 'invariant:fail', 'eventually:error (not judged)', 'final:error (not judged)']],
    [['fail', 'fail', 'fail', 'fail'], 20_000, ['reaction:fail', 'invariant:fail', 'eventually:fail', 'final:error (not judged)']],
    [['error', 'error', 'error', 'error'], 10_000, ['reaction:error (not judged)', 'invariant:error (not judged)', 'eventually:error (not judged)', 'final:error (not judged)']],
  ] as const)('%j cut at %d ms', (verdicts, atMs, expected) => {
    expect(cut([...verdicts], atMs)).toEqual(expected);
  });

  it('says when and why, and what held so far for reactions and invariants only', () => {
    const out = judgeCutShort(
      s.expectations.map((e) => res(e.id, 'pass', `${e.id} held`)),
      s.expectations,
      12_345,
      'the controller hung',
    );
    expect(out.map((r) => r.message)).toEqual([
      'not judged: the controller hung at t=12.345s (so far: reaction held)',
      'not judged: the controller hung at t=12.345s (so far: invariant held)',
      'eventually held',
      'not judged: the controller hung at t=12.345s',
    ]);
    expect(out[0]!.atMs).toBe(12_345);
  });
});
