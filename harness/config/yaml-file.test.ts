import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';
import { InputProblems, problemsOf } from './problems';
import { parseYamlSource, validateSource } from './yaml-file';
import { excessiveNesting } from './yaml-lexical-guard';

function problems(text: string, fn: (t: string) => unknown = (t) => parseYamlSource(t, 'f.yaml')): Array<{ where: string | undefined; message: string }> {
  try {
    fn(text);
  } catch (err) {
    if (err instanceof ConfigError) return problemsOf(err);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const limit = INPUT_LIMITS.nestingDepth;

describe('YAML sources: limits before and after parsing', () => {
  it('refuses flow and block nesting past the limit quickly, at the place it gets too deep', () => {
    for (const text of [
      `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      `a:\n${'- '.repeat(100_000)}x\n`,
      Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n',
      `a: ${'{b: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`,
    ]) {
      const t0 = Date.now();
      const p = problems(text);
      expect(Date.now() - t0).toBeLessThan(3000); // the composer alone would overflow its stack; the parser takes seconds
      expect(p).toHaveLength(1);
      expect(p[0]!.message).toBe(`nested more than ${limit} levels deep (the limit for bench and scenario files)`);
    }
    expect(problems(`a: ${'['.repeat(70)}${']'.repeat(70)}\n`)[0]!.where).toBe('f.yaml:1:68'); // the 65th bracket
  });

  it('takes nesting up to the limit, in flow and block style', () => {
    // Root mapping + (limit - 1) sequences = limit levels.
    expect(() => parseYamlSource(`a: ${'['.repeat(limit - 1)}${']'.repeat(limit - 1)}\n`, 'f.yaml')).not.toThrow();
    const block = Array.from({ length: limit }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    expect(() => parseYamlSource(block, 'f.yaml')).not.toThrow();
    const deeper = Array.from({ length: limit + 1 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    expect(problems(deeper)[0]!.message).toContain(`nested more than ${limit} levels`);
  });

  it('the lexical guard never flags what is within the limit, and block scalars do not count as nesting', () => {
    const lit = `a: |\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(2 + i)}line`).join('\n')}\nb: 1\n`;
    expect(excessiveNesting(lit, limit)).toBeUndefined();
    expect(() => parseYamlSource(lit, 'f.yaml')).not.toThrow();
    const flowLines = `a: [\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 1)}${i},`).join('\n')}\n]\n`;
    expect(excessiveNesting(flowLines, limit)).toBeUndefined();
  });

  it('refuses an alias bomb at the alias that crosses the value limit, without expanding it', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const t0 = Date.now();
    const p = problems(levels.join('\n') + '\n');
    expect(Date.now() - t0).toBeLessThan(1000);
    // a0..a3 hold 12,344 values; each alias to a3 adds 11,111 more: the first one on line 5 crosses 20,000.
    expect(p).toEqual([{ where: 'f.yaml:5:10', message: `aliases expand this file past ${INPUT_LIMITS.values} values (the limit; an alias bomb?)` }]);
  });

  it(`refuses more than ${INPUT_LIMITS.values} values written out before parsing them, and finds duplicate keys in linear time`, () => {
    const t0 = Date.now();
    const dense = problems(`a: [${Array(400_000).fill('x').join(',')}]\n`);
    expect(Date.now() - t0).toBeLessThan(3000); // parsing 400,000 values takes several seconds
    // The key 'a' and '[' are values 1 and 2; the x at column 5 + 2k is value k + 3.
    expect(dense).toEqual([{ where: `f.yaml:1:${5 + 2 * (INPUT_LIMITS.values - 2)}`, message: `more than ${INPUT_LIMITS.values} values in one file (the limit)` }]);
    // 9,000 keys: the parser's own duplicate check is quadratic (seconds); the tree check uses a set.
    const keys = Array.from({ length: 9_000 }, (_, i) => `k${i}: ${i}`);
    const t1 = Date.now();
    expect(() => parseYamlSource(`m:\n${keys.map((k) => `  ${k}`).join('\n')}\n`, 'f.yaml')).not.toThrow();
    expect(Date.now() - t1).toBeLessThan(3000);
    expect(problems(`m:\n${keys.map((k) => `  ${k}`).join('\n')}\n  k7: again\n`)).toEqual([{ where: 'f.yaml:9002:3', message: "key 'k7' is given twice in this mapping" }]);
    expect(problems('a: 1\n"a": 2\n1: x\n"1": y\n').map((p) => p.where)).toEqual(['f.yaml:2:1', 'f.yaml:4:1']);
  });

  it('takes aliases that stay under the limit, and resolves each to the last anchor before it', () => {
    const src = parseYamlSource('p: &p { soc: 50 }\nq: *p\np2: &p { soc: 60 }\nr: *p\n', 'f.yaml');
    expect(src.data).toEqual({ p: { soc: 50 }, q: { soc: 50 }, p2: { soc: 60 }, r: { soc: 60 } });
  });

  it('refuses undefined aliases, aliases before their anchor, and cycles', () => {
    expect(problems('a: *x\n')).toEqual([{ where: 'f.yaml:1:4', message: "alias '*x' has no anchor '&x' before it" }]);
    expect(problems('a: *x\nb: &x 1\n')[0]!.message).toContain("alias '*x' has no anchor");
    expect(problems('a: &x [1, *x]\n')).toEqual([{ where: 'f.yaml:1:11', message: "alias '*x' points into the node that contains it (a cycle)" }]);
  });

  it('refuses the names every JavaScript object has as keys, and keys that are not plain', () => {
    const p = problems('a:\n  __proto__: 1\n  constructor: 2\n  toString: 3\n  prototype: 4\n  ok: 5\n');
    expect(p.map((x) => x.where)).toEqual(['f.yaml:2:3', 'f.yaml:3:3', 'f.yaml:4:3', 'f.yaml:5:3']);
    expect(p[0]!.message).toBe("'__proto__' cannot be a key (a name every JavaScript object has)");
    expect(problems('? [a, b]\n: 1\n')[0]!.message).toBe('a key must be a plain name, not a mapping, a sequence or an alias');
  });

  it('refuses numbers that are not finite', () => {
    const p = problems('a: .inf\nb: -.inf\nc: .nan\nd: 1e999\ne: 1e308\n');
    expect(p.map((x) => `${x.where} ${x.message}`)).toEqual([
      'f.yaml:1:4 .inf is not a finite number',
      'f.yaml:2:4 -.inf is not a finite number',
      'f.yaml:3:4 .nan is not a finite number',
      'f.yaml:4:4 1e999 is not a finite number',
    ]);
  });

  it('reports every syntax error, one per place, and refuses tags and second documents', () => {
    const p = problems('a: [1, 2\nb: "x\n');
    expect(p.length).toBeGreaterThanOrEqual(2);
    expect(new Set(p.map((x) => x.where)).size).toBe(p.length);
    expect(problems('a: !!js/function x\n')[0]!.message).toContain('is not supported');
    expect(problems('a: 1\n---\nb: 2\n')).toEqual([{ where: 'f.yaml:2:1', message: "a file holds one YAML document; this is a second one ('---')" }]);
  });

  it('reports every schema problem of a file, with did-you-mean for unknown keys and enum values', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string' }, mode: { enum: ['real', 'virtual'] }, count: { type: 'integer' } },
    };
    const err = (() => {
      try {
        validateSource(parseYamlSource('nmae: x\nmode: virtul\ncount: 1.5\n', 'f.yaml'), schema, 'thing');
      } catch (e) {
        return e as InputProblems;
      }
      throw new Error('expected problems');
    })();
    expect(err).toBeInstanceOf(InputProblems);
    expect(err.problems.map((p) => `${p.where} ${p.message}`)).toEqual([
      "f.yaml:1:1 thing: (top level) is missing 'name'",
      "f.yaml:1:1 thing: unknown key 'nmae' in (top level) (did you mean 'name'?) (expected one of: name, mode, count)",
      "f.yaml:2:7 thing: /mode must be one of: real, virtual (did you mean 'virtual'?)",
      'f.yaml:3:8 thing: /count must be integer',
    ]);
  });
});
