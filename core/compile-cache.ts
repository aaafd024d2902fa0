import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * A V8 code cache for the CommonJS modules a process loads (issue 19: `hil run` start-up). Node 20 has no
 * `module.enableCompileCache` (Node 22.1), so without this every process parses and compiles every module again,
 * and compiles each function again the first time it runs. With it, a process compiles each module from the code
 * V8 cached for it when a former process compiled it (taken before the module ran: V8's eager compilation).
 *
 * Why not the npm `v8-compile-cache` (2.4.0): on Node 20 it asks V8 for new cache data at every compile, also when the
 * cache was accepted, so every process serialises every module again and rewrites the whole cache at exit: measured,
 * no faster than no cache at all (docs/performance.md).
 *
 * Contract:
 * - A module compiled here runs as Node's own loader runs it when `Module.wrap` is patched: the same `Module.wrap`
 *   wrapper, file name and line numbers in stack traces (columns on a file's first line are shifted by the wrapper,
 *   as there), a `require` with `resolve`, `resolve.paths`, `main`, `cache` and `extensions`. Files it would not
 *   compile the same way (a `#!` line, a dynamic `import(`, which a `vm.Script` cannot serve, ES module syntax, a
 *   syntax error) go to Node's loader.
 * - A cache entry is used only for the same file name and the same content (SHA-1), on the same Node version, V8
 *   version and architecture; V8 rejects what its flags do not match, and that module is compiled afresh.
 * - The cache file is written at exit only when some module was compiled without a usable entry, aside and renamed
 *   (a concurrent process reads the old or the new file, never half of one). Anything going wrong with the cache is
 *   ignored: the cache only ever saves time.
 * - The file stays bounded: a write drops the entries of files that no longer exist (it checks only the entries this
 *   process did not load: they exist), and keeps at most `MAX_ENTRIES`, the ones this process loaded first, then
 *   the most recently loaded.
 * - Not enabled under the inspector or `--enable-source-maps` (Node's own loader does their bookkeeping), on the
 *   command line or in `NODE_OPTIONS`, with `HIL_COMPILE_CACHE=off`, nor where there is no cache file and none could
 *   be written.
 */
export interface CompileCache {
  /** The cache file. */
  readonly file: string;
  /** Modules compiled from a cache entry so far. */
  readonly hits: number;
  /** Modules compiled without one (none yet, changed, or rejected by V8). */
  readonly misses: number;
  /** Write the cache now if anything was compiled without an entry; whether it wrote. The exit handler calls it. */
  save(): boolean;
  /** Stop compiling through the cache (Node's loader again) and drop the exit handler; nothing is written. */
  disable(): void;
}

/** What this file uses of Node's CommonJS loader, which its types do not declare. */
interface CjsModule {
  exports: unknown;
  require(id: string): unknown;
}
interface CjsLoader {
  prototype: { _compile(this: CjsModule, content: string, filename: string, format?: string): unknown };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: CjsModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/** Entries a cache file keeps at most (`hil run` loads about 600 modules; a worktree's tests and scripts more). */
export const MAX_ENTRIES = 4096;

/** Node options under which Node's own loader must compile (see the contract). */
const NODE_LOADER_FLAGS = /^--(inspect|enable-source-maps|experimental-policy)/;

/** Whether the process runs with one of {@link NODE_LOADER_FLAGS}: on its command line or in `NODE_OPTIONS`. */
function nodeLoaderNeeded(): boolean {
  if (process.execArgv.some((a) => NODE_LOADER_FLAGS.test(a))) return true;
  const options = process.env.NODE_OPTIONS;
  // NODE_OPTIONS is split on spaces (quoted values aside); a flag always starts a word.
  return options !== undefined && options.split(/\s+/).some((a) => NODE_LOADER_FLAGS.test(a.replace(/^["']/, '')));
}

/** A cache entry: the module's content hash, V8's data, and when a process that loaded it last wrote the file (ms). */
interface Entry {
  hash: string;
  data: Buffer;
  used: number;
}

/** One cache file per Node, V8 and architecture: entries of another never meet this process. */
function cacheKey(): string {
  return `${process.version}-v8-${process.versions.v8}-${process.arch}`;
}

let active: CompileCache | undefined;

/**
 * Compile the modules loaded from now on through the cache file under `dir` (created on the first write). Returns
 * the handle, or undefined when not enabled (see the contract above). Enabling twice returns the first handle.
 * `options.maxEntries` (default {@link MAX_ENTRIES}) bounds the file.
 */
export function enableCompileCache(dir: string, options: { maxEntries?: number } = {}): CompileCache | undefined {
  if (active) return active;
  if (process.env.HIL_COMPILE_CACHE === 'off') return undefined;
  if (nodeLoaderNeeded()) return undefined;
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return undefined;
  const loader = Module as unknown as CjsLoader;
  const file = join(dir, `${cacheKey()}.bin`);
  const stored = readCacheFile(file);
  // Where no cache can ever be written (a read-only install), taking cache data would cost every run (about 16 ms of
  // CPU for `hil run`'s modules) for nothing: not enabled.
  if (stored.size === 0 && !canCreate(dir)) return undefined;
  const fresh = new Map<string, Entry>();
  /** Files this process compiled through the cache (from an entry or not): they exist. */
  const loaded = new Set<string>();
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const original = loader.prototype._compile;
  let hits = 0;
  let misses = 0;

  loader.prototype._compile = function compileThroughCache(this: CjsModule, content: string, filename: string, format?: string): unknown {
    if (format === 'module' || content.startsWith('#!') || content.includes('import(')) return original.call(this, content, filename, format);
    const hash = createHash('sha1').update(content).digest('base64');
    const entry = stored.get(filename);
    const cachedData = entry?.hash === hash ? entry.data : undefined;
    let script: Script;
    try {
      script = new Script(loader.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    } catch {
      // Not CommonJS as written (ES module syntax Node may detect, or a real syntax error): Node's loader decides
      // and reports it in its own words.
      return original.call(this, content, filename, format);
    }
    loaded.add(filename);
    if (cachedData && !script.cachedDataRejected) hits++;
    else {
      // Taken now, before the module runs: the top level and what V8 compiled eagerly. Taken after running, the
      // data holds every function that ran, and measured slower to load than no cache at all (docs/performance.md).
      misses++;
      fresh.set(filename, { hash, data: script.createCachedData(), used: 0 });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(loader, this), this, filename, dirname(filename));
  };

  const onExit = (): void => {
    handle.save();
  };
  const handle: CompileCache = {
    file,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    save() {
      if (misses === 0) return false;
      try {
        const entries = keptEntries(stored, fresh, loaded, maxEntries, Date.now());
        writeCacheFile(file, entries);
        stored.clear();
        for (const [k, v] of entries) stored.set(k, v);
        fresh.clear();
        misses = 0;
        return true;
      } catch {
        return false; // a read-only install, a full disk: next time compiles as without the cache
      }
    },
    disable() {
      loader.prototype._compile = original;
      process.removeListener('exit', onExit);
      active = undefined;
    },
  };
  process.once('exit', onExit);
  active = handle;
  return handle;
}

/**
 * What a write keeps: the stored entries and the fresh ones (these win), without files that no longer exist (only
 * the entries this process did not load are checked), at most `max`: those loaded now first, then the most recently
 * used. Entries loaded now are stamped `now`.
 */
function keptEntries(stored: ReadonlyMap<string, Entry>, fresh: ReadonlyMap<string, Entry>, loaded: ReadonlySet<string>, max: number, now: number): Map<string, Entry> {
  const all = new Map<string, Entry>();
  for (const [name, entry] of stored) {
    if (loaded.has(name)) all.set(name, { ...entry, used: now });
    else if (existsSync(name)) all.set(name, entry);
  }
  for (const [name, entry] of fresh) all.set(name, { ...entry, used: now });
  if (all.size <= max) return all;
  return new Map([...all].sort(([, a], [, b]) => b.used - a.used).slice(0, max));
}

/** The program's entry module, as every module's `require.main` sees it. */
const mainModule = require.main;

/** The `require` Node gives a module (lib/internal/modules/helpers.js makeRequireFunction, as documented). */
function requireFor(loader: CjsLoader, mod: CjsModule): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => loader._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => loader._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = mainModule;
  require.extensions = loader._extensions as NodeJS.RequireExtensions;
  require.cache = loader._cache as NodeJS.Dict<NodeModule>;
  return require;
}

/** Whether `dir` is, or could be created as, a directory this process may write in. */
function canCreate(dir: string): boolean {
  for (let d = dir; ; ) {
    try {
      accessSync(d, constants.W_OK);
      return statSync(d).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
      const up = dirname(d);
      if (up === d) return false;
      d = up;
    }
  }
}

/**
 * File layout: a 4-byte little-endian length, that many bytes of JSON `{ key, entries: [[file, sha1, offset,
 * length, used], ...] }` (`used` ms, 0 when absent: files written before it was kept), then the cache data the
 * offsets point into. Unreadable, damaged or another key: no entries.
 */
function readCacheFile(file: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  try {
    const buf = readFileSync(file);
    const headerLength = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as { key: string; entries: Array<[string, string, number, number, number?]> };
    if (header.key !== cacheKey()) return out;
    const base = 4 + headerLength;
    for (const [filename, hash, offset, length, used] of header.entries) {
      if (base + offset + length > buf.length) return new Map();
      out.set(filename, { hash, data: buf.subarray(base + offset, base + offset + length), used: used ?? 0 });
    }
  } catch {
    /* no cache yet, or not ours: start empty */
  }
  return out;
}

function writeCacheFile(file: string, entries: ReadonlyMap<string, Entry>): void {
  const rows: Array<[string, string, number, number, number]> = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [filename, { hash, data, used }] of entries) {
    rows.push([filename, hash, offset, data.length, used]);
    parts.push(data);
    offset += data.length;
  }
  const header = Buffer.from(JSON.stringify({ key: cacheKey(), entries: rows }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([length, header, ...parts]));
  renameSync(tmp, file);
}
