import { ConfigError } from '../../core/errors';
import { compileExpression, evaluate, EXPRESSION_LIMITS } from './expression';

const { length: MAX_LENGTH, nesting: MAX_NESTING } = EXPRESSION_LIMITS;

function refusal(src: string): string {
  try {
    compileExpression(src, 'x.yaml:3:9');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`expected '${src.slice(0, 40)}' to be refused`);
}

describe('expression limits (checked before parsing)', () => {
  it(`takes up to ${MAX_LENGTH} characters and refuses one more, naming the limit`, () => {
    const at = (n: number): string => `a${'+a'.repeat((n - 1) / 2)}`; // odd lengths: a+a+...+a
    expect(at(MAX_LENGTH - 1)).toHaveLength(MAX_LENGTH - 1);
    expect(() => compileExpression(`${at(MAX_LENGTH - 1)} `)).not.toThrow();
    expect(refusal(`${at(MAX_LENGTH - 1)}  `)).toBe(`x.yaml:3:9: expression is ${MAX_LENGTH + 1} characters long; the limit is ${MAX_LENGTH}`);
  });

  it(`takes ${MAX_NESTING} levels of parentheses and refuses ${MAX_NESTING + 1}, at the column that goes too deep`, () => {
    const parens = (n: number): string => `${'('.repeat(n)}x${')'.repeat(n)}`;
    expect(evaluate(compileExpression(parens(MAX_NESTING)).ast, () => 4)).toBe(4);
    expect(refusal(parens(MAX_NESTING + 1))).toContain(`nests more than ${MAX_NESTING} levels deep (parentheses and prefix operators) at column ${MAX_NESTING + 1}`);
    // Deep enough to overflow the parser's stack without the check.
    expect(refusal(parens(20_000))).toContain(`expression is 40001 characters long`);
    expect(refusal(parens(400))).toContain('nests more than');
  });

  it('counts prefix operators still waiting for their operand, alone and around groups', () => {
    expect(evaluate(compileExpression(`${'!'.repeat(MAX_NESTING)}x`).ast, () => 0)).toBe(0);
    expect(refusal(`${'!'.repeat(MAX_NESTING + 1)}x`)).toContain(`at column ${MAX_NESTING + 1}`);
    expect(evaluate(compileExpression(`${'-('.repeat(MAX_NESTING / 2)}x${')'.repeat(MAX_NESTING / 2)}`).ast, () => 3)).toBe(3);
    expect(refusal(`${'-('.repeat(MAX_NESTING / 2)}-x${')'.repeat(MAX_NESTING / 2)}`)).toContain('nests more than');
    expect(refusal(`${'not '.repeat(MAX_NESTING + 1)}x`)).toContain('nests more than');
  });

  it('does not count what is complete: siblings, binary minus, function arguments, long flat sums', () => {
    const deep = `${'('.repeat(MAX_NESTING - 1)}x${')'.repeat(MAX_NESTING - 1)}`;
    expect(() => compileExpression(`${deep} + ${deep} - ${deep}`)).not.toThrow();
    expect(() => compileExpression(`${Array(40).fill('-x').join(' - ')}`)).not.toThrow();
    expect(() => compileExpression(`max(${Array(40).fill('(a)').join(', ')}) > abs(-b)`)).not.toThrow();
    expect(() => compileExpression(`${'abs('.repeat(MAX_NESTING)}x${')'.repeat(MAX_NESTING)}`)).not.toThrow();
    expect(refusal(`${'abs('.repeat(MAX_NESTING + 1)}x${')'.repeat(MAX_NESTING + 1)}`)).toContain('nests more than');
    expect(() => compileExpression(`${'!(x) && '.repeat(60)}y`)).not.toThrow();
  });
});
