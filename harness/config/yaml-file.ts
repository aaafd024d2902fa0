import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { ConfigError } from '../../core/errors';

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

/** Parse YAML text. Syntax errors throw `ConfigError` with the position of the first one. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    throw new ConfigError(`YAML syntax: ${e.message.split('\n')[0]}${more}`, `${file}:${pos.line}:${pos.col}`);
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
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
      if (offset !== undefined) {
        const pos = lineCounter.linePos(offset);
        return `${file}:${pos.line}:${pos.col}`;
      }
    }
    return `${file}:1:1`;
  };
  return { file, data, locate };
}

/** Read and parse a YAML/JSON file; a missing file is a `ConfigError`. */
export function readYamlSource(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, file);
  }
  return parseYamlSource(text, file);
}

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });

/**
 * Validate `source.data` against a JSON schema. Throws one `ConfigError` listing every problem, each with
 * `file:line:column` and what was expected (unknown keys name the allowed ones).
 */
export function validateSource<T>(source: YamlSource, schema: object, what: string): T {
  const validate = ajv.compile(schema);
  if (validate(source.data)) return source.data as T;
  const problems = describeErrors(validate.errors ?? [], source);
  const first = problems[0]!;
  const rest = problems.slice(1).map((p) => `\n  ${p.where}: ${p.message}`);
  throw new ConfigError(`${what}: ${first.message}${rest.join('')}`, first.where);
}

function describeErrors(errors: ErrorObject[], source: YamlSource): Array<{ where: string; message: string }> {
  // oneOf/anyOf produce one error per branch; keep the most specific (deepest) ones.
  const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
  const useful = errors.filter(
    (e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if' && (e.instancePath.split('/').length === deepest || e.keyword === 'additionalProperties' || e.keyword === 'required'),
  );
  const seen = new Set<string>();
  const out: Array<{ where: string; message: string }> = [];
  for (const e of useful.length > 0 ? useful : errors) {
    const at = e.instancePath || '(top level)';
    let message: string;
    let where = source.locate(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      message = `unknown key '${key}' in ${at} (expected one of: ${allowed.join(', ')})`;
      where = source.locate(`${e.instancePath}/${key}`, true);
    } else if (e.keyword === 'required') {
      message = `${at} is missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else if (e.keyword === 'enum') {
      message = `${at} must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
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
