import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';

// Jest runs modules through its own registry, not Node's CommonJS loader that the cache patches: each case runs
// real Node processes on this file's source (transpiled here, so the test always sees the current code).
describe('enableCompileCache', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'hil-compile-cache-'));
    const source = readFileSync(join(__dirname, 'compile-cache.ts'), 'utf8');
    const js = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    writeFileSync(join(work, 'compile-cache.js'), js);
  });
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  function writeModule(name: string, body: string): string {
    const file = join(work, name);
    writeFileSync(file, body);
    return file;
  }

  /** One process: enable the cache, require `file`, call `call` on its exports if given; what it saw. */
  function runProcess(file: string, opts: { call?: string; env?: Record<string, string>; maxEntries?: number } = {}): { enabled: boolean; hits: number; misses: number; exports: Record<string, unknown>; thrown?: string } {
    const driver = `
      const { enableCompileCache } = require(${JSON.stringify(join(work, 'compile-cache.js'))});
      const cache = enableCompileCache(${JSON.stringify(join(work, 'cache'))}${opts.maxEntries ? `, { maxEntries: ${opts.maxEntries} }` : ''});
      const exports = require(${JSON.stringify(file)});
      let thrown;
      ${opts.call ? `try { exports.${opts.call}(); } catch (err) { thrown = err.stack; }` : ''}
      Promise.resolve(exports.later && exports.later()).then((later) => {
        process.stdout.write(JSON.stringify({ enabled: !!cache, hits: cache ? cache.hits : 0, misses: cache ? cache.misses : 0, exports: { ...exports, later }, thrown }));
      });
    `;
    const r = spawnSync(process.execPath, ['-e', driver], { encoding: 'utf8', env: { ...process.env, HIL_COMPILE_CACHE: '', ...opts.env } });
    if (r.status !== 0) throw new Error(`driver exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as ReturnType<typeof runProcess>;
  }

  const cacheFiles = (): string[] => readdirSync(join(work, 'cache')).filter((f) => !f.endsWith('.tmp'));

  /** The file names the cache file has entries for (its JSON header: see readCacheFile). */
  function entryNames(): string[] {
    const buf = readFileSync(join(work, 'cache', cacheFiles()[0]!));
    const header = JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString('utf8')) as { entries: Array<[string]> };
    return header.entries.map(([name]) => name.slice(work.length + 1)).sort();
  }

  it('compiles without entries first, from the cache written at exit next time, and the module runs the same', () => {
    const dep = writeModule('dep.js', 'exports.twice = (x) => 2 * x;\n');
    const mod = writeModule('mod.js', "const { twice } = require('./dep');\nexports.value = twice(21);\nexports.where = __filename;\nexports.resolved = require.resolve('./dep');\n");
    const first = runProcess(mod);
    expect(first).toMatchObject({ enabled: true, hits: 0, misses: 2 });
    expect(first.exports).toMatchObject({ value: 42, where: mod, resolved: dep });
    expect(cacheFiles()).toHaveLength(1);
    const written = statSync(join(work, 'cache', cacheFiles()[0]!)).mtimeMs;

    const second = runProcess(mod);
    expect(second).toMatchObject({ enabled: true, hits: 2, misses: 0 });
    expect(second.exports).toEqual(first.exports);
    expect(statSync(join(work, 'cache', cacheFiles()[0]!)).mtimeMs).toBe(written); // nothing new: not rewritten
  });

  it('does not use an entry for changed content of the same length', () => {
    const mod = writeModule('same-length.js', 'exports.n = 1;\n');
    expect(runProcess(mod).exports).toEqual({ n: 1 });
    expect(runProcess(mod)).toMatchObject({ hits: 1, misses: 0 });
    writeModule('same-length.js', 'exports.n = 2;\n');
    expect(runProcess(mod)).toMatchObject({ hits: 0, misses: 1, exports: { n: 2 } });
  });

  it('keeps file names and line numbers in stack traces of cached modules', () => {
    const mod = writeModule('throws.js', '\n\nexports.fail = () => {\n  throw new Error("boom");\n};\n');
    const first = runProcess(mod, { call: 'fail' });
    const second = runProcess(mod, { call: 'fail' });
    expect(second.hits).toBe(1);
    expect(first.thrown).toContain(`${mod}:4:9`);
    expect(second.thrown).toContain(`${mod}:4:9`);
  });

  it("leaves files with a '#!' line or a dynamic import to Node's loader", () => {
    const mod = writeModule('dynamic.js', "exports.ok = require('./shebang').ok;\nexports.later = () => import('node:os').then((os) => os.platform());\n");
    writeModule('shebang.js', '#!/usr/bin/env node\nexports.ok = true;\n');
    const r = runProcess(mod);
    expect(r).toMatchObject({ hits: 0, misses: 0, exports: { ok: true, later: process.platform } });
  });

  it("leaves ES module syntax and syntax errors to Node's loader", () => {
    // Node 20.19 on loads a .js file written as an ES module through require (syntax detection): so must the cache.
    const esm = writeModule('esm.js', 'export const x = 1;\n');
    expect(runProcess(esm)).toMatchObject({ hits: 0, misses: 0, exports: { x: 1 } });
    const broken = writeModule('broken.js', 'exports.a = ;\n');
    expect(() => runProcess(broken)).toThrow(/broken\.js:1[\s\S]*SyntaxError: Unexpected token ';'/);
  });

  it('ignores a damaged cache file and replaces it', () => {
    const mod = writeModule('m.js', 'exports.k = "v";\n');
    runProcess(mod);
    const file = join(work, 'cache', cacheFiles()[0]!);
    writeFileSync(file, Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    expect(runProcess(mod)).toMatchObject({ hits: 0, misses: 1, exports: { k: 'v' } });
    expect(runProcess(mod)).toMatchObject({ hits: 1, misses: 0 });
  });

  it('is off where no cache file is and none can be written', () => {
    const mod = writeModule('nowhere.js', 'exports.y = 2;\n');
    writeModule('cache', 'a file where the cache directory would be\n');
    expect(runProcess(mod)).toMatchObject({ enabled: false, exports: { y: 2 } });
  });

  it('drops the entries of files that no longer exist when it writes, and keeps those of files it did not load', () => {
    const a = writeModule('a.js', "exports.b = require('./b').v;\n");
    writeModule('b.js', 'exports.v = 1;\n');
    runProcess(a);
    expect(entryNames()).toEqual(['a.js', 'b.js']);
    rmSync(join(work, 'b.js'));
    writeModule('a.js', "exports.c = require('./c').v;\n");
    writeModule('c.js', 'exports.v = 2;\n');
    expect(runProcess(a)).toMatchObject({ misses: 2, exports: { c: 2 } });
    expect(entryNames()).toEqual(['a.js', 'c.js']); // b.js is gone: so is its entry
    const d = writeModule('d.js', 'exports.d = 4;\n');
    expect(runProcess(d)).toMatchObject({ misses: 1 });
    expect(entryNames()).toEqual(['a.js', 'c.js', 'd.js']); // not loaded, still there: kept
  });

  it('keeps at most maxEntries: the ones loaded by the writing process, then the most recently loaded', () => {
    for (const n of [1, 2, 3]) writeModule(`x${n}.js`, `exports.n = ${n};\n`);
    runProcess(join(work, 'x1.js'), { maxEntries: 2 });
    runProcess(join(work, 'x2.js'), { maxEntries: 2 });
    expect(entryNames()).toEqual(['x1.js', 'x2.js']);
    runProcess(join(work, 'x3.js'), { maxEntries: 2 });
    expect(entryNames()).toEqual(['x2.js', 'x3.js']); // x1 was the least recently loaded
    expect(runProcess(join(work, 'x2.js'), { maxEntries: 2 })).toMatchObject({ hits: 1, misses: 0 });
  });

  it('is off with --inspect or --enable-source-maps in NODE_OPTIONS, as on the command line; other options leave it on', () => {
    const mod = writeModule('opts.js', 'exports.z = 3;\n');
    expect(runProcess(mod, { env: { NODE_OPTIONS: '--max-old-space-size=512' } })).toMatchObject({ enabled: true, exports: { z: 3 } });
    expect(runProcess(mod, { env: { NODE_OPTIONS: '--max-old-space-size=512 --inspect=127.0.0.1:0' } })).toMatchObject({ enabled: false, exports: { z: 3 } });
    expect(runProcess(mod, { env: { NODE_OPTIONS: '--enable-source-maps' } })).toMatchObject({ enabled: false, exports: { z: 3 } });
  });

  it('is off with HIL_COMPILE_CACHE=off, and writes nothing', () => {
    const mod = writeModule('off.js', 'exports.x = 1;\n');
    expect(runProcess(mod, { env: { HIL_COMPILE_CACHE: 'off' } })).toMatchObject({ enabled: false, exports: { x: 1 } });
    mkdirSync(join(work, 'cache'), { recursive: true });
    expect(cacheFiles()).toEqual([]);
  });
});
