/**
 * One registry of the fault kinds a device kind takes, each with its parameter schema: the single place a fault kind
 * is declared. Validation (one function, Ajv), the lists in error messages, the operator's catalogue (`hil emulate`,
 * the dashboard), the docs and the scenario schema's list of kinds are all derived from it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchemaCached } from '../../core/schema-cache';
import { ConfigError } from '../../core/errors';
import { didYouMean } from '../../core/suggest';

/** JSON type of a fault parameter. */
export type FaultParamType = 'number' | 'integer' | 'string' | 'boolean' | 'array' | 'object';

/** One parameter of a fault kind: a JSON-Schema-like type with its range, unit and default. */
export interface FaultParamDecl {
  readonly type: FaultParamType;
  readonly description: string;
  /** Unit of a number (`W`, `A`, `degC`, `s`, `%/h`...). */
  readonly unit?: string;
  readonly required?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  /** Allowed values (strings or numbers). */
  readonly enum?: readonly (string | number)[];
  /** For an array: the allowed values of its items, and how many it needs at least. */
  readonly items?: { readonly enum: readonly string[] };
  readonly minItems?: number;
  /** What the device uses when the parameter is not given (documentation; the device applies it). */
  readonly default?: number | string | boolean;
}

/** A fault kind: what it does, and its parameters in the order they are listed. */
export interface FaultKindDecl {
  readonly description: string;
  readonly params?: Readonly<Record<string, FaultParamDecl>>;
}

/** Every kind of a device, keyed by kind: a TypeScript record, so a kind cannot be declared twice or forgotten. */
export type FaultDecls<K extends string> = { readonly [P in K]: FaultKindDecl };

/** A parameter as tools show it (completion, forms, docs). */
export interface FaultParamInfo {
  name: string;
  type: FaultParamType;
  required: boolean;
  /** Allowed values (an enum), or for an array the allowed values of its items. */
  values?: readonly string[];
  description?: string;
  unit?: string;
  minimum?: number;
  /** The value must be above this (not equal). */
  exclusiveMinimum?: number;
  maximum?: number;
  default?: number | string | boolean;
}

/** A fault kind a device takes, with its parameters. */
export interface FaultKindInfo {
  kind: string;
  description?: string;
  params: readonly FaultParamInfo[];
}

// Validators compiled on first use, and once across runs (core/schema-cache: no ajv load or compile at start-up).
// Our own fixed schemas: no draft-07 meta-schema pass.
const compile = (schema: object): ValidateFunction => compileSchemaCached(schema, { allErrors: true, validateSchema: false });

/**
 * The fault kinds of one device kind. `check` is the one validator: a fault spec (`{ kind, ...params }`) is
 * refused with a `ConfigError` naming the unknown kind (with a "did you mean" and the kinds it takes) or each bad
 * parameter (unknown, missing, out of range, not one of the allowed values).
 */
export class FaultRegistry<K extends string = string> {
  /** Kinds in declaration order. */
  readonly kinds: readonly K[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    /** The device kind, for messages (`bms`, `inverter`). */
    readonly device: string,
    private readonly decls: FaultDecls<K>,
  ) {
    this.kinds = Object.keys(decls) as K[];
  }

  has(kind: unknown): kind is K {
    return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(this.decls, kind);
  }

  decl(kind: string): FaultKindDecl | undefined {
    return this.has(kind) ? this.decls[kind] : undefined;
  }

  /** A registry of some of these kinds (the same declarations), e.g. for a device variant that takes fewer. */
  subset<S extends K>(device: string, kinds: readonly S[]): FaultRegistry<S> {
    return new FaultRegistry(device, Object.fromEntries(kinds.map((k) => [k, this.decls[k]])) as FaultDecls<S>);
  }

  /** JSON Schema of one kind's spec: `{ kind, ...params }`, no other field. */
  kindSchema(kind: K): object {
    const params = this.decls[kind].params ?? {};
    return {
      type: 'object',
      additionalProperties: false,
      required: ['kind', ...Object.entries(params).filter(([, p]) => p.required).map(([n]) => n)],
      properties: { kind: { const: kind }, ...Object.fromEntries(Object.entries(params).map(([n, p]) => [n, paramSchema(p)])) },
    };
  }

  /** JSON Schema of any spec this device takes (`oneOf` by kind). */
  schema(): { oneOf: object[] } {
    return { oneOf: this.kinds.map((k) => this.kindSchema(k)) };
  }

  /** `where has no fault 'x' (did you mean 'y'?) (it takes: a, b, ...)`; `also` adds kinds taken elsewhere. */
  unknownKind(kind: string, where: string, also: readonly string[] = []): string {
    const all = [...this.kinds, ...also];
    return `${where} has no fault '${kind}'${didYouMean(kind, all)} (it takes: ${all.join(', ')})`;
  }

  /** Throws `ConfigError` saying what is wrong with a fault spec, `where` naming the device (`bms 'pack1'`). */
  check(spec: unknown, where: string): void {
    const kind = (spec as { kind?: unknown } | null)?.kind;
    if (!this.has(kind)) throw new ConfigError(this.unknownKind(String(kind), where));
    let validate = this.validators.get(kind);
    if (!validate) {
      validate = compile(this.kindSchema(kind));
      this.validators.set(kind, validate);
    }
    if (validate(spec)) return;
    const names = Object.keys(this.decls[kind].params ?? {});
    const detail = (validate.errors ?? [])
      .filter((e) => !(e.instancePath === '/kind' && e.keyword === 'const'))
      .map((e) => describe(e, names))
      .slice(0, 3)
      .join('; ');
    throw new ConfigError(`${where}: fault '${kind}': ${detail}`);
  }

  /** Every kind with its parameters, for tools and docs. */
  catalog(): FaultKindInfo[] {
    return this.kinds.map((kind) => {
      const d = this.decls[kind];
      return { kind, description: d.description, params: Object.entries(d.params ?? {}).map(([name, p]) => paramInfo(name, p)) };
    });
  }
}

function paramSchema(p: FaultParamDecl): object {
  const s: Record<string, unknown> = p.enum ? { enum: p.enum } : { type: p.type };
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'minItems'] as const) if (p[k] !== undefined) s[k] = p[k];
  if (p.items) s.items = { enum: p.items.enum };
  return s;
}

function paramInfo(name: string, p: FaultParamDecl): FaultParamInfo {
  const values = p.enum ? p.enum.map(String) : p.items?.enum;
  const type: FaultParamType = p.enum ? (typeof p.enum[0] === 'number' ? 'number' : 'string') : p.type;
  return {
    name,
    type,
    required: p.required ?? false,
    ...(values ? { values } : {}),
    description: p.description,
    ...(p.unit !== undefined ? { unit: p.unit } : {}),
    ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
    ...(p.exclusiveMinimum !== undefined ? { exclusiveMinimum: p.exclusiveMinimum } : {}),
    ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
  };
}

/** One Ajv error as a person reads it: `unknown field 'x'` (with what it takes), `missing field 'y'`, `z must be <= 5`. */
function describe(e: ErrorObject, names: readonly string[]): string {
  if (e.keyword === 'additionalProperties') {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    return `unknown field '${field}'${didYouMean(field, names)}${names.length ? ` (it takes: ${names.join(', ')})` : ' (it takes none)'}`;
  }
  if (e.keyword === 'required') return `missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
  const where = e.instancePath ? e.instancePath.slice(1) : 'fault';
  if (e.keyword === 'enum') return `${where} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where} ${e.message ?? 'is not valid'}`;
}
