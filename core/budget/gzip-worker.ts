import { Worker } from 'node:worker_threads';
import type { RecordTransform } from './record-format';

/**
 * Compression off the main thread for evidence files. A virtual-time run keeps the main thread busy and never turns
 * the event loop, so the worker is driven by messages and shared memory only: the main thread posts a chunk (its
 * buffer transferred, not copied), the worker compresses it (gzip level 1, one member) and writes it to the file
 * descriptor itself, then lowers the stream's in-flight count and adds the bytes written. The main thread waits
 * (Atomics.wait) while a stream has `MAX_IN_FLIGHT` chunks queued, so memory stays bounded even when the worker falls
 * behind. One worker serves every stream of the process, in order (chunks of one file are written in sequence).
 *
 * Record streams (`record-stream.ts`, the CAN traces and Modbus transaction logs, compressed or plain) hand over less
 * and leave more to the worker: the main thread fills fixed-layout binary records into slots of a SharedArrayBuffer
 * and posts only `{ slot, len }`; the worker formats them (the stream's formatter, which the worker loads with
 * `require` from its module path and export name, once per module) into 256 kB chunks, compresses them (`.gz`) and
 * writes them, and frees the slot. No per-frame strings, no
 * per-chunk buffers on the main thread.
 *
 * Modules the worker loads are the product's own files: `.js` in the built product (`dist/`), loaded by Node as they
 * are. Where the product runs from its TypeScript sources (jest with ts-jest: no `.js` files exist), a module path
 * ends in `.ts`; for those, and only then, the worker registers a `.ts` loader that compiles each file with
 * `typescript.transpileModule` (the devDependency, resolved from the first `.ts` module's folder: the chunk writer's, in the project;
 * types are dropped, not checked: `tsc` checks the sources). Coverage instrumentation never reaches the worker: it runs the plain sources.
 */

