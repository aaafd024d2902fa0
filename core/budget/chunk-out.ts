import { writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/**
 * What a record transform writes its output through: bytes are gathered in `buf` (up to `len`), and `room(n)`
 * makes room for `n` more by writing the gathered chunk out first (one gzip member when compressed) when they would
 * not fit. The chunk boundaries are thus the same whoever formats (main thread or compression worker), and so are
 * the files' bytes.
 */
export interface ChunkOut {
  buf: Uint8Array;
  len: number;
  /** Make room for `n` more bytes at `len` (`buf` may be replaced). Throws when writing the file fails. */
  room(n: number): void;
  /** Write what is gathered. Throws when writing the file fails. */
  flush(): void;
}

/**
 * A {@link ChunkOut} writing to `fd`, gzip level 1 (a fraction of the CPU of zlib's default level 6 for ~15 % larger
 * candump text), one gzip member per chunk, when `compress`; `written(n)` is told the bytes put on disk. The main
 * thread and the compression worker (which loads this module by its path) use the same function.
 */
export function createChunkOut(fd: number, compress: boolean, chunkBytes: number, written: (n: number) => void): ChunkOut {
  const out: ChunkOut = {
    buf: new Uint8Array(chunkBytes),
    len: 0,
    room(n: number): void {
      if (out.len + n <= out.buf.length) return;
      out.flush();
      if (n > out.buf.length) out.buf = new Uint8Array(n);
    },
    flush(): void {
      if (out.len === 0) return;
      const raw = out.buf.subarray(0, out.len);
      out.len = 0;
      const chunk = compress ? gzipSync(raw, { level: 1, memLevel: 9 }) : raw;
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      written(chunk.length);
    },
  };
  return out;
}
