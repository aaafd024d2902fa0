import { createWriteStream } from 'node:fs';
import { createGzip, constants as zlib } from 'node:zlib';
import type { Writable } from 'node:stream';
import { ConfigError, OperationError } from '../errors';
import type { ByteBudget } from './byte-budget';

const CHUNK_BYTES = 64 * 1024;

/** Writing stopped because the run's evidence budget ran out (see `ByteBudget`). */
export class BudgetExhaustedError extends OperationError {
  constructor(path: string) {
    super(`evidence budget exhausted: no more is written to ${path}`);
    this.name = 'BudgetExhaustedError';
  }
}

/**
 * An evidence file: plain, or gzip-compressed when its name ends in `.gz` (a standard gzip stream: zcat, Wireshark,
 * `canplayer` via zcat read it). Bytes on disk are charged to the budget, if one is given.
 *
 * Contract: `write` never blocks; it throws `BudgetExhaustedError` once the budget is spent and `OperationError` once
 * the file failed. `close` flushes (finishing the gzip member, so the file is complete) and resolves when the file is
 * closed; idempotent; rejects with `OperationError` if writing failed.
 */
export interface BudgetedStream {
  readonly path: string;
  readonly compressed: boolean;
  write(data: string | Uint8Array): void;
  close(): Promise<void>;
}

/** Create (truncate) the file; resolves once it is open. `ConfigError` if it cannot be created. */
export async function openBudgetedStream(path: string, budget?: ByteBudget): Promise<BudgetedStream> {
  const file = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (err) => reject(new ConfigError(`cannot create ${path}: ${err.message}`, path, { cause: err })));
  });
  let failure: Error | undefined;
  const fail = (err: Error): void => {
    failure ??= new OperationError(`writing ${path} failed: ${err.message}`, { cause: err });
  };
  file.on('error', fail);
  const compressed = path.endsWith('.gz');
  let head: Writable = file;
  if (compressed) {
    // Level 6 (zlib's default) costs ~3x the CPU of level 1 for ~15 % smaller candump text; level 1 keeps the trace
    // cost low on long runs (measured by `npm run bench:traces`).
    const gz = createGzip({ level: 1, memLevel: 9, chunkSize: 64 * 1024, flush: zlib.Z_NO_FLUSH });
    gz.on('error', fail);
    gz.on('data', (chunk: Buffer) => budget?.spend(chunk.length));
    gz.pipe(file);
    head = gz;
  }
  let closing: Promise<void> | undefined;
  // Small writes are gathered into 64 kB chunks: one stream write per frame costs more than the frame itself
  // (measured by `npm run bench:traces`). At most one chunk per file is in memory; `close` writes it.
  let text = '';
  let binary: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pendingBytes === 0) return;
    const chunk = binary.length > 0 ? Buffer.concat(binary) : Buffer.from(text, 'latin1');
    text = '';
    binary = [];
    pendingBytes = 0;
    head.write(chunk);
    if (!compressed) budget?.spend(chunk.length);
  };
  return {
    path,
    compressed,
    write(data) {
      if (failure) throw failure;
      if (closing) throw new OperationError(`${path} is closed`);
      if (budget?.exhausted) throw new BudgetExhaustedError(path);
      if (typeof data === 'string') {
        if (binary.length > 0) flush();
        text += /[^\x00-\x7f]/.test(data) ? Buffer.from(data, 'utf8').toString('latin1') : data;
      } else {
        if (text.length > 0) flush();
        binary.push(data);
      }
      pendingBytes += data.length;
      if (pendingBytes >= CHUNK_BYTES) flush();
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const done = (): void => (failure ? reject(failure) : resolve());
        if (file.destroyed) return done();
        flush();
        file.once('close', done);
        head.end();
      });
      return closing;
    },
  };
}
