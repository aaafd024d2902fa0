import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * Append-only JSON lines log of results and events. Each record is written and flushed at once, so results
 * already obtained survive a crash of anything that comes later (the certification users' "no lost results").
 */
export class JsonLinesLog {
  private fd: number | undefined;

  /** Opens `path` for appending (created if missing); `truncate` starts it empty instead. */
  constructor(readonly path: string, options: { truncate?: boolean } = {}) {
    this.fd = openSync(path, options.truncate ? 'w' : 'a');
  }

  write(record: Record<string, unknown>): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  /** Write and fsync (for verdicts). */
  writeDurable(record: Record<string, unknown>): void {
    this.write(record);
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
