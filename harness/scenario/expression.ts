import { ConfigError } from '../../core/errors';

/**
 * A tiny, safe expression language for expectations (no code runs from YAML, DESIGN.md "Scenario"):
 * numbers, booleans, dotted signal names (`pack1.current`, `inverter1.WMaxLimPct`), arithmetic `+ - * /`,
 * comparisons `< <= > >= == !=`, logic `&& || !` (also `and or not`), parentheses, and the functions
 * `abs min max`. Booleans are 1/0 in arithmetic. Parsed once into an AST; evaluated against a signal lookup.
 */
export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'sig'; name: string; pos: number }
  | { kind: 'un'; op: '-' | '!'; arg: Expr }
  | { kind: 'bin'; op: BinOp; left: Expr; right: Expr }
  | { kind: 'call'; fn: 'abs' | 'min' | 'max'; args: Expr[] };

type BinOp = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

/** A parsed expression with its source and the signals it reads. */
export interface Compiled {
  source: string;
  ast: Expr;
  signals: string[];
}

/** A token. Only `op` tokens carry operator text in `v` (one of OPS), so matching `v` against an operator is enough. */
interface Tok {
  t: 'num' | 'id' | 'op' | 'end';
  v: string;
  pos: number;
}

/**
 * Bounds on one expression, checked before it is parsed: the parser recurses once per nesting level, so a deeper
 * expression could exhaust the stack, and no real condition needs more (docs/input-limits.md).
 */
export const EXPRESSION_LIMITS = { length: 1000, nesting: 32 } as const;

const OPS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '(', ')', ',', '!'];
const FUNCS = new Set(['abs', 'min', 'max']);

function tokenize(src: string, where?: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_0-9][A-Za-z0-9_]*)*/.exec(src.slice(i));
    if (id) {
      const w = id[0];
      const mapped = w === 'and' ? '&&' : w === 'or' ? '||' : w === 'not' ? '!' : undefined;
      out.push(
        mapped
          ? // Stryker disable next-line StringLiteral: equivalent (an operator is recognised by its text, see Tok)
            { t: 'op', v: mapped, pos: i }
          : { t: 'id', v: w, pos: i },
      );
      i += w.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ConfigError(`unexpected '${c}' at column ${i + 1} of expression "${src}"`, where);
    // Stryker disable next-line StringLiteral: equivalent (an operator is recognised by its text, see Tok)
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({
    t: 'end',
    // Stryker disable next-line StringLiteral: equivalent (the end token's text is never read)
    v: '',
    pos: src.length,
  });
  return out;
}

/**
 * Nesting = parentheses (and function calls) open + prefix operators (`-`, `!`) still waiting for their operand:
 * what the parser recurses on. Throws `ConfigError` past `EXPRESSION_LIMITS.nesting`, naming the column.
 */
function checkNesting(toks: Tok[], src: string, where?: string): void {
  let depth = 0;
  let waiting = 0;
  const outer: number[] = [];
  toks.forEach((tok, i) => {
    const prev = toks[i - 1];
    const op = tok.t === 'op' ? tok.v : '';
    if (op === '!' || (op === '-' && (prev === undefined || (prev.t === 'op' && prev.v !== ')')))) {
      depth++;
      waiting++;
    } else if (op === '(') {
      outer.push(waiting);
      waiting = 0;
      depth++;
    } else if (op === ')' || tok.t === 'num' || (tok.t === 'id' && toks[i + 1]?.v !== '(')) {
      // An operand is complete: the prefix operators waiting for it (and the group it closes) are done.
      if (op === ')') {
        depth -= 1 + waiting;
        waiting = outer.pop() ?? 0;
      }
      depth -= waiting;
      waiting = 0;
    }
    if (depth > EXPRESSION_LIMITS.nesting) {
      throw new ConfigError(`expression nests more than ${EXPRESSION_LIMITS.nesting} levels deep (parentheses and prefix operators) at column ${tok.pos + 1} of "${src.length > 60 ? `${src.slice(0, 60)}...` : src}"`, where);
    }
  });
}

