/**
 * Declarative vendor register maps (YAML or JSON, since JSON is YAML): for brands that do not speak SunSpec, one file
 * says which register holds which model quantity and which register drives which control. Files are schema-checked
 * (ajv) and then checked for meaning (known quantities and controls, no overlaps); every problem is reported with
 * `file:line:column` from the `yaml` parser's positions.
 *
 * Register entry: `address` (0-based wire address), `table` (holding | input, default holding), `name`, `type`
 * (uint16 | int16 | uint32 | int32 | float32), `scale` (value = raw * scale, default 1), `unit`, `access` (R | RW),
 * `mirrors` (a quantity, see quantities.ts) or `constant` for R; `drives` (a control) for RW, which also reads back
 * the control; optional `min`/`max` (engineering units) narrowing what a write may set.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, isMap, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { ConfigError } from '../../core/errors';
import { CONTROLS, QUANTITIES } from './quantities';

export type VendorRegisterType = 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32';

export interface VendorRegister {
  address: number;
  table: 'holding' | 'input';
  name: string;
  type: VendorRegisterType;
  scale: number;
  unit?: string;
  access: 'R' | 'RW';
  mirrors?: string;
  constant?: number;
  drives?: string;
  min?: number;
  max?: number;
  /** Where the entry is in its file (`file:line:column`). */
  location: string;
}

export interface VendorMap {
  name: string;
  vendor?: string;
  description?: string;
  /** Word order of 32-bit values (default big: most significant word first). */
  wordOrder: 'big' | 'little';
  /** Reading an address no entry covers: exception 2 (default) or zeros. */
  gaps: 'exception' | 'zero';
  registers: VendorRegister[];
  file: string;
}

export const REGISTER_WORDS: Record<VendorRegisterType, number> = { uint16: 1, int16: 1, uint32: 2, int32: 2, float32: 2 };

const SCHEMA = {
  type: 'object',
  required: ['name', 'registers'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    vendor: { type: 'string' },
    description: { type: 'string' },
    wordOrder: { enum: ['big', 'little'] },
    gaps: { enum: ['exception', 'zero'] },
    registers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['address', 'name', 'type', 'access'],
        additionalProperties: false,
        properties: {
          address: { type: 'integer', minimum: 0, maximum: 65535 },
          table: { enum: ['holding', 'input'] },
          name: { type: 'string', minLength: 1 },
          type: { enum: ['uint16', 'int16', 'uint32', 'int32', 'float32'] },
          scale: { type: 'number', exclusiveMinimum: 0 },
          unit: { type: 'string' },
          access: { enum: ['R', 'RW'] },
          mirrors: { type: 'string' },
          constant: { type: 'number' },
          drives: { type: 'string' },
          min: { type: 'number' },
          max: { type: 'number' },
        },
      },
    },
  },
} as const;

// Compiled on first use (a bench with a vendor map), not at start-up: each Ajv compile costs tens of ms.
let validator: ValidateFunction | undefined;
const schemaCheck = (): ValidateFunction => (validator ??= new Ajv({ allErrors: true, verbose: true }).compile(SCHEMA));

type Path = Array<string | number>;

function locate(doc: Document, lc: LineCounter, file: string, path: Path, key?: string): string {
  let node = doc.getIn(path, true) as Node | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    if (pair?.key) node = pair.key as Node;
  }
  // Walk up to the nearest node that exists.
  for (let p = path.slice(); !node?.range && p.length > 0; ) {
    p.pop();
    node = doc.getIn(p, true) as Node | undefined;
  }
  const at = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
  return `${file}:${at.line}:${at.col}`;
}

function explain(e: ErrorObject): { path: Path; key?: string; message: string } {
  const path: Path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const field = path.length > 0 ? String(path[path.length - 1]) : 'file';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      return { path, key, message: `unknown field '${key}' (allowed: ${Object.keys(e.parentSchema?.properties ?? {}).join(', ')})` };
    }
    case 'required':
      return { path, message: `missing field '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'enum':
      return { path, message: `${field} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    default:
      return { path, message: `${field} ${e.message ?? 'is not valid'}` };
  }
}

