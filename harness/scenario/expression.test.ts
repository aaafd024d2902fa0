import { ConfigError } from '../../core/errors';
import { compileExpression, evaluate, explain, type SignalLookup } from './expression';

const values: Record<string, number | boolean | undefined> = {
  a: 2,
  b: 3,
  zero: 0,
  yes: true,
  no: false,
  nan: NaN,
  'pack1.alarm.overTemperature': true,
  'can.pack1.BMS_Protections.ProtectionOverTemperature': 1,
  'inv1.124.InWRte': 50,
  _x9: 7,
};
const lookup: SignalLookup = (n) => values[n];
const ev = (src: string | number | boolean, l: SignalLookup = lookup): number | undefined => evaluate(compileExpression(src).ast, l);
const parseError = (src: string): string => {
  try {
    compileExpression(src, 'f.yaml:3:7');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).location).toBe('f.yaml:3:7');
    return (err as Error).message;
  }
  throw new Error(`'${src}' compiled`);
};

describe('expression: numbers, names and tokens', () => {
  it.each([
    ['1', 1],
    ['1.', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['.55', 0.55],
    ['1e3', 1000],
    ['1e10', 1e10],
    ['1E-3', 0.001],
    ['2.5e+2', 250],
    ['007', 7],
  ])('reads the number %s', (src, want) => {
    expect(ev(src)).toBe(want);
  });

  it('reads dotted signal names, digits after a dot, underscores', () => {
    expect(ev('pack1.alarm.overTemperature')).toBe(1);
    expect(ev('can.pack1.BMS_Protections.ProtectionOverTemperature == 1')).toBe(1);
    expect(ev('inv1.124.InWRte')).toBe(50);
    expect(ev('_x9')).toBe(7);
    expect(compileExpression('pack1.alarm.overTemperature && inv1.124.InWRte > _x9').signals).toEqual(['pack1.alarm.overTemperature', 'inv1.124.InWRte', '_x9']);
  });

  it('skips spaces, tabs and line breaks between tokens', () => {
    expect(ev('a\t+\nb *  2')).toBe(8);
    expect(ev(' a ')).toBe(2);
  });

  it('a number is read where it starts, not further on', () => {
    expect(ev('a + 1')).toBe(3);
    expect(ev('b-1')).toBe(2);
  });

  it('takes YAML scalars: true/false are 1/0, numbers are numbers', () => {
    expect(ev(true)).toBe(1);
    expect(ev(false)).toBe(0);
    expect(ev(42)).toBe(42);
    expect(compileExpression(true).source).toBe('1');
    expect(compileExpression(false).source).toBe('0');
    expect(compileExpression(2.5).source).toBe('2.5');
    expect(compileExpression('a > 1').source).toBe('a > 1');
  });

  it('lists each signal once, in order of first use; constants and function names are not signals', () => {
    expect(compileExpression('b + a * b + max(a, 1) + abs(-b) + true').signals).toEqual(['b', 'a']);
    expect(compileExpression('1 + 2').signals).toEqual([]);
  });

  it('a function name without a call is a signal', () => {
    expect(compileExpression('abs + 1').signals).toEqual(['abs']);
  });

  it('and, or, not are words for &&, ||, !', () => {
    expect(ev('yes and no')).toBe(0);
    expect(ev('yes or no')).toBe(1);
    expect(ev('not no')).toBe(1);
    expect(ev('not yes and yes')).toBe(0);
    expect(compileExpression('android or notice').signals).toEqual(['android', 'notice']);
  });
});

describe('expression: operators and precedence', () => {
  it.each([
    ['a + b * 2', 8],
    ['(a + b) * 2', 10],
    ['a - b - 1', -2],
    ['b / a / 3', 0.5],
    ['a * b - a * 2', 2],
    ['-a + b', 1],
    ['--a', 2],
    ['-(a + b)', -5],
    ['!a', 0],
    ['!zero', 1],
    ['!!b', 1],
    ['a < b', 1],
    ['b < a', 0],
    ['a < a', 0],
    ['a <= a', 1],
    ['b <= a', 0],
    ['b > a', 1],
    ['a > b', 0],
    ['a > a', 0],
    ['a >= a', 1],
    ['a >= b', 0],
    ['a == 2', 1],
    ['a == b', 0],
    ['a != b', 1],
    ['a != 2', 0],
    ['a + 1 == b', 1],
    ['a < b == 1', 1],
    ['1 < 2 < 3', 1],
    ['yes || no && no', 1],
    ['(yes || no) && no', 0],
    ['no || no', 0],
    ['yes && yes', 1],
    ['a && b', 1],
    ['zero || b', 1],
    ['a == 2 && b == 3 || zero', 1],
    ['a + b > 4 == yes', 1],
  ])('%s = %d', (src, want) => {
    expect(ev(src)).toBe(want);
  });

  it('compares with a relative tolerance of 1e-9 (at least 1e-9 absolute)', () => {
    expect(ev('0.1 + 0.2 == 0.3')).toBe(1);
    expect(ev('0.1 + 0.2 != 0.3')).toBe(0);
    expect(ev('0 == 0.0000000005')).toBe(1);
    // exactly at the tolerance: equal
    expect(ev('0 == 0.000000001')).toBe(1);
    expect(ev('0 != 0.000000001')).toBe(0);
    expect(ev('1000000 != 1000000.0005')).toBe(0);
    expect(ev('0 == 0.000000002')).toBe(0);
    expect(ev('0 != 0.000000002')).toBe(1);
    expect(ev('1000000 == 1000000.0005')).toBe(1);
    expect(ev('1000000.0005 == 1000000')).toBe(1);
    expect(ev('1000000 == 1000000.002')).toBe(0);
    expect(ev('1000000.002 != 1000000')).toBe(1);
    expect(ev('-1000000 == -1000000.0005')).toBe(1);
    expect(ev('1 == 1.0000000005')).toBe(1);
    expect(ev('1 == 1.000000003')).toBe(0);
  });

  it('functions: abs, min and max of any number of arguments', () => {
    expect(ev('abs(-3)')).toBe(3);
    expect(ev('abs(3)')).toBe(3);
    expect(ev('min(b, a, 5)')).toBe(2);
    expect(ev('max(b, a, 5)')).toBe(5);
    expect(ev('max(a)')).toBe(2);
    expect(ev('min(a - 5, b)')).toBe(-3);
    expect(ev('max(min(a, b), 1) + abs(a - b)')).toBe(3);
  });

  it('booleans count as 1 and 0 in arithmetic', () => {
    expect(ev('yes + yes + no')).toBe(2);
    expect(ev('yes * 5')).toBe(5);
  });
});

describe('expression: unknown values', () => {
  it('an unknown signal makes the whole unknown', () => {
    for (const src of ['ghost', 'ghost + 1', '1 - ghost', '-ghost', '!ghost', 'abs(ghost)', 'max(1, ghost)', 'ghost < 1', '1 < ghost', '1 == ghost', '1 != ghost', 'ghost == ghost', 'a * ghost', 'ghost / a']) {
      expect([src, ev(src)]).toEqual([src, undefined]);
    }
  });

  it('NaN is no value: it compares neither true nor false', () => {
    for (const src of ['nan', 'nan < 1', 'nan != 5', '!(nan == 5)', 'nan + 1', 'abs(nan)', 'min(nan, 1)', 'yes && nan']) {
      expect([src, ev(src)]).toEqual([src, undefined]);
    }
  });

  it('arithmetic that gives NaN is no value; infinities are values', () => {
    expect(ev('zero / zero')).toBeUndefined();
    expect(ev('zero / zero > 1')).toBeUndefined();
    expect(ev('a / zero')).toBe(Infinity);
    expect(ev('a / zero > 1000')).toBe(1);
    expect(ev('a / zero - a / zero')).toBeUndefined();
    expect(ev('a / zero + a / zero')).toBe(Infinity);
    expect(ev('zero * (a / zero)')).toBeUndefined();
  });

  it('&& and || decide from the left when they can, else need the right', () => {
    expect(ev('no && ghost')).toBe(0);
    expect(ev('yes || ghost')).toBe(1);
    expect(ev('yes && ghost')).toBeUndefined();
    expect(ev('no || ghost')).toBeUndefined();
    expect(ev('ghost && no')).toBeUndefined();
    expect(ev('ghost || yes')).toBeUndefined();
    expect(ev('yes && b')).toBe(1);
    expect(ev('no || b')).toBe(1);
    expect(ev('no || zero')).toBe(0);
  });

  it('explain lists the value of every signal read, unknown ones as undefined', () => {
    expect(explain(compileExpression('a + ghost > nan'), lookup)).toEqual({ a: 2, ghost: undefined, nan: NaN });
    expect(explain(compileExpression('1 + 1'), lookup)).toEqual({});
  });
});

describe('expression: errors name the column and what was expected', () => {
  it.each([
    ['a + $', `unexpected '$' at column 5 of expression "a + $"`],
    ['a +', 'expression ends too soon at column 4 of expression "a +"'],
    ['', 'expression ends too soon at column 1 of expression ""'],
    ['(a + b', `expected ')' at column 7 of expression "(a + b"`],
    ['a b', `unexpected 'b' at column 3 of expression "a b"`],
    ['a )', `unexpected ')' at column 3 of expression "a )"`],
    [')', `unexpected ')' at column 1 of expression ")"`],
    ['max(a, b', `expected ')' to close max( at column 9 of expression "max(a, b"`],
    ['max(a b)', `expected ')' to close max( at column 7 of expression "max(a b)"`],
    ['abs()', 'abs() takes one argument at column 1 of expression "abs()"'],
    ['x + abs(a, b)', 'abs() takes one argument at column 5 of expression "x + abs(a, b)"'],
    ['min()', 'min() takes at least one argument at column 1 of expression "min()"'],
    ['1 + max()', 'max() takes at least one argument at column 5 of expression "1 + max()"'],
    ['a = 1', `unexpected '=' at column 3 of expression "a = 1"`],
    ['a\r', `unexpected '\r' at column 2 of expression "a\r"`],
  ])('%j', (src, message) => {
    expect(parseError(src)).toBe(`f.yaml:3:7: ${message}`);
  });

  it('errors without a location still carry the message', () => {
    expect(() => compileExpression('a +')).toThrow('expression ends too soon');
  });
});

describe('expression: the AST', () => {
  it('keeps left associativity and signal positions', () => {
    expect(compileExpression('a - b - c').ast).toEqual({
      kind: 'bin',
      op: '-',
      left: { kind: 'bin', op: '-', left: { kind: 'sig', name: 'a', pos: 0 }, right: { kind: 'sig', name: 'b', pos: 4 } },
      right: { kind: 'sig', name: 'c', pos: 8 },
    });
  });

  it('parses unary operators, calls and constants into their nodes', () => {
    expect(compileExpression('-max(a, 1) + !true').ast).toEqual({
      kind: 'bin',
      op: '+',
      left: { kind: 'un', op: '-', arg: { kind: 'call', fn: 'max', args: [{ kind: 'sig', name: 'a', pos: 5 }, { kind: 'num', value: 1 }] } },
      right: { kind: 'un', op: '!', arg: { kind: 'num', value: 1 } },
    });
    expect(compileExpression('false').ast).toEqual({ kind: 'num', value: 0 });
    expect(compileExpression('a <= b').ast).toMatchObject({ op: '<=' });
    expect(compileExpression('a >= b').ast).toMatchObject({ op: '>=' });
    expect(compileExpression('a != b').ast).toMatchObject({ op: '!=' });
  });
});