/** Parse an expression. Throws `ConfigError` naming the column and what was expected. */
export function compileExpression(source: string | number | boolean, where?: string): Compiled {
  const src = typeof source === 'string' ? source : String(source === true ? 1 : source === false ? 0 : source);
  if (src.length > EXPRESSION_LIMITS.length) {
    throw new ConfigError(`expression is ${src.length} characters long; the limit is ${EXPRESSION_LIMITS.length}`, where);
  }
  const toks = tokenize(src, where);
  checkNesting(toks, src, where);
  let p = 0;
  const signals = new Set<string>();
  const fail = (msg: string, tok: Tok): never => {
    throw new ConfigError(`${msg} at column ${tok.pos + 1} of expression "${src}"`, where);
  };
  const peek = (): Tok => toks[p]!;
  const eat = (v: string): boolean => {
    if (peek().v === v) {
      p++;
      return true;
    }
    return false;
  };
  const levels: BinOp[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/']];
  const parseLevel = (n: number): Expr => {
    if (n === levels.length) return parseUnary();
    let left = parseLevel(n + 1);
    for (;;) {
      const tok = peek();
      if (!(levels[n] as string[]).includes(tok.v)) return left;
      p++;
      left = { kind: 'bin', op: tok.v as BinOp, left, right: parseLevel(n + 1) };
    }
  };
  const parseUnary = (): Expr => {
    if (eat('-')) return { kind: 'un', op: '-', arg: parseUnary() };
    if (eat('!')) return { kind: 'un', op: '!', arg: parseUnary() };
    return parsePrimary();
  };
  const parsePrimary = (): Expr => {
    const tok = peek();
    if (tok.t === 'num') {
      p++;
      return { kind: 'num', value: Number(tok.v) };
    }
    if (tok.t === 'id') {
      p++;
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'num', value: tok.v === 'true' ? 1 : 0 };
      if (FUNCS.has(tok.v) && eat('(')) {
        const args: Expr[] = [];
        if (!eat(')')) {
          do args.push(parseLevel(0));
          while (eat(','));
          if (!eat(')')) fail(`expected ')' to close ${tok.v}(`, peek());
        }
        if (tok.v === 'abs' && args.length !== 1) fail('abs() takes one argument', tok);
        if (args.length < 1) fail(`${tok.v}() takes at least one argument`, tok);
        return { kind: 'call', fn: tok.v as 'abs' | 'min' | 'max', args };
      }
      signals.add(tok.v);
      return { kind: 'sig', name: tok.v, pos: tok.pos };
    }
    if (eat('(')) {
      const e = parseLevel(0);
      if (!eat(')')) fail(`expected ')'`, peek());
      return e;
    }
    return fail(tok.t === 'end' ? 'expression ends too soon' : `unexpected '${tok.v}'`, tok);
  };
  const ast = parseLevel(0);
  if (peek().t !== 'end') fail(`unexpected '${peek().v}'`, peek());
  return { source: src, ast, signals: [...signals] };
}

/**
 * Reads a signal's current value; `undefined` means unknown (the expression then evaluates to `undefined`). A NaN
 * value is unknown too: it compares neither true nor false.
 */
export type SignalLookup = (name: string) => number | boolean | undefined;

/**
 * Evaluate to a number (booleans as 1/0), or `undefined` if it has no value: a signal it needs is unknown or NaN, or
 * the arithmetic gives NaN (`0/0`). Never NaN, so `x != 5` cannot come out true for a NaN `x`. `&&` and `||` skip
 * their right side when the left decides (`false && unknown` is 0).
 */
export function evaluate(expr: Expr, lookup: SignalLookup): number | undefined {
  switch (expr.kind) {
    case 'num':
      return expr.value;
    case 'sig': {
      const v = lookup(expr.name);
      if (typeof v === 'boolean') return v ? 1 : 0;
      return Number.isNaN(v) ? undefined : v;
    }
    case 'un': {
      const a = evaluate(expr.arg, lookup);
      if (a === undefined) return undefined;
      return expr.op === '-' ? -a : a ? 0 : 1;
    }
    case 'call': {
      const vals = expr.args.map((a) => evaluate(a, lookup));
      if (vals.some((v) => v === undefined)) return undefined;
      const nums = vals as number[];
      return expr.fn === 'abs' ? Math.abs(nums[0]!) : expr.fn === 'min' ? Math.min(...nums) : Math.max(...nums);
    }
    case 'bin': {
      if (expr.op === '&&' || expr.op === '||') {
        const a = evaluate(expr.left, lookup);
        if (a === undefined) return undefined;
        if (expr.op === '&&' && !a) return 0;
        if (expr.op === '||' && a) return 1;
        const b = evaluate(expr.right, lookup);
        return b === undefined ? undefined : b ? 1 : 0;
      }
      const a = evaluate(expr.left, lookup);
      const b = evaluate(expr.right, lookup);
      if (a === undefined || b === undefined) return undefined;
      switch (expr.op) {
        case '+':
          return numberOrUnknown(a + b);
        case '-':
          return numberOrUnknown(a - b);
        case '*':
          return numberOrUnknown(a * b);
        case '/':
          return numberOrUnknown(a / b);
        case '<':
          return a < b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '>':
          return a > b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '==':
          return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? 1 : 0;
        case '!=':
          return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? 0 : 1;
      }
    }
  }
}

/** NaN (0/0, Infinity - Infinity) is no value. */
function numberOrUnknown(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}

/** Values of the signals an expression reads, for evidence ("pack1.current=52.3, pack1.chargeCurrentLimit=48"). */
export function explain(compiled: Compiled, lookup: SignalLookup): Record<string, number | boolean | undefined> {
  const out: Record<string, number | boolean | undefined> = {};
  for (const s of compiled.signals) out[s] = lookup(s);
  return out;
}
