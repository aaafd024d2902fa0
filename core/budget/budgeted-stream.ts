import { createWriteStream } from 'node:fs';
import { createGzip, constants as zlib } from 'node:zlib';
import type { Writable } from 'node:stream';
import { ConfigError, OperationError } from '../errors';
import type { ByteBudget } from './byte-budget';

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
  return {
    path,
    compressed,
    write(data) {
      if (failure) throw failure;
      if (closing) throw new OperationError(`${path} is closed`);
      if (budget?.exhausted) throw new BudgetExhaustedError(path);
      head.write(data);
      if (!compressed) budget?.spend(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const done = (): void => (failure ? reject(failure) : resolve());
        if (file.destroyed) return done();
        file.once('close', done);
        head.end();
      });
      return closing;
    },
  };
}