/** The chunk writer both threads use, loaded by the worker by path (`.ts` under ts-jest, `.js` in `dist/`). */
const CHUNK_OUT_MODULE = require.resolve('./chunk-out');

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
const { readFileSync, writeSync } = require('node:fs');
const Module = require('node:module');
const factories = new Map();
const records = new Map();
let createChunkOut;
function load(path) {
  if (path.endsWith('.ts') && !Module._extensions['.ts']) {
    const ts = Module.createRequire(path)('typescript');
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: false };
    Module._extensions['.ts'] = (module, filename) => {
      module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions }).outputText, filename);
    };
  }
  return require(path);
}
function factoryOf(modulePath, name) {
  const key = modulePath + '#' + name;
  let factory = factories.get(key);
  if (!factory) {
    let exported;
    try {
      exported = load(modulePath)[name];
    } catch (err) {
      throw new Error('cannot load the formatter ' + name + ' from ' + modulePath + ': ' + String((err && err.message) || err));
    }
    if (typeof exported !== 'function') throw new Error(modulePath + ' exports no formatter ' + name);
    factory = exported;
    factories.set(key, factory);
  }
  return factory;
}
function failed(r, err) {
  Atomics.store(r.state, 2, 1);
  parentPort.postMessage({ type: 'error', id: r.id, message: String((err && err.message) || err) });
}
parentPort.on('message', (m) => {
  if (m.type === 'records') {
    const r = records.get(m.id);
    const st = r.state;
    if (Atomics.load(st, 2) === 0) {
      const start = m.slot * r.slotBytes;
      try {
        r.format(r.u8, r.f64, r.u32, start, start + m.len, r.out);
      } catch (err) {
        failed(r, err);
      }
    }
    Atomics.sub(st, 0, 1);
    Atomics.notify(st, 0);
  } else if (m.type === 'open') {
    const st = m.state;
    const r = { id: m.id, state: st, slotBytes: m.slotBytes, u8: new Uint8Array(m.shared), f64: new Float64Array(m.shared), u32: new Uint32Array(m.shared) };
    try {
      createChunkOut ??= load(m.chunkOut).createChunkOut;
      r.out = createChunkOut(m.fd, m.compress, m.chunkBytes, (n) => Atomics.add(st, 1, n));
      r.format = factoryOf(m.module, m.name)(m.params);
    } catch (err) {
      failed(r, err);
    }
    records.set(m.id, r);
  } else if (m.type === 'raw') {
    const r = records.get(m.id);
    if (Atomics.load(r.state, 2) === 0) {
      try {
        r.out.room(m.bytes.length);
        r.out.buf.set(m.bytes, r.out.len);
        r.out.len += m.bytes.length;
      } catch (err) {
        failed(r, err);
      }
    }
  } else if (m.type === 'end') {
    const r = records.get(m.id);
    records.delete(m.id);
    // What was formatted is written even after a formatter failure (a write failure fails again, quietly).
    try {
      if (r.out) r.out.flush();
    } catch (err) {
      if (Atomics.load(r.state, 2) === 0) failed(r, err);
    }
    parentPort.postMessage({ type: 'synced', id: m.id });
  } else if (m.type === 'chunk') {
    const st = m.state;
    try {
      if (Atomics.load(st, 2) === 0) {
        const out = gzipSync(new Uint8Array(m.buf, 0, m.len), { level: 1, memLevel: 9 });
        let off = 0;
        while (off < out.length) off += writeSync(m.fd, out, off, out.length - off);
        Atomics.add(st, 1, out.length);
      }
    } catch (err) {
      Atomics.store(st, 2, 1);
      parentPort.postMessage({ type: 'error', id: m.id, message: String(err && err.message || err) });
    }
    Atomics.sub(st, 0, 1);
    Atomics.notify(st, 0);
  } else if (m.type === 'sync') {
    parentPort.postMessage({ type: 'synced', id: m.id });
  }
});
`;

/** Chunks a stream may have queued before `post` waits. */
export const MAX_IN_FLIGHT = 4;

/** State shared with the worker, per stream: [0] chunks in flight, [1] compressed bytes written, [2] failed. */
export type StreamState = Int32Array;

interface Pending {
  resolve: () => void;
  onError: (message: string) => void;
  /** The stream's shared state ([2] failed is set when its worker is abandoned). */
  state: StreamState;
}

let worker: Worker | undefined;
let failedToStart = false;
/** Seconds without progress after which the worker is declared stuck ({@link setWorkerStallSeconds}). */
let stallSeconds = 60;
const streams = new Map<number, Pending>();
let nextId = 1;
let draining = 0;

function getWorker(): Worker | undefined {
  if (worker || failedToStart) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { type: string; id: number; message?: string }) => {
      const s = streams.get(m.id);
      if (!s) return;
      if (m.type === 'error') s.onError(m.message ?? 'write failed');
      else if (m.type === 'synced') s.resolve();
    });
    const died = (why: string): void => {
      failedToStart = true;
      worker = undefined;
      // Nothing more will be written: every stream still open hears why, and its close() settles.
      for (const s of streams.values()) {
        s.onError(why);
        s.resolve();
      }
    };
    worker.on('error', (err) => died(`compression worker failed: ${err.message}`));
    worker.on('exit', (code) => died(`compression worker exited (code ${code})`));
  } catch {
    failedToStart = true;
  }
  return worker;
}

/**
 * Give up on a worker that stopped answering (a formatter that never returns, a write that blocks: it cannot say so
 * itself while it is stuck). Every stream open on it hears `why` and settles, so `close()` returns and the run goes
 * on; its files end where the worker stopped. The thread is terminated, and the next stream starts a new worker.
 */
function abandonWorker(why: string): void {
  const w = worker;
  if (!w) return;
  worker = undefined;
  draining = 0;
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  w.on('error', () => undefined);
  void w.terminate();
  for (const s of [...streams.values()]) {
    Atomics.store(s.state, 2, 1);
    Atomics.notify(s.state, 0); // a stream waiting for a slot sees the failure at once
    s.onError(why);
    s.resolve();
  }
  streams.clear();
}

/**
 * How long a stream waits on the worker without progress before it declares the worker stuck (default 60 s): a
 * batch slot that does not come free, an end or drain that is not answered. For tests of that path.
 */
export function setWorkerStallSeconds(seconds: number): void {
  stallSeconds = seconds;
}

/**
 * Wait (this thread blocked) until a stream has fewer than `limit` items in flight; false when it failed meanwhile
 * or before. A worker that takes no item for the stall time is stuck (it cannot say so while this thread waits): it
 * is abandoned ({@link abandonWorker}), which fails the stream.
 */
function waitForRoom(state: StreamState, limit: number, item: 'chunk' | 'batch'): boolean {
  const waitMs = Math.min(1000, stallSeconds * 1000);
  for (let stalled = 0; ; ) {
    if (Atomics.load(state, 2) !== 0) return false;
    const inFlight = Atomics.load(state, 0);
    if (inFlight < limit) return true;
    if (Atomics.wait(state, 0, inFlight, waitMs) !== 'timed-out') stalled = 0;
    else if (++stalled * waitMs >= stallSeconds * 1000) {
      abandonWorker(`the compression worker took no ${item} for ${stallSeconds} s: it is stuck (a formatter that does not return, a write that blocks?); the file ends where it stopped`);
      return false;
    }
  }
}

/**
 * Post `message` and wait for the worker's answer (`onAnswer` receives the resolver the stream's answer calls), the
 * worker referenced meanwhile so the process waits for it; a worker that has not answered within the stall time is
 * declared stuck ({@link abandonWorker}, which settles the wait).
 */
function askWorker(w: Worker, message: { type: 'sync' | 'end'; id: number }, what: string, onAnswer: (resolve: () => void) => void): Promise<void> {
  if (w !== worker) return Promise.resolve(); // abandoned: its streams have settled
  const timer = setTimeout(() => abandonWorker(`the compression worker did not ${what} within ${stallSeconds} s: it is stuck (a write that does not return?); the file ends where it stopped`), stallSeconds * 1000);
  return new Promise<void>((resolve) => {
    onAnswer(resolve);
    if (draining++ === 0) w.ref();
    w.postMessage(message);
  }).finally(() => {
    clearTimeout(timer);
    // An abandoned worker's count was reset with it (abandonWorker): only the current one's asks count down.
    if (worker === w && --draining === 0) w.unref();
  });
}

/** A stream's connection to the compression worker, or undefined when no worker can run (then compress inline). */
export interface CompressionChannel {
  state: StreamState;
  /** Queue a chunk (its buffer is transferred: the caller must not touch it again). Waits while the queue is full. */
  post(buf: Buffer, len: number): void;
  /** Resolves when every chunk posted so far is written (or failed). */
  drain(): Promise<void>;
  /** Forget the stream. */
  release(): void;
}

export function openCompressionChannel(fd: number, onError: (message: string) => void): CompressionChannel | undefined {
  const w = getWorker();
  if (!w) return undefined;
  const id = nextId++;
  const state = new Int32Array(new SharedArrayBuffer(12));
  let resolveDrain: (() => void) | undefined;
  streams.set(id, { resolve: () => resolveDrain?.(), onError, state });
  return {
    state,
    post(buf, len) {
      if (!waitForRoom(state, MAX_IN_FLIGHT, 'chunk')) return; // failed or abandoned: nothing more is written
      Atomics.add(state, 0, 1);
      const ab = buf.buffer.byteLength === buf.length && buf.byteOffset === 0 ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + len);
      w.postMessage({ type: 'chunk', id, fd, buf: ab, len, state }, [ab as ArrayBuffer]);
    },
    drain() {
      if (!streams.has(id)) return Promise.resolve(); // its worker was abandoned: nothing more will be written
      return askWorker(w, { type: 'sync', id }, 'finish writing', (resolve) => (resolveDrain = resolve));
    },
    release() {
      streams.delete(id);
    },
  };
}

/** A record stream's connection to the compression worker (see `record-stream.ts`). */
export interface RecordChannel {
  /** [0] batches in flight, [1] bytes written to the file, [2] failed. */
  state: StreamState;
  /**
   * Hand the batch of records in slot `slot` (its first `len` bytes) to the worker, then wait until at most
   * `slots - 1` batches are in flight, so the next slot in turn is free to fill.
   */
  post(slot: number, len: number): void;
  /** Bytes to copy to the output as they are (a copy is posted), after the batches posted so far. */
  raw(bytes: Uint8Array): void;
  /** Write what the worker still gathers and forget the stream; resolves when done (or failed). */
  end(): Promise<void>;
}

/**
 * Open a record stream in the worker: the worker formats each posted batch with the formatter `formatter.name` of
 * `formatter.module` (required once per module; a module or export that cannot be loaded fails the stream with the
 * reason) into chunks of `chunkBytes` (one gzip member each when `compress`) written to `fd`. Undefined when no
 * worker can run (then the caller formats inline).
 */
export function openRecordChannel<P>(
  fd: number,
  shared: SharedArrayBuffer,
  slotBytes: number,
  formatter: RecordTransform<P>,
  compress: boolean,
  onError: (message: string) => void,
  chunkBytes = 256 * 1024,
): RecordChannel | undefined {
  const w = getWorker();
  if (!w) return undefined;
  const id = nextId++;
  const state = new Int32Array(new SharedArrayBuffer(12));
  const slots = shared.byteLength / slotBytes;
  let resolveEnd: (() => void) | undefined;
  let ended = false;
  streams.set(id, {
    resolve: () => {
      ended = true;
      resolveEnd?.();
    },
    onError,
    state,
  });
  w.postMessage({ type: 'open', id, fd, shared, slotBytes, chunkBytes, compress, state, chunkOut: CHUNK_OUT_MODULE, module: formatter.module, name: formatter.name, params: formatter.params });
  return {
    state,
    post(slot, len) {
      Atomics.add(state, 0, 1);
      w.postMessage({ type: 'records', id, slot, len });
      waitForRoom(state, slots, 'batch');
    },
    raw(bytes) {
      w.postMessage({ type: 'raw', id, bytes: Uint8Array.from(bytes) });
    },
    end() {
      if (ended || !streams.has(id)) {
        streams.delete(id);
        return Promise.resolve();
      }
      return askWorker(w, { type: 'end', id }, 'finish the file', (resolve) => (resolveEnd = resolve)).finally(() => streams.delete(id));
    },
  };
}
