import { copyRawRecord, RAW_RECORD, type RecordFormatter, type RecordTransform } from '../../core/budget/record-format';
import type { RecordStream } from '../../core/budget/record-stream';

/**
 * Modbus transactions as fixed-layout binary records for a `RecordStream` (the `modbus-<endpoint>.jsonl[.gz]`
 * evidence of long runs: the main thread copies a transaction's numbers and PDU bytes, the compression worker makes
 * the JSON line). A record, 8-byte aligned:
 *
 * | bytes | transaction record | raw record (flag 0x80) |
 * |---|---|---|
 * | 0-7 | clock time of the request, ms (float64) | - |
 * | 8-11 | request PDU length (uint32) | byte length (uint32) |
 * | 12 | flags: 1 there is a reply | 0x80 |
 * | 16-19 | reply PDU length (uint32; 0 without a reply) | - |
 * | 24-31 | unit id (float64) | - |
 * | 32- | request PDU, then reply PDU, padded to 8 | (from 16) bytes copied as they are |
 */
const HAS_REPLY = 1;
const HEADER = 32;

/** Writes transactions into a record stream. */
export class ModbusRecordWriter {
  constructor(private readonly stream: RecordStream) {}

  /** Append one transaction (`response` null: no reply was sent). Same errors as `RecordStream.reserve`. */
  write(at: number, unit: number, request: Uint8Array, response: Uint8Array | null): void {
    const s = this.stream;
    const q = request.length;
    const r = response ? response.length : 0;
    const o = s.reserve(HEADER + ((q + r + 7) & ~7));
    s.f64[o >> 3] = at;
    s.f64[(o >> 3) + 3] = unit;
    const w = o >> 2;
    s.u32[w + 2] = q;
    s.u32[w + 4] = r;
    const u8 = s.u8;
    u8[o + 12] = response ? HAS_REPLY : 0;
    const p = o + HEADER;
    for (let i = 0; i < q; i++) u8[p + i] = request[i]!;
    for (let i = 0; i < r; i++) u8[p + q + i] = response![i]!;
  }
}

/** Parameters of {@link modbusLogFormatter}. */
export interface ModbusLogParams {
  /** Clock time the bench came up: a line's `t` is `Math.round(at - startMs)`. */
  startMs: number;
}

/** Transaction records as JSON lines ({@link modbusLogFormatter}, loaded from this module by the compression worker). */
export function modbusLogRecords(params: ModbusLogParams): RecordTransform<ModbusLogParams> {
  return { module: __filename, name: modbusLogFormatter.name, params };
}

const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const num = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');
const TAIL = Array.from('","rsp":', (c) => c.charCodeAt(0));

function hexInto(b: Uint8Array, p: number, u8: Uint8Array, from: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = u8[from + i]!;
    b[p++] = HEX[v >> 4]!;
    b[p++] = HEX[v & 0xf]!;
  }
  return p;
}

/**
 * The transaction-log formatter (run by the compression worker, or inline). Each transaction record becomes exactly
 * `JSON.stringify({ at, t: Math.round(at - startMs), unit, req: <hex>, rsp: <hex> | null }) + '\n'`, the line the
 * recorder wrote before records (lower-case hex as `Buffer#toString('hex')`, numbers as JSON writes them: non-finite
 * ones as null); `out.room` is asked for the line's exact length, the chunk rule `BudgetedStream.write` had, so the
 * `.gz` members are the same bytes too.
 */
export function modbusLogFormatter(params: ModbusLogParams): RecordFormatter {
  const startMs = params.startMs;
  return (u8, f64, u32, start, end, out) => {
    let o = start;
    while (o < end) {
      const flags = u8[o + 12]!;
      if (flags & RAW_RECORD) {
        o = copyRawRecord(u8, u32, o, out);
        continue;
      }
      const at = f64[o >> 3]!;
      const q = u32[(o >> 2) + 2]!;
      const r = u32[(o >> 2) + 4]!;
      const reply = (flags & HAS_REPLY) !== 0;
      const head = `{"at":${num(at)},"t":${num(Math.round(at - startMs))},"unit":${num(f64[(o >> 3) + 3]!)},"req":"`;
      out.room(head.length + 2 * q + TAIL.length + (reply ? 2 + 2 * r : 4) + 2);
      const b = out.buf;
      let p = out.len;
      for (let i = 0; i < head.length; i++) b[p++] = head.charCodeAt(i);
      p = hexInto(b, p, u8, o + 32, q);
      for (let i = 0; i < TAIL.length; i++) b[p++] = TAIL[i]!;
      if (reply) {
        b[p++] = 0x22; // "
        p = hexInto(b, p, u8, o + 32 + q, r);
        b[p++] = 0x22;
      } else {
        b[p++] = 0x6e; // null
        b[p++] = 0x75;
        b[p++] = 0x6c;
        b[p++] = 0x6c;
      }
      b[p++] = 0x7d; // }
      b[p++] = 0x0a;
      out.len = p;
      o += 32 + ((q + r + 7) & ~7);
    }
  };
}