/** Parse and check a map; throws `ConfigError` listing every problem, each with `file:line:column`. */
export function parseVendorMap(text: string, file = '<inline>'): VendorMap {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lc.linePos(e.pos[0]);
    throw new ConfigError(`not valid YAML: ${e.message.split('\n')[0]}`, `${file}:${at.line}:${at.col}`);
  }
  const data = doc.toJS() as unknown;
  const problems: Array<{ where: string; message: string }> = [];
  const validate = schemaCheck();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const x = explain(e);
      problems.push({ where: locate(doc, lc, file, x.path, x.key), message: x.message });
    }
  } else {
    const raw = data as { registers: Array<Record<string, unknown>> };
    const used = new Map<string, string>();
    raw.registers.forEach((r, i) => {
      const at = (key?: string) => locate(doc, lc, file, ['registers', i, ...(key ? [key] : [])]);
      const name = String(r.name);
      if (r.access === 'R') {
        if (r.drives !== undefined) problems.push({ where: at('drives'), message: `register '${name}' is read-only (access R) but has 'drives'; make it RW or remove drives` });
        if ((r.mirrors === undefined) === (r.constant === undefined)) problems.push({ where: at(), message: `register '${name}' needs exactly one of 'mirrors' or 'constant'` });
      } else {
        if (r.drives === undefined) problems.push({ where: at(), message: `register '${name}' is writable (access RW) but has no 'drives' control` });
        if (r.mirrors !== undefined || r.constant !== undefined) problems.push({ where: at(r.mirrors !== undefined ? 'mirrors' : 'constant'), message: `register '${name}' is RW: it reads back its control; remove 'mirrors'/'constant'` });
      }
      if (typeof r.mirrors === 'string' && !(r.mirrors in QUANTITIES)) {
        problems.push({ where: at('mirrors'), message: `unknown quantity '${r.mirrors}' (known: ${Object.keys(QUANTITIES).join(', ')})` });
      }
      if (typeof r.drives === 'string' && !(r.drives in CONTROLS)) {
        problems.push({ where: at('drives'), message: `unknown control '${r.drives}' (known: ${Object.keys(CONTROLS).join(', ')})` });
      }
      if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max) problems.push({ where: at('min'), message: `min ${r.min} is above max ${r.max}` });
      const words = REGISTER_WORDS[r.type as VendorRegisterType];
      const addr = r.address as number;
      if (addr + words > 0x10000) problems.push({ where: at('address'), message: `register '${name}' runs past address 65535` });
      const table = (r.table as string | undefined) ?? 'holding';
      for (let k = 0; k < words; k++) {
        const key = `${table}:${addr + k}`;
        const other = used.get(key);
        if (other !== undefined) problems.push({ where: at('address'), message: `register '${name}' overlaps '${other}' at ${table} address ${addr + k}` });
        else used.set(key, name);
      }
    });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const rest = problems.slice(1).map((p) => `\n${p.where}: ${p.message}`).join('');
    throw new ConfigError(`${first.message}${rest}`, first.where);
  }
  const m = data as Omit<VendorMap, 'registers' | 'file' | 'wordOrder' | 'gaps'> & { wordOrder?: 'big' | 'little'; gaps?: 'exception' | 'zero'; registers: Array<Record<string, unknown>> };
  return {
    name: m.name,
    ...(m.vendor !== undefined ? { vendor: m.vendor } : {}),
    ...(m.description !== undefined ? { description: m.description } : {}),
    wordOrder: m.wordOrder ?? 'big',
    gaps: m.gaps ?? 'exception',
    file,
    registers: m.registers.map((r, i) => ({
      ...(r as unknown as VendorRegister),
      table: (r.table as 'holding' | 'input' | undefined) ?? 'holding',
      scale: (r.scale as number | undefined) ?? 1,
      location: locate(doc, lc, file, ['registers', i]),
    })),
  };
}

/** Read and parse a map file. */
export function loadVendorMap(path: string): VendorMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read vendor map: ${(err as Error).message}`, path, { cause: err });
  }
  return parseVendorMap(text, path);
}

