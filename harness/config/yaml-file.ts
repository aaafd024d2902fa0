import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';
import { capProblems, InputProblems, type Problem } from './problems';
import { readTextFile } from './read-text-file';
import { didYouMean } from './suggest';
import { excessiveNesting } from './yaml-nesting-guard';
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
  const deep = excessiveNesting(text, INPUT_LIMITS.nestingDepth);
  if (deep !== undefined) {
    throw new ConfigError(`nested more than ${INPUT_LIMITS.nestingDepth} levels deep (the limit for bench and scenario files)`, `${file}:${lineCol(text, deep)}`);
  }
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
  const locate = (pointer: string, key = false): string => {
    const path = pointer
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      let offset: number | undefined;
      if (key && n === path.length && n > 0) {
        const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
        const items = (parent as { items?: Array<{ key?: unknown }> } | null)?.items;
        const pair = items?.find((it) => isNode(it.key) && (it.key as { value?: unknown }).value === sub[sub.length - 1]);
        if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
      }
      if (offset === undefined) {
        const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
        if (isNode(node)) offset = node.range?.[0];
      }
      if (offset !== undefined) return at(offset);
    }
    return `${file}:1:1`;
  };
  return { file, data, locate };
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

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Every problem of `source.data` against a JSON schema, each with `file:line:column` and what was expected. */
export function schemaProblems(source: YamlSource, schema: object): Problem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
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
  // oneOf/anyOf produce one error per branch; keep the most specific (deepest) ones.
  const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
  const useful = errors.filter(
    (e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if' && (e.instancePath.split('/').length === deepest || e.keyword === 'additionalProperties' || e.keyword === 'required'),
  );
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of useful.length > 0 ? useful : errors) {
    const at = e.instancePath || '(top level)';
    let message: string;
    let where = source.locate(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      message = `unknown key '${key}' in ${at}${didYouMean(key, allowed)} (expected one of: ${allowed.join(', ')})`;
      where = source.locate(`${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, true);
    } else if (e.keyword === 'required') {
      message = `${at} is missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else if (e.keyword === 'enum') {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      message = `${at} must be one of: ${allowed.join(', ')}${typeof e.data === 'string' ? didYouMean(e.data, allowed) : ''}`;
    } else if (e.keyword === 'propertyNames') {
      continue; // reported with the 'pattern' error of the name itself
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      message = `name '${e.propertyName}' in ${at.replace(/\/[^/]*$/, '') || '(top level)'} must match ${(e.params as { pattern: string }).pattern}`;
      where = source.locate(`${e.instancePath}/${e.propertyName}`, true);
    } else {
      message = `${at} ${e.message ?? 'is not valid'}`;
    }
    const k = `${where} ${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ where, message });
  }
  return out;
}
