import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';

/**
 * Read a bench or scenario file as UTF-8 text, refusing what is not one, before reading a byte of it:
 * a directory, a FIFO, a socket or a device (a FIFO would block the harness forever: it is opened non-blocking and
 * refused), a missing or unreadable file, a file over `INPUT_LIMITS.fileBytes`. A UTF-8 byte-order mark is accepted
 * and dropped (YAML 1.2 section 5.2 allows one at the start of a stream; Windows editors write it), so columns count
 * from the first real character. UTF-16/32 text (by its byte-order mark) and bytes that are not UTF-8 are refused
 * with the line and column of the first bad byte. Throws `ConfigError` located at the file (or `file:line:column`).
 */
export function readTextFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new ConfigError(openFailure(err as NodeJS.ErrnoException), file);
  }
  let bytes: Buffer;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(notAFile(st), file);
    if (st.size > INPUT_LIMITS.fileBytes) {
      throw new ConfigError(`file is ${st.size} bytes; bench and scenario files may have at most ${INPUT_LIMITS.fileBytes} bytes (1 MiB)`, file);
    }
    bytes = readAll(fd, file);
  } finally {
    closeSync(fd);
  }
  return decodeUtf8(bytes, file);
}

function readAll(fd: number, file: string): Buffer {
  // Read one byte past the limit: a file that grew after fstat is caught too.
  const buf = Buffer.alloc(INPUT_LIMITS.fileBytes + 1);
  let n = 0;
  for (;;) {
    let got: number;
    try {
      got = readSync(fd, buf, n, buf.length - n, null);
    } catch (err) {
      throw new ConfigError(openFailure(err as NodeJS.ErrnoException), file);
    }
    if (got === 0) break;
    n += got;
    if (n > INPUT_LIMITS.fileBytes) throw new ConfigError(`file is over ${INPUT_LIMITS.fileBytes} bytes (1 MiB), the limit for bench and scenario files`, file);
  }
  return buf.subarray(0, n);
}

/** A file system error as a user reads it (`no such file`, `permission denied (EACCES)`, ...). */
export function openFailure(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return `cannot read file: permission denied (${err.code})`;
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ELOOP':
      return 'cannot read file: too many levels of symbolic links (ELOOP)';
    case 'ENAMETOOLONG':
      return 'cannot read file: the path is too long (ENAMETOOLONG)';
    default:
      return `cannot read file: ${err.code ?? err.message}`;
  }
}

function notAFile(st: Stats): string {
  if (st.isDirectory()) return 'is a directory, not a file (hil run and hil validate take a directory as an argument, not inside a file list of a bench)';
  const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : 'not a regular file';
  return `is ${kind}, not a regular file: give a bench or scenario file`;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function decodeUtf8(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const which = bytes[0] === 0xff ? 'FF FE' : 'FE FF';
    throw new ConfigError(`file is UTF-16 or UTF-32 text (byte-order mark ${which}); save it as UTF-8`, `${file}:1:1`);
  }
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) {
    throw new ConfigError('file is UTF-32 text (byte-order mark 00 00 FE FF); save it as UTF-8', `${file}:1:1`);
  }
  const body = UTF8_BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const bad = firstInvalidUtf8(body);
    const before = new TextDecoder('utf-8').decode(body.subarray(0, bad));
    const lines = before.split('\n');
    throw new ConfigError(
      `file is not UTF-8 text (byte 0x${body[bad]!.toString(16).padStart(2, '0')} at byte offset ${bad + (body === bytes ? 0 : 3)}); save it as UTF-8`,
      `${file}:${lines.length}:${lines[lines.length - 1]!.length + 1}`,
    );
  }
}

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  // Binary search on the longest prefix that decodes as a (possibly unfinished) stream.
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // [0, lo) is valid as a stream: the bad byte is at lo, unless a sequence left unfinished at lo began earlier.
  let k = lo - 1;
  while (k >= 0 && k > lo - 4 && (b[k]! & 0xc0) === 0x80) k--;
  if (k >= 0 && b[k]! >= 0xc0) {
    const need = b[k]! >= 0xf0 ? 4 : b[k]! >= 0xe0 ? 3 : 2;
    if (lo - k < need) return k;
  }
  return Math.min(lo, b.length - 1);
}
