import { Lexer } from 'yaml';

/** Lexer markers that stand for no source text (document, scalar, flow-error-end). */
const MARKERS = new Set(['\x02', '\x1f', '\x18']);

/**
 * A cheap look at the nesting of YAML text before it is parsed: the `yaml` composer recurses once per level and
 * runs out of stack at about a thousand levels, and its parser takes seconds on deep flow nesting, so text nested
 * too deeply is refused from its tokens alone (the lexer is flat and fast). Returns the offset of the first token
 * that lies deeper than `limit` + 1 levels, or undefined.
 *
 * The estimate is flow brackets open + block indentation levels open + `-`/`?` indicators earlier on the line. It
 * never exceeds the true depth by more than one (a scalar alone on a deeper line) and may be below it (a sequence
 * at the same indentation as its parent key), so a file refused here is truly too deep; the exact check runs on the
 * parsed document (see yaml-tree-check.ts).
 */
export function excessiveNesting(text: string, limit: number): number | undefined {
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
