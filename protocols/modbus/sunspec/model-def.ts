/**
 * SunSpec model definitions as published by the SunSpec Alliance (JSON, Apache-2.0), and where to load them from.
 * The files the product uses are copied into `models/` beside this module (names kept, LICENSE alongside), so the
 * product runs without `../shared`. The directory is found relative to the package root, which works from the
 * TypeScript sources (ts-jest) and from the compiled `dist/` tree alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../core/package-root';
import { ConfigError } from '../../../core/errors';

/** Point types in the SunSpec information model (the JSON `type` field). */
export type SunSpecPointType =
  | 'int16'
  | 'uint16'
  | 'count'
  | 'acc16'
  | 'enum16'
  | 'bitfield16'
  | 'sunssf'
  | 'pad'
  | 'int32'
  | 'uint32'
  | 'acc32'
  | 'enum32'
  | 'bitfield32'
  | 'float32'
  | 'int64'
  | 'uint64'
  | 'acc64'
  | 'string';

export interface SunSpecSymbolDef {
  name: string;
  value: number;
  label?: string;
}

/** One point of a model definition (subset of the official schema the layer uses). */
export interface SunSpecPointDef {
  name: string;
  type: SunSpecPointType;
  size: number;
  sf?: string | number;
  access?: 'R' | 'RW';
  units?: string;
  mandatory?: 'M' | 'O';
  static?: 'S' | 'D';
  value?: number | string;
  symbols?: SunSpecSymbolDef[];
  label?: string;
  desc?: string;
}

/** A group of points; `count` is absent (once), a number (0 = as many as the model length holds) or a point name. */
export interface SunSpecGroupDef {
  name: string;
  type: 'group' | 'sync';
  count?: number | string;
  points: SunSpecPointDef[];
  groups?: SunSpecGroupDef[];
  label?: string;
}

export interface SunSpecModelDef {
  id: number;
  group: SunSpecGroupDef;
}

let cachedDir: string | undefined;

/** Directory holding the bundled model JSON files (`model_<id>.json`). */
export function bundledModelsDir(): string {
  if (cachedDir === undefined) cachedDir = join(packageRoot(), 'protocols', 'modbus', 'sunspec', 'models');
  return cachedDir;
}

const cache = new Map<string, SunSpecModelDef>();

/**
 * Load the definition of model `id` from `dir` (default: the bundled models). Throws `ConfigError` naming the file
 * when it is missing or not a model definition. Results are cached per file.
 */
export function loadModelDef(id: number, dir: string = bundledModelsDir()): SunSpecModelDef {
  const file = join(dir, `model_${id}.json`);
  const hit = cache.get(file);
  if (hit) return hit;
  if (!existsSync(file)) throw new ConfigError(`SunSpec model ${id}: no definition file ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`SunSpec model ${id}: ${file} is not valid JSON`, undefined, { cause: err });
  }
  const def = parsed as SunSpecModelDef;
  if (typeof def !== 'object' || def === null || def.id !== id || typeof def.group !== 'object' || !Array.isArray(def.group.points)) {
    throw new ConfigError(`SunSpec model ${id}: ${file} is not a SunSpec model definition for id ${id}`);
  }
  cache.set(file, def);
  return def;
}
