import { Worker } from 'node:worker_threads';

/**
 * Compression off the main thread for evidence files. A virtual-time run keeps the main thread busy and never turns
 * the event loop, so the worker is driven by messages and shared memory only: the main thread posts a chunk (its
 * buffer transferred, not copied), the worker compresses it (gzip level 1, one member) and writes it to the file
 * descriptor itself, then lowers the stream's in-flight count and adds the bytes written. The main thread waits
 * (Atomics.wait) while a stream has `MAX_IN_FLIGHT` chunks queued, so memory stays bounded even when the worker falls
 * behind. One worker serves every stream of the process, in order (chunks of one file are written in sequence).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
const { writeSync } = require('node:fs');
parentPort.on('message', (m) => {
  if (m.type === 'chunk') {
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
}

let worker: Worker | undefined;
let failedToStart = false;
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
    worker.on('error', () => {
      failedToStart = true;
      worker = undefined;
    });
  } catch {
    failedToStart = true;
  }
  return worker;
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
  streams.set(id, { resolve: () => resolveDrain?.(), onError });
  return {
    state,
    post(buf, len) {
      for (;;) {
        const inFlight = Atomics.load(state, 0);
        if (inFlight < MAX_IN_FLIGHT) break;
        Atomics.wait(state, 0, inFlight, 1000);
      }
      Atomics.add(state, 0, 1);
      const ab = buf.buffer.byteLength === buf.length && buf.byteOffset === 0 ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + len);
      w.postMessage({ type: 'chunk', id, fd, buf: ab, len, state }, [ab as ArrayBuffer]);
    },
    drain() {
      return new Promise<void>((resolve) => {
        resolveDrain = resolve;
        if (draining++ === 0) w.ref();
        w.postMessage({ type: 'sync', id });
      }).finally(() => {
        if (--draining === 0) w.unref();
      });
    },
    release() {
      streams.delete(id);
    },
  };
}
