import type { ChunkOut } from './chunk-out';

/** Byte 12 of a record with this bit: raw bytes (length in the u32 at byte 8, bytes from byte 16), copied as they are. */
export const RAW_RECORD = 0x80;

/**
 * Turns records into file bytes: called with the records between `start` and `end` (byte offsets in the views, each
 * record 8-byte aligned) and the output. State kept between calls (per stream) lives in the closure.
 */
export type RecordFormatter = (u8: Uint8Array, f64: Float64Array, u32: Uint32Array, start: number, end: number, out: ChunkOut) => void;

/**
 * How a stream's records become bytes: the export `name` of the module at `module` is a factory, and
 * `factory(params)` gives the stream's formatter. The compression worker loads it with `require` (this thread too,
 * where it formats inline), so a formatter is ordinary module code (it may use the module's imports and constants);
 * `module` is the absolute path of the module, written as its own `__filename` (`.js` in `dist/`, `.ts` under
 * ts-jest: `gzip-worker.ts` says how the worker loads those); `params` must survive structured cloning. Raw records
 * ({@link RAW_RECORD}) must be copied through with `out.room(n)` first.
 */
export interface RecordTransform<P> {
  /** Absolute path of the module (its `__filename`). */
  module: string;
  /** The export: a factory `(params) => formatter`. */
  name: string;
  /** Passed to the factory. */
  params: P;
}

/**
 * Copy the raw record at byte offset `o` (flags {@link RAW_RECORD}) to `out` as it is; returns the offset of the
 * next record (raw bytes are padded to 8).
 */
export function copyRawRecord(u8: Uint8Array, u32: Uint32Array, o: number, out: ChunkOut): number {
  const n = u32[(o >> 2) + 2]!;
  out.room(n);
  out.buf.set(u8.subarray(o + 16, o + 16 + n), out.len);
  out.len += n;
  return o + 16 + ((n + 7) & ~7);
}
