import { isMainThread } from 'node:worker_threads';
import { copyRawRecord, RAW_RECORD, type RecordFormatter, type RecordTransform } from '../../core/budget/record-format';

/**
 * Test formats for record streams, loaded by the compression worker from this module (as `.ts`: the worker's
 * TypeScript loader) and by the main thread through jest. They use imports and module constants on purpose: a
 * formatter is ordinary module code.
 *
 * `digitsFormatter`: a 16-byte record, [0..3] a number written as 4 decimal digits on a line after `prefix`, [4] = 1
 * fails the formatter ('boom'), [4] = 2 never returns (a stuck worker), [12] = 0 (raw records have {@link RAW_RECORD} there, copied as they are).
 */
const DIGITS = 4;

export function digitsFormatter(prefix: string): RecordFormatter {
  return (u8, _f64, u32, start, end, out) => {
    let o = start;
    while (o < end) {
      if (u8[o + 12] === RAW_RECORD) {
        o = copyRawRecord(u8, u32, o, out);
        continue;
      }
      if (u8[o + 4] === 1) throw new Error('boom');
      if (u8[o + 4] === 2) for (;;); // never returns: a stuck worker
      const line = `${prefix}${String(u32[o >> 2]).padStart(DIGITS, '0')}\n`;
      out.room(line.length);
      for (let i = 0; i < line.length; i++) out.buf[out.len++] = line.charCodeAt(i);
      o += 16;
    }
  };
}

/** `threadFormatter`: one line per batch saying which thread formatted it (`main` or `worker`). */
export function threadFormatter(_params: null): RecordFormatter {
  return (_u8, _f64, _u32, _start, _end, out) => {
    const line = isMainThread ? 'main\n' : 'worker\n';
    out.room(line.length);
    for (let i = 0; i < line.length; i++) out.buf[out.len++] = line.charCodeAt(i);
  };
}

export const digits = (prefix: string): RecordTransform<string> => ({ module: __filename, name: digitsFormatter.name, params: prefix });
export const thread: RecordTransform<null> = { module: __filename, name: threadFormatter.name, params: null };
