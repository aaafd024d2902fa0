import { Lexer } from 'yaml';

/** Lexer markers that stand for no source text (document, scalar, flow-error-end). */
const MARKERS = new Set(['\x02', '\x1f', '\x18']);

/** Why the text is refused before parsing, and where. */
export interface LexicalProblem {
  offset: number;
  message: string;
}

/**
 * A cheap look at YAML text before it is parsed, from the lexer's flat token stream (fast, no recursion), refusing
 * what would make the parser slow or crash:
 * - nesting deeper than `limits.depth` + 1 levels: the `yaml` composer recurses once per level and runs out of stack
 *   at about a thousand levels, and its parser takes seconds on deep flow nesting;
 * - more than `limits.values` values written out (scalars, aliases, flow collections): the parser takes about a
 *   second per 50,000 values on a busy machine, so a dense 1 MiB file would take ten.
 * Returns the offset of the first token past a limit, or undefined.
 *
 * The nesting estimate is flow brackets open + block indentation levels open + `-`/`?` indicators earlier on the
 * line. It never exceeds the true depth by more than one (a scalar alone on a deeper line) and may be below it (a
 * sequence at the same indentation as its parent key), so a file refused here is truly too deep; the exact checks
 * run on the parsed document (yaml-tree-check.ts).
 */
export function lexicalProblem(text: string, limits: { depth: number; values: number }): LexicalProblem | undefined {
  let values = 0;
  let problem: LexicalProblem | undefined;
  const deep = excessiveNesting(text, limits.depth, (tok, at, isScalar) => {
    if (isScalar || tok === '[' || tok === '{' || tok[0] === '*' || tok[0] === '"' || tok[0] === "'") values++;
    if (values > limits.values) {
      problem = { offset: at, message: `more than ${limits.values} values in one file (the limit)` };
      return false;
    }
    return true;
  });
  if (deep !== undefined) return { offset: deep, message: `nested more than ${limits.depth} levels deep (the limit for bench and scenario files)` };
  return problem;
}

/**
 * Offset of the first token deeper than `limit` + 1 levels, or undefined. `onToken` sees each content token (false:
 * stop here, without a nesting problem).
 */
export function excessiveNesting(text: string, limit: number, onToken?: (tok: string, offset: number, isScalar: boolean) => boolean): number | undefined {
  let offset = 0;
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let indicators = 0;
  let scalarNext = false;
  const levels: number[] = [];
  for (const tok of new Lexer().lex(text)) {
    if (MARKERS.has(tok)) {
      scalarNext = tok === '\x1f';
      continue;
    }
    const at = offset;
    offset += tok.length;
    const isScalar = scalarNext;
    scalarNext = false;
    if (!isScalar) {
      if (tok === '' || tok === '\n' || tok === '\r\n') {
        lineStart = true;
        indent = 0;
        indicators = 0;
        continue;
      }
      if (tok === '---' || tok === '...') {
        levels.length = 0;
        flow = 0;
        continue;
      }
      const c = tok[0];
      if (c === ' ' || c === '\t') {
        if (lineStart) indent = tok.length;
        continue;
      }
      if (c === '#') continue;
    }
    if (onToken && !onToken(tok, at, isScalar)) return undefined;
    if (lineStart) {
      lineStart = false;
      if (flow === 0) {
        while (levels.length > 0 && levels[levels.length - 1]! >= indent) levels.pop();
        levels.push(indent);
      }
    }
    if (!isScalar) {
      if (flow === 0 && (tok === '-' || tok === '?')) indicators++;
      else if (tok === '[' || tok === '{') flow++;
      else if ((tok === ']' || tok === '}') && flow > 0) flow--;
    }
    if (levels.length + indicators + flow > limit + 1) return at;
    if (isScalar && tok.endsWith('\n')) {
      // A block scalar's content ends its last line.
      lineStart = true;
      indent = 0;
      indicators = 0;
    }
  }
  return undefined;
}
