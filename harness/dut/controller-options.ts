import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchemaCached } from '../../core/schema-cache';
import type { Problem } from '../config/problems';
import { didYouMean } from '../../core/suggest';

/** The JSON Schema of one option (the subset the harness reads to turn `--dut-option k=v` text into a value). */
export interface ControllerOptionSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  description?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: ControllerOptionSchema;
  [keyword: string]: unknown;
}

/**
 * What an in-process controller module declares about its options: it exports `controllerOptions`, a JSON Schema
 * of an object, next to `createController`. The harness checks the bench's `dut.moduleOptions` and every
 * `hil run --dut-option k=v` against it before anything starts (unknown keys and bad values are exit 2), and turns
 * option text into the declared type: numbers, booleans, comma-separated arrays. A module that declares nothing
 * takes no options. See examples/controllers/reference/options.ts.
 */
export interface ControllerOptionsSchema {
  type: 'object';
  properties: Record<string, ControllerOptionSchema>;
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}

/** Options written in the bench (`dut.moduleOptions`, with where each key is) and on the command line. */
export interface OptionSources {
  moduleOptions?: Record<string, unknown>;
  /** `file:line:column` of each key of `moduleOptions`, or of the block. */
  whereModuleOption: (key: string) => string | undefined;
  /** `--dut-option` arguments as typed (`key=value`). */
  cli: readonly string[];
}

/**
 * Compiled once per declared schema across runs (core/schema-cache: ajv is a noticeable part of `hil run` start-up).
 * The first compile of a schema checks it against the JSON Schema meta-schema, so a broken declaration is reported
 * then; only schemas that compiled are ever cached.
 */
const OPTIONS_AJV = { allErrors: true, strict: false, allowUnionTypes: true } as const;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Check and merge a module's options (command line over bench). Returns the merged, typed options and every problem:
 * an option the module does not declare (with "did you mean"), a value of the wrong type or out of range, text that
 * is not `key=value`, a module that declares no options but is given some, a declaration that is not a schema.
 */
export function resolveControllerOptions(declared: unknown, sources: OptionSources, moduleName: string): { options: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  const cli: Array<{ key: string; text: string; arg: string }> = [];
  for (const arg of sources.cli) {
    const i = arg.indexOf('=');
    if (i <= 0) problems.push({ where: `--dut-option ${arg}`, message: `'${arg}' is not key=value` });
    else cli.push({ key: arg.slice(0, i), text: arg.slice(i + 1), arg });
  }
  const given = Object.keys(sources.moduleOptions ?? {}).length + cli.length;
  if (declared === undefined) {
    if (given > 0) {
      const first = Object.keys(sources.moduleOptions ?? {})[0];
      const where = first !== undefined ? sources.whereModuleOption(first) : `--dut-option ${cli[0]!.arg}`;
      problems.push({ where, message: `the controller module '${moduleName}' declares no options (it exports no 'controllerOptions' schema), so it takes none` });
    }
    return { options: {}, problems };
  }
  if (!isObjectSchema(declared)) {
    problems.push({ where: moduleName, message: `the controller module's 'controllerOptions' is not a JSON schema of an object ({ type: 'object', properties: {...} })` });
    return { options: {}, problems };
  }
  const props = declared.properties;
  const known = Object.keys(props);
  const options: Record<string, unknown> = {};
  const origin = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(sources.moduleOptions ?? {})) {
    const where = sources.whereModuleOption(key);
    if (!Object.prototype.hasOwnProperty.call(props, key)) problems.push({ where, message: unknownOption(key, known, moduleName, 'dut.moduleOptions') });
    else {
      options[key] = value;
      origin.set(key, where);
    }
  }
  for (const { key, text, arg } of cli) {
    const where = `--dut-option ${arg}`;
    if (!Object.prototype.hasOwnProperty.call(props, key)) {
      problems.push({ where, message: unknownOption(key, known, moduleName, '') });
      continue;
    }
    const value = coerce(text, props[key]!);
    if (value === undefined) {
      problems.push({ where, message: `'${text}' is not ${describeType(props[key]!)}` });
      continue;
    }
    options[key] = value;
    origin.set(key, where);
  }
  let validate = compiled.get(declared);
  if (!validate) {
    try {
      validate = compileSchemaCached({ ...declared, additionalProperties: true }, OPTIONS_AJV);
    } catch (err) {
      problems.push({ where: moduleName, message: `the controller module's 'controllerOptions' is not a valid JSON schema: ${(err as Error).message}` });
      return { options, problems };
    }
    compiled.set(declared, validate);
  }
  if (!validate(options)) {
    for (const e of validate.errors ?? []) {
      const key = e.instancePath.split('/')[1] ?? '';
      problems.push({ where: origin.get(key), message: `option ${describeError(e, options[key])}` });
    }
  }
  return { options, problems };
}

function unknownOption(key: string, known: string[], moduleName: string, via: string): string {
  return `${via ? `${via}: ` : ''}the controller module '${moduleName}' has no option '${key}'${didYouMean(key, known)} (it takes: ${known.join(', ') || 'none'})`;
}

function isObjectSchema(x: unknown): x is ControllerOptionsSchema {
  const s = x as ControllerOptionsSchema | null;
  return typeof s === 'object' && s !== null && s.type === 'object' && typeof s.properties === 'object' && s.properties !== null;
}

/** Option text as the declared type; undefined if it is not one. */
export function coerce(text: string, schema: ControllerOptionSchema): unknown {
  switch (schema.type) {
    case 'number':
    case 'integer': {
      const n = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(n) && (schema.type === 'number' || Number.isInteger(n)) ? n : undefined;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'array': {
      const items = text === '' ? [] : text.split(',').map((t) => coerce(t.trim(), schema.items ?? { type: 'string' }));
      return items.some((v) => v === undefined) ? undefined : items;
    }
    default:
      return text;
  }
}

function describeType(schema: ControllerOptionSchema): string {
  switch (schema.type) {
    case 'number':
      return 'a finite number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a comma-separated list of ${schema.items ? describeType(schema.items) : 'values'}`;
    default:
      return 'text';
  }
}

function describeError(e: ErrorObject, value: unknown): string {
  const path = e.instancePath.split('/')[1] ?? '';
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const bad = e.instancePath.split('/').length > 2 ? (Array.isArray(value) ? String(value[Number(e.instancePath.split('/')[2])]) : '') : String(value);
    return `${path}: '${bad}' is not one of ${allowed.join(', ')}${didYouMean(bad, allowed)}`;
  }
  return `${path} ${e.message ?? 'is not valid'} (got ${JSON.stringify(value)})`;
}
