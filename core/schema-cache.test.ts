import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { compileSchemaCached } from './schema-cache';
import { packagePath } from './package-root';

describe('compileSchemaCached', () => {
  const dir = packagePath('node_modules', '.cache', 'hil-validators');
  // A schema no other test uses (its description is unique to this run), so this test sees its own cache entry.
  const schema = {
    description: `schema-cache test ${process.pid} ${Date.now()}`,
    type: 'object',
    additionalProperties: false,
    required: ['a'],
    properties: { a: { type: 'integer', minimum: 1 }, b: { enum: ['x', 'y'] } },
  };
  const options = { allErrors: true, verbose: true, validateSchema: false } as const;
  const before = existsSync(dir) ? new Set(readdirSync(dir)) : new Set<string>();
  const newFiles = (): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => !before.has(f)) : []);
  afterAll(() => {
    for (const f of newFiles()) rmSync(join(dir, f), { force: true });
  });

  it('writes the validator once, then loads it, and both validate exactly as a fresh ajv compile does', () => {
    const first = compileSchemaCached(schema, options);
    const written = newFiles().filter((f) => f.endsWith('.js'));
    expect(written).toHaveLength(1);
    const mtime = statSync(join(dir, written[0]!)).mtimeMs;
    const second = compileSchemaCached(schema, options);
    expect(second).not.toBe(first); // the second came from the file, not from this process's compile
    expect(statSync(join(dir, written[0]!)).mtimeMs).toBe(mtime); // and the file was not rewritten
    const reference = new Ajv(options).compile(schema);
    for (const value of [{ a: 2 }, { a: 0, b: 'z', c: 1 }, {}, 'text', { a: 1.5, b: 'y' }]) {
      const want = reference(value);
      expect([first(value), second(value)]).toEqual([want, want]);
      const strip = (errs: typeof reference.errors): unknown =>
        (errs ?? []).map((e) => ({ path: e.instancePath, keyword: e.keyword, params: e.params, message: e.message, parentSchema: e.parentSchema }));
      expect(strip(first.errors)).toEqual(strip(reference.errors));
      expect(strip(second.errors)).toEqual(strip(reference.errors));
    }
  });

  it('HIL_SCHEMA_CACHE=off compiles in memory and writes nothing', () => {
    const other = { ...schema, description: `${schema.description} off` };
    process.env.HIL_SCHEMA_CACHE = 'off';
    try {
      const count = newFiles().length;
      const v = compileSchemaCached(other, options);
      expect(v({ a: 1 })).toBe(true);
      expect(newFiles()).toHaveLength(count);
    } finally {
      delete process.env.HIL_SCHEMA_CACHE;
    }
  });
});
