import { evaluate, type Compiled, type Expr, type SignalLookup } from './expression';

/**
 * One part of a condition that was false when an expectation failed, so a report can show the value that broke it
 * next to its limit and mark that signal only (not every signal the condition reads).
 *
 * A comparison `value op limit` gives both sides: `value` is the side that reads signals (the left one when both
 * do, as conditions are written `pack1.current <= pack1.chargeCurrentLimit * 1.05`), `limit` the other. A bare
 * boolean signal (`pack1.contactorClosed`) or a negation gives `value` only.
 */
export interface FalseTerm {
  /** The term, printed from the parsed condition (`pack2.current <= pack2.chargeCurrentLimit * 1.05 + 1`). */
  source: string;
  /** The value side, printed (`pack2.current`, `abs(inv2.battery.power)`). */
  value: string;
  /** Signals the value side reads: the signals that failed. */
  signals: string[];
  /** Its value at the failure, if known. */
  valueAt?: number;
  /** The comparison, `value op limit` (the operator turned round when the limit was written on the left). */
  op?: '<' | '<=' | '>' | '>=' | '==' | '!=';
  /** The limit side, printed (`pack2.chargeCurrentLimit * 1.05 + 1`, `20`). */
  limit?: string;
  /** Signals the limit side reads (none for a constant). */
  limitSignals?: string[];
  /** The limit's value at the failure, if known. */
  limitAt?: number;
}

type CmpOp = NonNullable<FalseTerm['op']>;
const CMP = new Set(['<', '<=', '>', '>=', '==', '!=']);
const MIRROR: Record<CmpOp, CmpOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

/**
 * The terms that made `c` false under `lookup`: through `&&` to its false sides, through `||` to both (both are
 * false when it is), down to comparisons, boolean signals and negations. Empty when `c` is not false (true or
 * unknown). At most `max` terms.
 */
export function falseTerms(c: Compiled, lookup: SignalLookup, max = 8): FalseTerm[] {
  const out: FalseTerm[] = [];
  const walk = (e: Expr): void => {
    if (out.length >= max) return;
    if (e.kind === 'bin' && (e.op === '&&' || e.op === '||')) {
      for (const side of [e.left, e.right]) if (evaluate(side, lookup) === 0) walk(side);
      return;
    }
    out.push(term(e, lookup));
  };
  if (evaluate(c.ast, lookup) === 0) walk(c.ast);
  return out;
}

function term(e: Expr, lookup: SignalLookup): FalseTerm {
  if (e.kind === 'bin' && CMP.has(e.op)) {
    const leftSignals = signalsOf(e.left);
    const rightSignals = signalsOf(e.right);
    const swap = leftSignals.length === 0 && rightSignals.length > 0;
    const [v, l] = swap ? [e.right, e.left] : [e.left, e.right];
    const valueAt = evaluate(v, lookup);
    const limitAt = evaluate(l, lookup);
    return {
      source: formatExpr(e),
      value: formatExpr(v),
      signals: swap ? rightSignals : leftSignals,
      ...(valueAt !== undefined ? { valueAt } : {}),
      op: swap ? MIRROR[e.op as CmpOp] : (e.op as CmpOp),
      limit: formatExpr(l),
      limitSignals: swap ? leftSignals : rightSignals,
      ...(limitAt !== undefined ? { limitAt } : {}),
    };
  }
  const valueAt = evaluate(e.kind === 'un' && e.op === '!' ? e.arg : e, lookup);
  return { source: formatExpr(e), value: formatExpr(e.kind === 'un' && e.op === '!' ? e.arg : e), signals: signalsOf(e), ...(valueAt !== undefined ? { valueAt } : {}) };
}

/** Signals an expression reads, in order of appearance, each once. */
export function signalsOf(e: Expr): string[] {
  const out = new Set<string>();
  const walk = (x: Expr): void => {
    if (x.kind === 'sig') out.add(x.name);
    else if (x.kind === 'un') walk(x.arg);
    else if (x.kind === 'bin') {
      walk(x.left);
      walk(x.right);
    } else if (x.kind === 'call') x.args.forEach(walk);
  };
  walk(e);
  return [...out];
}

const PRECEDENCE: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6 };

/** Print an expression with the parentheses its structure needs (compiles back to the same tree). */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'sig':
      return e.name;
    case 'call':
      return `${e.fn}(${e.args.map(formatExpr).join(', ')})`;
    case 'un': {
      const inner = formatExpr(e.arg);
      return `${e.op}${e.arg.kind === 'bin' ? `(${inner})` : inner}`;
    }
    case 'bin': {
      const p = PRECEDENCE[e.op]!;
      const side = (x: Expr, right: boolean): string => {
        const s = formatExpr(x);
        if (x.kind !== 'bin') return s;
        const q = PRECEDENCE[x.op]!;
        // Left-associative: a right operand of equal precedence needs parentheses (a - (b - c)).
        return q < p || (right && q === p) ? `(${s})` : s;
      };
      return `${side(e.left, false)} ${e.op} ${side(e.right, true)}`;
    }
  }
}
