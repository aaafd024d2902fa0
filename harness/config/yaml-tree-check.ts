import { isAlias, isCollection, isNode, isPair, isScalar, type Document, type Node } from 'yaml';
import { INPUT_LIMITS, RESERVED_NAMES } from './limits';

/** A problem in a parsed YAML document, at a source offset. */
export interface TreeProblem {
  offset: number;
  message: string;
}

/**
 * Check a parsed document before it becomes data, in one pass in document order:
 * - nesting deeper than `INPUT_LIMITS.nestingDepth` mappings/sequences;
 * - aliases: each must have its anchor earlier in the file (as YAML says), must not point into the node that holds
 *   it (a cycle), and all of them together must not expand the file past `INPUT_LIMITS.values` values (a
 *   "billion laughs" alias bomb is refused at the alias that crosses the limit, without expanding anything);
 * - keys: plain scalars only, each once per mapping (found with a set: the parser's own check is quadratic), none of
 *   the names every JavaScript object has (`__proto__`, `constructor`, ...);
 * - numbers: finite only (`.inf`, `.nan` and `1e999` are refused).
 * The recursion is bounded by the nesting limit (and the lexical guard in yaml-lexical-guard.ts before it).
 */
export function checkYamlTree(doc: Document): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let total = 0;
  let tooMany = false;

  const count = (n: number, offset: number, viaAlias: boolean): void => {
    total += n;
    if (total > INPUT_LIMITS.values && !tooMany) {
      tooMany = true;
      problems.push({
        offset,
        message: viaAlias
          ? `aliases expand this file past ${INPUT_LIMITS.values} values (the limit; an alias bomb?)`
          : `more than ${INPUT_LIMITS.values} values in one file (the limit)`,
      });
    }
  };

  const visit = (node: unknown, depth: number): number => {
    if (!isNode(node)) return 0;
    const offset = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        problems.push({ offset, message: `alias '*${node.source}' has no anchor '&${node.source}' before it` });
        return 1;
      }
      if (open.has(target)) {
        problems.push({ offset, message: `alias '*${node.source}' points into the node that contains it (a cycle)` });
        return 1;
      }
      const n = sizes.get(target) ?? 1;
      count(n, offset, true);
      return n;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) {
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
        problems.push({ offset, message: `${String(node.source ?? node.value)} is not a finite number` });
      }
      count(1, offset, false);
      sizes.set(node, 1);
      return 1;
    }
    if (!isCollection(node)) return 0;
    if (depth > INPUT_LIMITS.nestingDepth) {
      problems.push({ offset, message: `nested more than ${INPUT_LIMITS.nestingDepth} levels deep (the limit for bench and scenario files)` });
      return 1;
    }
    open.add(node);
    count(1, offset, false);
    let n = 1;
    const keys = new Set<string>();
    for (const item of node.items as unknown[]) {
      if (tooMany) break;
      if (isPair(item)) {
        n += checkKey(item.key, keys, problems);
        n += visit(item.value, depth + 1);
      } else n += visit(item, depth + 1);
    }
    open.delete(node);
    sizes.set(node, n);
    return n;
  };

  visit(doc.contents, 1);
  return problems;
}

function checkKey(key: unknown, seen: Set<string>, problems: TreeProblem[]): number {
  if (key === null || key === undefined) return 0;
  const offset = isNode(key) ? (key.range?.[0] ?? 0) : 0;
  if (!isScalar(key)) {
    problems.push({ offset, message: 'a key must be a plain name, not a mapping, a sequence or an alias' });
    return 1;
  }
  const name = String(key.value);
  // As data, keys are strings: `1` and "1" are the same key.
  if (seen.has(name)) problems.push({ offset, message: `key '${name}' is given twice in this mapping` });
  seen.add(name);
  if (RESERVED_NAMES.has(name)) problems.push({ offset, message: `'${name}' cannot be a key (a name every JavaScript object has)` });
  return 1;
}
