import { compileExpression } from './expression';
import { falseTerms, formatExpr } from './false-terms';
import { Judge } from './judge';
import { compileScenarioData } from './load-scenario';
import type { ExpectationSpec } from './types';

const values = (v: Record<string, number | boolean | undefined>) => (n: string) => v[n];

describe('falseTerms: what made a condition false', () => {
  it('a comparison gives the value side, its limit and their values', () => {
    const c = compileExpression('pack2.current <= pack2.chargeCurrentLimit * 1.05 + 1');
    expect(falseTerms(c, values({ 'pack2.current': 136, 'pack2.chargeCurrentLimit': 20 }))).toEqual([
      {
        source: 'pack2.current <= pack2.chargeCurrentLimit * 1.05 + 1',
        value: 'pack2.current',
        signals: ['pack2.current'],
        valueAt: 136,
        op: '<=',
        limit: 'pack2.chargeCurrentLimit * 1.05 + 1',
        limitSignals: ['pack2.chargeCurrentLimit'],
        limitAt: 22,
      },
    ]);
  });

  it('through && only the false conjuncts; a constant on the left is turned round', () => {
    const c = compileExpression('inv2.WMaxLimPct == 0 && 0 == inv2.InWRte && inv2.OutWRte == 0');
    const terms = falseTerms(c, values({ 'inv2.WMaxLimPct': 0, 'inv2.InWRte': 100, 'inv2.OutWRte': 0 }));
    expect(terms.map((t) => [t.value, t.op, t.limit, t.signals])).toEqual([['inv2.InWRte', '==', '0', ['inv2.InWRte']]]);
    // A function on the value side: the signal it reads failed.
    const abs = falseTerms(compileExpression('abs(inv2.battery.power) < 20'), values({ 'inv2.battery.power': -300 }));
    expect(abs.map((t) => [t.value, t.signals, t.valueAt, t.limitAt])).toEqual([['abs(inv2.battery.power)', ['inv2.battery.power'], 300, 20]]);
  });

  it('through || both sides; booleans and negations are terms of their own; a true or unknown condition has none', () => {
    const c = compileExpression('pack1.contactorClosed || !pack1.alarm.any');
    expect(falseTerms(c, values({ 'pack1.contactorClosed': false, 'pack1.alarm.any': true })).map((t) => [t.source, t.signals, t.valueAt])).toEqual([
      ['pack1.contactorClosed', ['pack1.contactorClosed'], 0],
      ['!pack1.alarm.any', ['pack1.alarm.any'], 1],
    ]);
    expect(falseTerms(c, values({ 'pack1.contactorClosed': true }))).toEqual([]);
    expect(falseTerms(compileExpression('a < 1'), values({}))).toEqual([]);
  });

  it('prints expressions that compile back to the same tree', () => {
    for (const src of ['a - (b - c)', '(a + b) * c', '!(a && b) || c', 'min(a, b * 2) >= -3', 'a / (b / c)']) {
      const ast = compileExpression(src).ast;
      expect(formatExpr(ast)).toBe(src);
      expect(compileExpression(formatExpr(ast)).ast).toEqual(ast);
    }
  });
});

describe('the judge records a failure’s window and false terms', () => {
  function run(spec: ExpectationSpec, trace: Array<[number, Record<string, number | boolean>]>) {
    const s = compileScenarioData({ scenario: 'w', duration: '1h', expect: [spec] });
    const v: Record<string, number | boolean> = {};
    const j = new Judge(s.expectations, (n) => v[n]);
    for (const [t, x] of trace) {
      Object.assign(v, x);
      j.sample(t);
    }
    return j.finish()[0]!;
  }

  it('reaction: the trigger and its deadline; the term of `then` that stayed false', () => {
    const r = run({ id: 'r', when: 'alarm', within: '500ms', then: 'limit == 0 && rate == 0' }, [
      [0, { alarm: false, limit: 50, rate: 100 }],
      [100, { alarm: true, rate: 0 }],
      [600, {}],
      [700, {}],
    ]);
    expect(r.status).toBe('fail');
    expect(r.window).toEqual({ fromMs: 100, toMs: 600, from: "'alarm' became true", to: 'deadline (within 500 ms)' });
    expect(r.falseTerms?.map((t) => t.signals)).toEqual([['limit']]);
  });

  it('invariant: the first false sample and the end of its tolerance; eventually: t=0 to by', () => {
    const i = run({ id: 'i', always: 'i <= lim', tolerance: '1s' }, [
      [0, { i: 10, lim: 20 }],
      [1000, { i: 30 }],
      [2000, {}],
      [2100, {}],
    ]);
    expect(i.window).toMatchObject({ fromMs: 1000, toMs: 2000 });
    expect(i.falseTerms?.[0]).toMatchObject({ value: 'i', limit: 'lim', valueAt: 30, limitAt: 20 });
    const e = run({ id: 'e', eventually: 'soc >= 90', by: '1s' }, [
      [0, { soc: 50 }],
      [1100, {}],
    ]);
    expect(e.window).toMatchObject({ fromMs: 0, toMs: 1000 });
    expect(e.falseTerms?.[0]).toMatchObject({ value: 'soc', limit: '90', limitSignals: [] });
  });
});
