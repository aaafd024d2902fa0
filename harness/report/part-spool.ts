import { closeSync, mkdtempSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { OperationError } from '../../core/errors';

/** Where the pieces of a page go as they are rendered: in memory (one page at once) or on disk (a growing report). */
export interface PartStore {
  /** Append one rendered piece to the named list (pieces of a list are joined with '\n' when read). */
  append(list: string, text: string): void;
  /** Hand the list's joined pieces to `sink`, in order, in chunks (never the whole list at once for a spool). */
  emit(list: string, sink: (chunk: string | Buffer) => void): void;
  /** Bytes appended so far, over every list (for a rewrite policy). */
  readonly bytes: number;
}

/** Pieces kept as strings: for a page rendered from results in hand (`toHtml`, `toJUnit`). */
export class MemoryParts implements PartStore {
  private readonly lists = new Map<string, string[]>();
  bytes = 0;

  append(list: string, text: string): void {
    let l = this.lists.get(list);
    if (!l) this.lists.set(list, (l = []));
    l.push(text);
    this.bytes += Buffer.byteLength(text);
  }

  emit(list: string, sink: (chunk: string | Buffer) => void): void {
    const l = this.lists.get(list);
    if (l && l.length > 0) sink(l.join('\n'));
  }
}

const CHUNK = 1 << 20;

/**
 * Pieces appended to one file per list in a private temporary folder beside the report (`.<report>.parts-XXXXXX`:
 * on the report's disk, not in a `/tmp` that may be RAM), read back in 1 MiB chunks: the memory a growing report
 * takes does not depend on how many pieces it holds. Bytes are copied as they are, so text split across chunks is
 * never re-encoded. A folder left by a run that was killed is removed by the next report to the same path.
 *
 * Contract: `close()` removes the folder and never throws; `append` or `emit` after it throws.
 */
export class SpooledParts implements PartStore {
  /** The temporary folder (gone after `close()`). */
  readonly dir: string;
  private readonly files = new Map<string, { fd: number; path: string; size: number }>();
  private closed = false;
  bytes = 0;

  /** `beside`: the report's path (the folder goes next to it); none: a folder in the system's temporary directory. */
  constructor(beside?: string) {
    if (beside === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'hil-report-parts-'));
      return;
    }
    const prefix = `.${basename(beside)}.parts-`;
    const home = dirname(beside);
    for (const stale of safeReaddir(home)) {
      if (stale.startsWith(prefix) && stale.length === prefix.length + 6) rmSync(join(home, stale), { recursive: true, force: true });
    }
    this.dir = mkdtempSync(join(home, prefix));
  }

  private file(list: string): { fd: number; path: string; size: number } {
    if (this.closed) throw new OperationError('report spool used after close()');
    let f = this.files.get(list);
    if (!f) {
      const path = join(this.dir, `${list}.part`);
      this.files.set(list, (f = { fd: openSync(path, 'w+'), path, size: 0 }));
    }
    return f;
  }

  append(list: string, text: string): void {
    const f = this.file(list);
    const buf = Buffer.from(f.size > 0 ? `\n${text}` : text);
    writeSync(f.fd, buf, 0, buf.length, f.size);
    f.size += buf.length;
    this.bytes += buf.length;
  }

  emit(list: string, sink: (chunk: string | Buffer) => void): void {
    if (this.closed) throw new OperationError('report spool used after close()');
    const f = this.files.get(list);
    if (!f || f.size === 0) return;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, f.size));
    for (let pos = 0; pos < f.size; ) {
      const n = readSync(f.fd, buf, 0, Math.min(buf.length, f.size - pos), pos);
      if (n <= 0) break;
      sink(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
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
