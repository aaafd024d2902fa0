import { closeSync, mkdtempSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OperationError } from '../../core/errors';

/** Where the pieces of a page go as they are rendered: in memory (one page at once) or on disk (a growing report). */
export interface PartStore {
  /**
   * Append one rendered piece to the named list. Pieces of a list are read joined with '\n', ordered by `order`
   * (pieces with the same order, or none, in the order they came).
   */
  append(list: string, text: string, order?: number): void;
  /** Hand the list's joined pieces to `sink`, in order, in chunks (never the whole list at once for a spool). */
  emit(list: string, sink: (chunk: string | Buffer) => void): void;
  /** Bytes appended so far, over every list (for a rewrite policy). */
  readonly bytes: number;
}

/** A piece's order: the one given, else after every piece so far. */
function nextOrder(l: { max: number }, order: number | undefined): number {
  if (order === undefined) return l.max;
  l.max = Math.max(l.max, order);
  return order;
}

/** The indices of `orders` sorted by order (stable), or undefined when they already are. */
function permutation(orders: readonly number[]): number[] | undefined {
  let sorted = true;
  for (let i = 1; i < orders.length && sorted; i++) sorted = orders[i - 1]! <= orders[i]!;
  if (sorted) return undefined;
  return orders.map((_, i) => i).sort((a, b) => orders[a]! - orders[b]! || a - b);
}

/** Pieces kept as strings: for a page rendered from results in hand (`toHtml`, `toJUnit`). */
export class MemoryParts implements PartStore {
  private readonly lists = new Map<string, { texts: string[]; orders: number[]; max: number }>();
  bytes = 0;

  append(list: string, text: string, order?: number): void {
    let l = this.lists.get(list);
    if (!l) this.lists.set(list, (l = { texts: [], orders: [], max: 0 }));
    l.orders.push(nextOrder(l, order));
    l.texts.push(text);
    this.bytes += Buffer.byteLength(text);
  }

  emit(list: string, sink: (chunk: string | Buffer) => void): void {
    const l = this.lists.get(list);
    if (!l || l.texts.length === 0) return;
    const p = permutation(l.orders);
    sink((p ? p.map((i) => l.texts[i]!) : l.texts).join('\n'));
  }
}

const CHUNK = 1 << 20;

interface SpoolFile {
  fd: number;
  size: number;
  /** Where each piece starts in the file, and its order (two numbers a piece: all a list keeps in memory). */
  starts: number[];
  orders: number[];
  max: number;
}

/**
 * Pieces appended to one file per list in a private temporary folder beside the report (`.<report>.parts-XXXXXX`:
 * on the report's disk, not in a `/tmp` that may be RAM), read back in 1 MiB chunks: the memory a growing report
 * takes does not depend on the size of its pieces, only two numbers a piece. Bytes are copied as they are, so text
 * split across chunks is never re-encoded. A folder left by a run that was killed is removed by the next report to
 * the same path.
 *
 * Contract: `close()` removes the folder and never throws; `append` or `emit` after it throws.
 */
export class SpooledParts implements PartStore {
  /** The temporary folder (gone after `close()`). */
  readonly dir: string;
  private readonly files = new Map<string, SpoolFile>();
  private closed = false;
  bytes = 0;

  /** `beside`: the report's path (the folder goes next to it). */
  constructor(beside: string) {
    const prefix = `.${basename(beside)}.parts-`;
    const home = dirname(beside);
    for (const stale of safeReaddir(home)) {
      if (stale.startsWith(prefix) && stale.length === prefix.length + 6) rmSync(join(home, stale), { recursive: true, force: true });
    }
    this.dir = mkdtempSync(join(home, prefix));
  }

  private file(list: string): SpoolFile {
    if (this.closed) throw new OperationError('report spool used after close()');
    let f = this.files.get(list);
    if (!f) this.files.set(list, (f = { fd: openSync(join(this.dir, `${list}.part`), 'w+'), size: 0, starts: [], orders: [], max: 0 }));
    return f;
  }

