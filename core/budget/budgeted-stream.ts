import { closeSync, openSync, writeSync } from 'node:fs';
import { constants as zlib, gzipSync } from 'node:zlib';
import { ConfigError, OperationError } from '../errors';
import type { ByteBudget } from './byte-budget';
import { openCompressionChannel, type CompressionChannel } from './gzip-worker';

/**
 * Writes are gathered into chunks of this size. Plain chunks are written synchronously; compressed ones go to the
 * compression worker (`gzip-worker.ts`), or are compressed inline where no worker runs. A virtual-time run never
 * waits on I/O, so an asynchronous stream would buffer a whole 24-hour trace in memory before the event loop turns
 * (measured by `npm run bench:traces`).
 */
const CHUNK_BYTES = 256 * 1024;

/** Writing stopped because the run's evidence budget ran out (see `ByteBudget`). */
export class BudgetExhaustedError extends OperationError {
  constructor(path: string) {
    super(`evidence budget exhausted: no more is written to ${path}`);
    this.name = 'BudgetExhaustedError';
  }
}

/**
 * An evidence file: plain, or gzip-compressed when its name ends in `.gz`. A compressed file is a series of gzip
 * members, one per chunk (RFC 1952 2.2: zcat, gunzip, Python's gzip, Wireshark and Node's gunzip read it as one
 * stream). Bytes on disk are charged to the budget, if one is given.
 *
 * Contract: `write` never blocks for long (at most one chunk's compression and write); it throws
 * `BudgetExhaustedError` once the budget is spent and `OperationError` once the file failed (then nothing more is
 * written). `close` writes what is pending and closes the file; idempotent; rejects with `OperationError` if writing
 * failed. A crash loses at most the last chunk.
 */
export interface BudgetedStream {
  readonly path: string;
  readonly compressed: boolean;
  write(data: string | Uint8Array): void;
  /**
   * Append at most `maxBytes`, written by `fill` straight into the chunk buffer at `offset` (it returns the new end
   * offset). For per-frame formatters that would otherwise allocate a string per frame. Same errors as `write`.
   */
  writeWith(maxBytes: number, fill: (buf: Buffer, offset: number) => number): void;
  close(): Promise<void>;
}

/** Create (truncate) the file. `ConfigError` if it cannot be created. */
export async function openBudgetedStream(path: string, budget?: ByteBudget): Promise<BudgetedStream> {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new ConfigError(`cannot create ${path}: ${(err as Error).message}`, path, { cause: err });
  }
  return Promise.resolve(new SyncChunkStream(path, fd, path.endsWith('.gz'), budget));
}

class SyncChunkStream implements BudgetedStream {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private len = 0;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Compression in the worker (when one runs); bytes it wrote that were charged to the budget so far. */
  private readonly channel: CompressionChannel | undefined;
  private charged = 0;

  constructor(
    readonly path: string,
    private readonly fd: number,
    readonly compressed: boolean,
    private readonly budget: ByteBudget | undefined,
  ) {
    if (compressed) {
      this.channel = openCompressionChannel(fd, (message) => {
        this.failure ??= new OperationError(`writing ${path} failed: ${message}`);
      });
    }
  }

  write(data: string | Uint8Array): void {
    this.check();
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.room(n);
    if (typeof data === 'string') this.len += this.buf.write(data, this.len);
    else {
      this.buf.set(data, this.len);
      this.len += n;
    }
  }

  writeWith(maxBytes: number, fill: (buf: Buffer, offset: number) => number): void {
    this.check();
    this.room(maxBytes);
    this.len = fill(this.buf, this.len);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.failure) {
        try {
          this.flush();
        } catch {
          /* recorded in failure */
        }
      }
      resolve();
    }).then(async () => {
      if (this.channel) {
        await this.channel.drain();
        this.channel.release();
        this.chargeWorker();
      }
      const closeFailure = closeFile(this.fd, this.path);
      this.failure ??= closeFailure;
      if (this.failure) throw this.failure;
    });
    return this.closing;
  }

  private check(): void {
    if (!this.failure && this.channel && Atomics.load(this.channel.state, 2) !== 0) this.failure = new OperationError(`writing ${this.path} failed (compression worker)`);
    if (this.failure) throw this.failure;
    if (this.closing) throw new OperationError(`${this.path} is closed`);
    if (this.budget?.exhausted) throw new BudgetExhaustedError(this.path);
  }

  /** Make room for `n` more bytes: flush when the chunk is full, grow for a single write larger than a chunk. */
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private chargeWorker(): void {
    const written = Atomics.load(this.channel!.state, 1);
    if (written > this.charged) this.budget?.spend(written - this.charged);
    this.charged = written;
  }

  private flush(): void {
    if (this.len === 0 || this.failure) return;
    if (this.channel) {
      this.channel.post(this.buf, this.len); // the buffer is transferred to the worker
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
      this.len = 0;
      this.chargeWorker();
      return;
    }
    const raw = this.buf.subarray(0, this.len);
    // Level 1: a fraction of the CPU of zlib's default level 6 for ~15 % larger candump text.
    const chunk = this.compressed ? gzipSync(raw, { level: 1, memLevel: 9, strategy: zlib.Z_DEFAULT_STRATEGY }) : raw;
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (err) {
      this.failure = new OperationError(`writing ${this.path} failed: ${(err as Error).message}`, { cause: err });
      throw this.failure;
    } finally {
      this.len = 0;
    }
    this.budget?.spend(chunk.length);
  }
}

/** Close a stream's file descriptor; a failure comes back as the error the stream reports (`closing <path> failed`). */
export function closeFile(fd: number, path: string): OperationError | undefined {
  try {
    closeSync(fd);
    return undefined;
  } catch (err) {
    return new OperationError(`closing ${path} failed: ${(err as Error).message}`, { cause: err });
  }
}
