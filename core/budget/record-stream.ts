import { openSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ConfigError, OperationError } from '../errors';
import type { ByteBudget } from './byte-budget';
import { BudgetExhaustedError, closeFile } from './budgeted-stream';
import { createChunkOut, type ChunkOut } from './chunk-out';
import { openRecordChannel, type RecordChannel } from './gzip-worker';
import { RAW_RECORD, type RecordFormatter, type RecordTransform } from './record-format';

export { RAW_RECORD, type RecordFormatter, type RecordTransform };

/** Bytes of text gathered per chunk (one gzip member): the same as `BudgetedStream`'s. */
export const RECORD_CHUNK_BYTES = 256 * 1024;
/** Bytes of records per batch handed to the compression worker, and batches a stream may have in flight. */
export const RECORD_SLOT_BYTES = 256 * 1024;
export const RECORD_SLOTS = 4;

/**
 * The formatter a transform names, loaded on this thread (the same module the worker loads). `OperationError` naming
 * the module and the export when it cannot be loaded or is not a function.
 */
export function loadRecordFormatter<P>(transform: RecordTransform<P>): RecordFormatter {
  const { module, name } = transform;
  if (!isAbsolute(module)) throw new OperationError(`a record formatter's module must be an absolute path, not '${module}'`);
  let factory: unknown;
  try {
    factory = (require(module) as Record<string, unknown>)[name];
  } catch (err) {
    throw new OperationError(`cannot load the formatter ${name} from ${module}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof factory !== 'function') throw new OperationError(`${module} exports no formatter ${name}`);
  return (factory as (params: P) => RecordFormatter)(transform.params);
}

/**
 * An evidence file written as fixed-layout binary records (no strings, no objects per record) that a formatter turns
 * into the file's bytes in the compression worker (off the main thread, with the compression for a `.gz` file; a
 * plain file is written by the worker as it is). Where no worker can start (or with `{ worker: false }`), on this
 * thread, record by record, written synchronously per chunk. Bytes on disk are charged to the budget, if one is given.
 *
 * Contract: `reserve(n)` returns the offset of `n` bytes (a multiple of 8) in the views `u8`/`f64`/`u32`, which the
 * caller fills before its next call on the stream; the views may change on every `reserve`. It never blocks for long
 * (when the worker is `RECORD_SLOTS` batches behind, it waits for one); it throws `BudgetExhaustedError` once the
 * budget is spent, `OperationError` once the file failed (then nothing more is written), and after `close`.
 * `writeRaw` appends bytes as they are (same errors). `close` writes everything reserved so far and closes the file;
 * idempotent; rejects with `OperationError` saying what failed (a formatter or write error in the worker too).
 * A crash (no `close`) loses what was not yet written: at most `RECORD_SLOTS` batches and one chunk (one record and
 * one chunk on this thread).
 */
export interface RecordStream {
  readonly path: string;
  readonly compressed: boolean;
  u8: Uint8Array;
  f64: Float64Array;
  u32: Uint32Array;
  reserve(bytes: number): number;
  writeRaw(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** Options of {@link openRecordStream}. */
export interface RecordStreamOptions {
  /** False: format and write on this thread, as where no worker can start (default true). */
  worker?: boolean;
}

/**
 * Create (truncate) the file. `ConfigError` if it cannot be created. A name ending in `.gz` is compressed.
 * `OperationError` when the stream formats on this thread and its formatter cannot be loaded (in the worker that
 * failure comes from the next call, or from `close`).
 */
export function openRecordStream<P>(path: string, transform: RecordTransform<P>, budget?: ByteBudget, options: RecordStreamOptions = {}): RecordStream {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new ConfigError(`cannot create ${path}: ${(err as Error).message}`, path, { cause: err });
  }
  const compressed = path.endsWith('.gz');
  try {
    return new SlotRecordStream(path, fd, compressed, transform, budget, options.worker ?? true);
  } catch (err) {
    closeFile(fd, path);
    throw err;
  }
}

interface Slot {
  u8: Uint8Array;
  f64: Float64Array;
  u32: Uint32Array;
}

function slotViews(buffer: ArrayBufferLike, offset: number, bytes: number): Slot {
  return { u8: new Uint8Array(buffer, offset, bytes), f64: new Float64Array(buffer, offset, bytes / 8), u32: new Uint32Array(buffer, offset, bytes / 4) };
}

class SlotRecordStream implements RecordStream {
  u8: Uint8Array;
  f64: Float64Array;
  u32: Uint32Array;
  private end = 0;
  private slot = 0;
  private readonly slots: Slot[];
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Worker mode: the channel, and the bytes it wrote that were charged to the budget so far. */
  private readonly channel: RecordChannel | undefined;
  private charged = 0;
  /** The failure seen as the worker's flag, before its message came. */
  private flagged: Error | undefined;
  /** Inline mode: the formatter and its output. */
  private readonly format: RecordFormatter | undefined;
  private readonly out: ChunkOut | undefined;

  constructor(
    readonly path: string,
    private readonly fd: number,
    readonly compressed: boolean,
    transform: RecordTransform<any>, // the stream passes params on, never reads them
    private readonly budget: ByteBudget | undefined,
    worker: boolean,
  ) {
    let slots: Slot[] = [];
    if (worker) {
      const shared = new SharedArrayBuffer(RECORD_SLOT_BYTES * RECORD_SLOTS);
      this.channel = openRecordChannel(fd, shared, RECORD_SLOT_BYTES, transform, compressed, (message) => {
        // The worker's own words replace the bare flag seen in shared memory (they arrive before close settles).
        if (!this.failure || this.failure === this.flagged) this.failure = new OperationError(`writing ${path} failed: ${message}`);
      });
      if (this.channel) slots = Array.from({ length: RECORD_SLOTS }, (_v, i) => slotViews(shared, i * RECORD_SLOT_BYTES, RECORD_SLOT_BYTES));
    }
    if (!this.channel) {
      // Where no worker runs: formatted record by record on this thread.
      slots = [slotViews(new ArrayBuffer(RECORD_SLOT_BYTES), 0, RECORD_SLOT_BYTES)];
      this.format = loadRecordFormatter(transform);
      this.out = createChunkOut(fd, compressed, RECORD_CHUNK_BYTES, (n) => this.budget?.spend(n));
    }
    this.slots = slots;
    ({ u8: this.u8, f64: this.f64, u32: this.u32 } = slots[0]!);
  }

  reserve(bytes: number): number {
    if (this.failure || this.closing || this.budget?.exhausted) this.refuse();
    if (this.format) {
      if (this.end > 0) this.formatPending();
    } else if (this.end + bytes > RECORD_SLOT_BYTES) this.post();
    const at = this.end;
    this.end += bytes;
    return at;
  }

  writeRaw(bytes: Uint8Array): void {
    const size = 16 + ((bytes.length + 7) & ~7);
    if (size <= RECORD_SLOT_BYTES) {
      const at = this.reserve(size);
      this.u32[(at >> 2) + 2] = bytes.length;
      this.u8[at + 12] = RAW_RECORD;
      this.u8.set(bytes, at + 16);
      return;
    }
    if (this.failure || this.closing || this.budget?.exhausted) this.refuse();
    if (this.format) {
      this.formatPending();
      this.guard(() => {
        this.out!.room(bytes.length);
        this.out!.buf.set(bytes, this.out!.len);
        this.out!.len += bytes.length;
      });
    } else {
      this.post();
      this.channel!.raw(bytes);
    }
  }

  close(): Promise<void> {
    this.closing ??= Promise.resolve().then(async () => {
      if (this.format) {
        try {
          this.formatPending();
        } catch {
          /* recorded in failure; the file is closed all the same */
        }
        // What was formatted is written even after a formatter failure (a write failure fails again, quietly).
        this.guard(() => this.out!.flush());
      } else {
        if (!this.failure) this.post();
        await this.channel!.end();
        this.chargeWorker();
      }
      const closeFailure = closeFile(this.fd, this.path);
      this.failure ??= closeFailure;
      if (this.failure) throw this.failure;
    });
    return this.closing;
  }

  private refuse(): never {
    if (this.failure) throw this.failure;
    if (this.closing) throw new OperationError(`${this.path} is closed`);
    throw new BudgetExhaustedError(this.path);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failure ??= new OperationError(`writing ${this.path} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Inline mode: format the records reserved so far. */
  private formatPending(): void {
    const end = this.end;
    this.end = 0;
    if (end === 0 || this.failure) return;
    try {
      this.format!(this.u8, this.f64, this.u32, 0, end, this.out!);
    } catch (err) {
      this.failure ??= new OperationError(`writing ${this.path} failed: ${(err as Error).message}`, { cause: err });
      throw this.failure;
    }
  }

  /** Worker mode: hand the current batch over and move to the next slot (waiting while it is still in flight). */
  private post(): void {
    const channel = this.channel!;
    if (this.end > 0) {
      channel.post(this.slot, this.end);
      this.slot = (this.slot + 1) % RECORD_SLOTS;
      ({ u8: this.u8, f64: this.f64, u32: this.u32 } = this.slots[this.slot]!);
      this.end = 0;
    }
    this.chargeWorker();
    if (!this.failure && Atomics.load(channel.state, 2) !== 0) this.failure = this.flagged = new OperationError(`writing ${this.path} failed (compression worker)`);
  }

  private chargeWorker(): void {
    const written = Atomics.load(this.channel!.state, 1);
    if (written > this.charged) this.budget?.spend(written - this.charged);
    this.charged = written;
  }
}
