import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';
import { packagePath } from './package-root';

/**
 * JSON Schema validators compiled once per schema, not once per process (issue 19: `hil run` start-up). Compiling
 * a schema with ajv generates and evaluates JavaScript; on a cold process that is the largest part of reaching the
 * first CAN frame. The first process to compile a schema writes ajv's standalone code for it to
 * `node_modules/.cache/hil-validators/<key>.js` under the package root (the key hashes the ajv version, the options
 * and the schema, so a changed schema never meets an old validator); later processes load that module instead.
 *
 * Contract: the function returned validates exactly as `new Ajv(options).compile(schema)` does (same generated
 * code, same `errors`). Anything going wrong with the cache (a read-only install, a damaged file) falls back to
 * compiling in memory, silently: the cache only ever saves time. `HIL_SCHEMA_CACHE=off` turns it off.
 * Only for the project's own schemas (schemas are code here: a cached validator is loaded with `require`).
 */
export function compileSchemaCached(schema: object, options: Options = {}): ValidateFunction {
  if (process.env.HIL_SCHEMA_CACHE === 'off') return newAjv(options).compile(schema);
  let file: string | undefined;
  try {
    const key = createHash('sha256').update(JSON.stringify([ajvVersion(), options, schema])).digest('hex').slice(0, 32);
    file = join(cacheDir(), `${key}.js`);
    if (existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(file) as unknown;
      if (typeof loaded === 'function') return loaded as ValidateFunction;
    }
  } catch {
    /* not cached yet (or unusable): compile below */
  }
  const ajv = newAjv({ ...options, code: { ...options.code, source: true } });
  const validate = ajv.compile(schema);
  if (file !== undefined) {
    try {
      mkdirSync(cacheDir(), { recursive: true });
      // Written aside and renamed: a concurrent process never loads half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
      writeFileSync(tmp, standaloneCode(ajv, validate));
      renameSync(tmp, file);
    } catch {
      /* a read-only package: compile every time, as without the cache */
    }
  }
  return validate;
}

/** ajv is loaded only to compile: a process whose validators are all cached never loads it (start-up, issue 19). */
function newAjv(options: Options): import('ajv').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return new (require('ajv') as typeof import('ajv')).default(options);
}

let version: string | undefined;

function ajvVersion(): string {
  version ??= (JSON.parse(readFileSync(require.resolve('ajv/package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** Under the package's own node_modules, so the cached modules resolve `ajv/dist/runtime/...` like the package. */
function cacheDir(): string {
  return packagePath('node_modules', '.cache', 'hil-validators');
}
