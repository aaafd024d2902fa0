import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchemaCached } from '../../core/schema-cache';
import { LineCounter, parseDocument, isCollection, isNode, isPair, isScalar, type Document } from 'yaml';
import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';
import { capProblems, InputProblems, type Problem } from './problems';
import { readTextFile } from './read-text-file';
import { schemaIssues } from '../../core/schema-errors';
import { lexicalProblem } from './yaml-lexical-guard';
import { checkYamlTree } from './yaml-tree-check';

/**
 * A YAML (or JSON) file parsed with positions, so every later complaint can say `file:line:column`.
 * Only plain data comes out: no tags that construct objects, no code.
 */
export interface YamlSource {
  file: string;
  data: unknown;
  /** `file:line:column` of the value at a JSON pointer (`/timeline/2/fault/kind`), or of the nearest parent. */
  locate(pointer: string, key?: boolean): string;
}

/**
 * Parse YAML text. Every syntax error, and every problem the limits find (nesting, aliases, reserved keys,
 * non-finite numbers; harness/config/limits.ts), throws as one `InputProblems`, each with its `file:line:column`.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  // YAML allows no C0 control characters but tab and line breaks (YAML 1.2 section 5.1); the parser lets some through.
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ConfigError(`control character U+${code} is not allowed in YAML (is this a binary file?)`, `${file}:${lineCol(text, control.index)}`);
  }
  const early = lexicalProblem(text, { depth: INPUT_LIMITS.nestingDepth, values: INPUT_LIMITS.values });
  if (early) throw new ConfigError(early.message, `${file}:${lineCol(text, early.offset)}`);
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    // uniqueKeys is quadratic in the keys of a mapping (seconds for 10,000 keys): checkYamlTree finds duplicates instead.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    throw new ConfigError(`YAML: ${(err as Error).message.split('\n')[0]}`, `${file}:1:1`);
  }
  const at = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  // One problem per place: the parser often reports one mistake twice (e.g. an implicit key over two lines).
  const syntax: Problem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const where = at(e.pos[0]);
    if (!syntax.some((p) => p.where === where)) syntax.push({ where, message: yamlMessage(e.code, e.message) });
  }
  if (syntax.length > 0) throw new InputProblems(capProblems(syntax));
  const tree = checkYamlTree(doc);
  if (tree.length > 0) throw new InputProblems(capProblems(tree.map((p) => ({ where: at(p.offset), message: p.message }))));
  let data: unknown;
  try {
    // Aliases are bounded by checkYamlTree (INPUT_LIMITS.values), so the library's own heuristic is not needed.
    data = doc.toJS({ maxAliasCount: -1 }) as unknown;
  } catch (err) {
    throw new ConfigError(`YAML: ${(err as Error).message.split('\n')[0]}`, `${file}:1:1`);
  }
  // Every node's place by JSON pointer, built once (a lookup per problem must not walk a 20,000-key mapping).
  const index = indexPositions(doc);
  const locate = (pointer: string, key = false): string => {
    let p = pointer;
    if (key) {
      const k = index.get(p)?.key;
      if (k !== undefined) return at(k);
    }
    for (;;) {
      const v = index.get(p)?.value;
      if (v !== undefined) return at(v);
      if (p === '') return `${file}:1:1`;
      p = p.slice(0, p.lastIndexOf('/'));
    }
  };
  return { file, data, locate };
}

/** Offsets of every node (and of every mapping key) by JSON pointer (`/timeline/2/fault/kind`); '' is the root. */
function indexPositions(doc: Document): Map<string, { value?: number; key?: number }> {
  const index = new Map<string, { value?: number; key?: number }>();
  const put = (pointer: string, what: 'value' | 'key', offset: number | undefined): void => {
    if (offset === undefined) return;
    const e = index.get(pointer) ?? {};
    e[what] ??= offset;
    index.set(pointer, e);
  };
  const walk = (node: unknown, pointer: string): void => {
    if (!isNode(node)) return;
    put(pointer, 'value', node.range?.[0]);
    if (!isCollection(node)) return;
    (node.items as unknown[]).forEach((item, i) => {
      if (isPair(item)) {
        const k = isScalar(item.key) ? String(item.key.value) : String(i);
        const child = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (isNode(item.key)) put(child, 'key', item.key.range?.[0]);
        if (isNode(item.value)) walk(item.value, child);
        else if (isNode(item.key)) put(child, 'value', item.key.range?.[0]);
      } else walk(item, `${pointer}/${i}`);
    });
  };
  walk(doc.contents, '');
  return index;
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!;
  if (code === 'MULTIPLE_DOCS') return "a file holds one YAML document; this is a second one ('---')";
  if (code === 'TAG_RESOLVE_FAILED') return `${first.replace(/^Unresolved tag: /, 'tag ')} is not supported (plain data only: no tags, no objects made from YAML)`;
  // The composer's own recursion overflow (the lexical guard should have caught it first).
  if (/call stack/i.test(first)) return `nested too deeply to read (the limit is ${INPUT_LIMITS.nestingDepth} levels)`;
  return `YAML syntax: ${first}`;
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

/** Read and parse a YAML/JSON file (see `readTextFile` for what is refused before parsing). */
export function readYamlSource(file: string): YamlSource {
  return parseYamlSource(readTextFile(file), file);
}

// Our own fixed schemas: no draft-07 meta-schema pass, and compiled once per schema across runs (issue 19).
const AJV_OPTIONS = { allErrors: true, strict: false, allowUnionTypes: true, verbose: true, validateSchema: false } as const;
const compiled = new WeakMap<object, ValidateFunction>();

/** Every problem of `source.data` against a JSON schema, each with `file:line:column` and what was expected. */
export function schemaProblems(source: YamlSource, schema: object): Problem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compileSchemaCached(schema, AJV_OPTIONS);
    compiled.set(schema, validate);
  }
  if (validate(source.data)) return [];
  return describeErrors(validate.errors ?? [], source);
}

/**
 * Validate `source.data` against a JSON schema. Throws one `InputProblems` listing every problem, each with
 * `file:line:column` and what was expected (unknown keys name the allowed ones).
 */
export function validateSource<T>(source: YamlSource, schema: object, what: string): T {
  const problems = schemaProblems(source, schema);
  if (problems.length > 0) throw new InputProblems(capProblems(problems.map((p) => ({ where: p.where, message: `${what}: ${p.message}` }))));
  return source.data as T;
}

function describeErrors(errors: ErrorObject[], source: YamlSource): Problem[] {
  // oneOf/anyOf produce one error per branch: the deepest ones say what is wrong.
  return schemaIssues(errors, { deepestOnly: true }).map((i) => ({ where: source.locate(i.pointer, i.atKey), message: i.message }));
}
