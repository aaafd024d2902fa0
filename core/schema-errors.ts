/**
 * The one formatter of JSON-schema (Ajv) errors: every file, parameter block and fault spec the product validates
 * with a schema words its problems here, so a reader sees the same phrases everywhere.
 */
import type { ErrorObject } from 'ajv';
import { didYouMean } from './suggest';

/** One schema problem, worded, with where it is. */
export interface SchemaIssue {
  /** The Ajv keyword (`additionalProperties`, `required`, `enum`, `maximum`...). */
  keyword: string;
  /** JSON pointer of the value the problem is about ('' for the top level). */
  path: string;
  /** JSON pointer to show the reader: the offending key for an unknown key or a bad key name, else {@link path}. */
  pointer: string;
  /** Whether {@link pointer} ends at a key (point at the key itself, not at its value). */
  atKey: boolean;
  /** What is wrong, worded with the subject the options asked for. */
  message: string;
}

/**
 * How the subject of a message is named:
 * - `pointer`: the JSON pointer, `(top level)` for the root (`/devices/1 is missing 'name'`);
 * - `dotted`: the path with dots, `(top level)` for the root (`topology.series must be >= 1`);
 * - `field`: the last segment only, `fallback` for the root (`watts must be <= 1000000`);
 * - `none`: no subject, for callers that print the path themselves (`must be <= 100`).
 */
export type SchemaSubject = 'pointer' | 'dotted' | 'field' | 'none';

export interface SchemaIssueOptions {
  /** How a message names what it is about (default `pointer`). */
  subject?: SchemaSubject;
  /** The subject of a root-level problem under `field` (default `value`). */
  fallback?: string;
  /** What an unknown key is called: `unknown <noun> 'x'` (default `key`). */
  noun?: string;
  /** After an unknown key, list the allowed ones (default true). */
  listAllowed?: boolean;
  /** Keep only the errors under this schema path (one branch of a `oneOf`: `#/oneOf/2/`). */
  schemaPath?: string;
  /**
   * Keep only the deepest errors plus unknown and missing keys (default false): what a reader wants when `oneOf`
   * and `anyOf` give one error per branch. The composite errors themselves (`oneOf`, `anyOf`, `if`; `const` under a
   * `schemaPath` filter) are worded only when nothing else is left.
   */
  deepestOnly?: boolean;
}

/**
 * Word Ajv's errors (compile with `allErrors`; `verbose` adds did-you-mean on enum values).
 *
 * Contract:
 * - Unknown key: `unknown <noun> 'x'` [` in <subject>`] with a did-you-mean and, unless `listAllowed` is false, the
 *   allowed keys; its `pointer` is the key's own pointer and `atKey` is true.
 * - Missing key: `<subject> is missing 'x'` (`missing <noun> 'x'` under `field`/`none`).
 * - Enum: `<subject> must be one of: a, b` with a did-you-mean when the value is text.
 * - Bad key name (`propertyNames` + `pattern`): `name 'x' in <subject> must match <pattern>`, at the key.
 * - Anything else: `<subject> <Ajv's message>` (`must be <= 100`, `must NOT have fewer than 1 items`).
 * - The same message at the same pointer is given once; the order is Ajv's.
 */
export function schemaIssues(errors: readonly ErrorObject[], options: SchemaIssueOptions = {}): SchemaIssue[] {
  const style = options.subject ?? 'pointer';
  const noun = options.noun ?? 'key';
  const scoped = options.schemaPath !== undefined ? errors.filter((e) => e.schemaPath.startsWith(options.schemaPath!) && e.keyword !== 'const') : errors;
  let list = scoped.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  if (options.deepestOnly === true) {
    const depth = (e: ErrorObject): number => e.instancePath.split('/').length;
    const deepest = Math.max(...scoped.map(depth));
    list = list.filter((e) => depth(e) === deepest || e.keyword === 'additionalProperties' || e.keyword === 'required');
  }
  if (list.length === 0) list = [...scoped];
  const subject = (pointer: string): string => name(pointer, style, options.fallback ?? 'value');
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of list) {
    const path = e.instancePath;
    const s = subject(path);
    let pointer = path;
    let atKey = false;
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const where = style === 'pointer' || style === 'dotted' ? ` in ${s}` : '';
      const listed = options.listAllowed !== false && allowed.length > 0 ? ` (expected one of: ${allowed.join(', ')})` : '';
      message = `unknown ${noun} '${key}'${where}${didYouMean(key, allowed)}${listed}`;
      pointer = `${path}/${escapePointer(key)}`;
      atKey = true;
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      message = style === 'pointer' || style === 'dotted' ? `${s} is missing '${missing}'` : `missing ${noun} '${missing}'`;
    } else if (e.keyword === 'enum') {
      const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      message = `${prefix(s)}must be one of: ${allowed.join(', ')}${hint}`;
    } else if (e.keyword === 'propertyNames') {
      continue; // worded with the 'pattern' error of the name itself
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      const parent = path.replace(/\/[^/]*$/, '');
      message = `name '${e.propertyName}' in ${name(parent, style === 'none' || style === 'field' ? 'pointer' : style, '(top level)')} must match ${(e.params as { pattern: string }).pattern}`;
      pointer = `${path}/${escapePointer(e.propertyName)}`;
      atKey = true;
    } else {
      message = `${prefix(s)}${e.message ?? 'is not valid'}`;
    }
    const k = `${pointer} ${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ keyword: e.keyword, path, pointer, atKey, message });
  }
  return out;
}

/** A JSON pointer's segments, unescaped (`/a~1b/0` -> `['a/b', '0']`). */
export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function prefix(subject: string): string {
  return subject === '' ? '' : `${subject} `;
}

function name(pointer: string, style: SchemaSubject, fallback: string): string {
  switch (style) {
    case 'pointer':
      return pointer || '(top level)';
    case 'dotted':
      return pointer ? pointerSegments(pointer).join('.') : '(top level)';
    case 'field': {
      const segs = pointerSegments(pointer);
      return segs.length > 0 ? segs[segs.length - 1]! : fallback;
    }
    case 'none':
      return '';
  }
}