  append(list: string, text: string, order?: number): void {
    const f = this.file(list);
    // Each piece is stored with a '\n' after it: in order, the file minus its last byte is the joined list.
    const buf = Buffer.from(`${text}\n`);
    writeSync(f.fd, buf, 0, buf.length, f.size);
    f.orders.push(nextOrder(f, order));
    f.starts.push(f.size);
    f.size += buf.length;
    this.bytes += buf.length;
  }

  emit(list: string, sink: (chunk: string | Buffer) => void): void {
    if (this.closed) throw new OperationError('report spool used after close()');
    const f = this.files.get(list);
    if (!f || f.size === 0) return;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, f.size));
    const copy = (from: number, to: number): void => {
      for (let pos = from; pos < to; ) {
        const n = readSync(f.fd, buf, 0, Math.min(buf.length, to - pos), pos);
        if (n <= 0) break;
        sink(Buffer.from(buf.subarray(0, n)));
        pos += n;
      }
    };
    const p = permutation(f.orders);
    if (!p) return copy(0, f.size - 1);
    p.forEach((i, k) => {
      if (k > 0) sink('\n');
      copy(f.starts[i]!, (i + 1 < f.starts.length ? f.starts[i + 1]! : f.size) - 1);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.files.values()) {
      try {
        closeSync(f.fd);
      } catch {
        // already closed
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Write a file atomically from chunks (temp file + rename): a reader never sees half a report. Returns its size.
 */
export function writeChunksAtomically(path: string, produce: (sink: (chunk: string | Buffer) => void) => void): number {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let size = 0;
  try {
    produce((chunk) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      writeSync(fd, buf);
      size += buf.length;
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return size;
}

/**
 * When a growing report is rewritten: after each of its first {@link REWRITE_EACH_UP_TO} results (a small campaign
 * sees its report after every scenario, as before), then when what was added since the last rewrite is at least
 * 1/8 of the file as last written, so the bytes rewritten over a whole campaign stay within a few times the final
 * size instead of growing with its square. The owner writes once more at the end (`flush`).
 */
export const REWRITE_EACH_UP_TO = 64;

export function rewriteDue(count: number, bytesNow: number, bytesAtLastWrite: number, lastFileSize: number): boolean {
  return count <= REWRITE_EACH_UP_TO || (bytesNow - bytesAtLastWrite) * 8 >= lastFileSize;
}

/**
 * A report file rebuilt from spooled pieces as results come in (the HTML page and the JUnit file share this).
 *
 * Contract: the owner renders each result into `spool` and then calls `added(count)`, which rewrites the file
 * atomically when {@link rewriteDue} says so; `flush()` rewrites it when pieces came in since the last write (or it
 * was never written); `close()` flushes, then removes the pieces (the file stays) and is idempotent; `checkOpen()`
 * throws an `OperationError` naming the report once it is closed. `emit` writes the whole file from the pieces.
 */
export class GrowingReportFile {
  readonly spool: SpooledParts;
  private bytesAtLastWrite = -1;
  private lastFileSize = 0;
  private closed = false;

  constructor(
    readonly path: string,
    /** What the file is, for the message of a result added after close (`HTML report`, `JUnit report`). */
    private readonly what: string,
    private readonly emit: (sink: (chunk: string | Buffer) => void) => void,
  ) {
    this.spool = new SpooledParts(path);
  }

  checkOpen(): void {
    if (this.closed) throw new OperationError(`${this.what} ${this.path}: a result added after close()`);
  }

  added(count: number): void {
    if (rewriteDue(count, this.spool.bytes, this.bytesAtLastWrite, this.lastFileSize)) this.write();
  }

  flush(): void {
    if (this.spool.bytes !== this.bytesAtLastWrite) this.write();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.spool.close();
  }

  private write(): void {
    this.lastFileSize = writeChunksAtomically(this.path, this.emit);
    this.bytesAtLastWrite = this.spool.bytes;
  }
}
