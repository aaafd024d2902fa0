import { Judge } from './judge';
import { parseScenario } from './load-scenario';

function judgeFor(expect: string) {
  const s = parseScenario(`scenario: t\nduration: 60s\nexpect:\n${expect}`);
  const values: Record<string, number | boolean | undefined> = {};
  const judge = new Judge(s.expectations, (n) => values[n]);
  return { judge, values };
}

describe('Judge', () => {
  it('reaction passes when the response comes inside the deadline and records the reaction time', () => {
    const { judge, values } = judgeFor('  - { id: r, when: "alarm", within: 500ms, then: "limit == 0" }\n');
    Object.assign(values, { alarm: false, limit: 50 });
    judge.sample(0);
    values.alarm = true;
    judge.sample(1000);
    judge.sample(1200);
    values.limit = 0;
    judge.sample(1400);
    const [r] = judge.finish(5000);
    expect(r!.verdict).toBe('pass');
    expect(r!.reactions).toEqual([{ triggeredAtMs: 1000, reactedAfterMs: 400 }]);
  });

  it('reaction fails after the deadline with the observed values', () => {
    const { judge, values } = judgeFor('  - { id: r, when: "alarm", within: 500ms, then: "limit == 0" }\n');
    Object.assign(values, { alarm: true, limit: 50 });
    judge.sample(0);
    judge.sample(500);
    expect(judge.sample(600)).toEqual(['r']);
    const [r] = judge.finish(1000);
    expect(r).toMatchObject({ verdict: 'fail', atMs: 600, observed: { limit: 50 } });
    expect(r!.message).toContain('did not hold within 500 ms');
  });

  it('invariant forgives violations shorter than the tolerance, fails longer ones', () => {
    const { judge, values } = judgeFor('  - { id: i, always: "i <= lim * 1.05", tolerance: 2s }\n');
    values.lim = 100;
    values.i = 104;
    judge.sample(0);
    values.i = 120;
    judge.sample(1000);
    judge.sample(2500);
    values.i = 90;
    judge.sample(3000);
    expect(judge.anyFailed).toBe(false);
    values.i = 130;
    for (let t = 4000; t <= 6000; t += 500) judge.sample(t);
    expect(judge.anyFailed).toBe(false);
    judge.sample(6500);
    const [r] = judge.finish(7000);
    expect(r).toMatchObject({ verdict: 'fail', atMs: 6500, observed: { i: 130, lim: 100 } });
  });

  it('error when a signal never has a value; eventually and atEnd', () => {
    const { judge, values } = judgeFor(
      '  - { id: a, always: "ghost > 0" }\n  - { id: b, eventually: "soc >= 90", by: 10s }\n  - { id: c, atEnd: "soc > 50" }\n',
    );
    values.soc = 80;
    judge.sample(0);
    values.soc = 91;
    judge.sample(9000);
    const res = judge.finish(20_000);
    expect(res.map((r) => r.verdict)).toEqual(['error', 'pass', 'pass']);
    expect(res[0]!.message).toContain('ghost');
  });

  it('a reaction whose trigger never happened is an error (not exercised), unless optional', () => {
    const { judge, values } = judgeFor(
      '  - { id: r, when: "alarm", within: 500ms, then: "limit == 0" }\n  - { id: o, when: "alarm", within: 500ms, then: "limit == 0", optional: true }\n',
    );
    Object.assign(values, { alarm: false, limit: 50 });
    judge.sample(0);
    judge.sample(1000);
    const [r, o] = judge.finish(1000);
    expect(r).toMatchObject({ verdict: 'error' });
    expect(r!.message).toContain('not exercised');
    expect(o).toMatchObject({ verdict: 'pass' });
  });
});
