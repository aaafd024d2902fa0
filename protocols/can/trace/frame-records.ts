import type { ChunkOut } from '../../../core/budget/chunk-out';
import { copyRawRecord, RAW_RECORD, type RecordFormatter, type RecordTransform } from '../../../core/budget/record-format';
import type { RecordStream } from '../../../core/budget/record-stream';
import type { CanFrame } from '../frame';
import { MAX_CLASSIC_LINE } from './candump-format';

/**
 * CAN frames as fixed-layout binary records for a `RecordStream` (the trace files of long runs: the main thread
 * copies a frame's fields, the compression worker formats the text). A record, 8-byte aligned:
 *
 * | bytes | frame record | channel record (flag 0x40) | raw record (flag 0x80) |
 * |---|---|---|---|
 * | 0-7 | timestamp, ms (float64) | channel name length in UTF-16 units (float64) | - |
 * | 8-11 | id (uint32) | byte length (uint32) | byte length (uint32) |
 * | 12 | flags: 1 extended, 2 RTR, 4 error, 8 FD | 0x40 | 0x80 |
 * | 13, 14 | data length, dlc (RTR) | - | - |
 * | 16- | data, padded to 8 | UTF-8 name: the channel of the frames that follow | bytes copied as they are |
 */
const EXTENDED = 1;
const RTR = 2;
const ERROR = 4;
const FD = 8;
const CHANNEL_RECORD = 0x40;

/** Writes frames into a record stream; a channel record precedes the first frame of each new channel. */
export class FrameRecordWriter {
  private channel: string | undefined;

  constructor(
    private readonly stream: RecordStream,
    private readonly fallbackChannel: string,
  ) {}

  /** Append one frame. Same errors as `RecordStream.reserve`. */
  write(frame: CanFrame): void {
    const s = this.stream;
    const channel = frame.channel ?? this.fallbackChannel;
    if (channel !== this.channel) this.setChannel(channel);
    const d = frame.data;
    const len = d.length;
    const o = s.reserve(16 + ((len + 7) & ~7));
    s.f64[o >> 3] = frame.timestamp ?? 0;
    s.u32[(o >> 2) + 2] = frame.id;
    const u8 = s.u8;
    u8[o + 12] = (frame.extended ? EXTENDED : 0) | (frame.rtr ? RTR : 0) | (frame.error ? ERROR : 0) | (frame.fd ? FD : 0);
    u8[o + 13] = len;
    u8[o + 14] = frame.dlc ?? 0;
    for (let i = 0; i < len; i++) u8[o + 16 + i] = d[i]!;
  }

  private setChannel(channel: string): void {
    const s = this.stream;
    const bytes = Buffer.from(channel, 'utf8');
    const o = s.reserve(16 + ((bytes.length + 7) & ~7));
    s.f64[o >> 3] = channel.length;
    s.u32[(o >> 2) + 2] = bytes.length;
    s.u8[o + 12] = CHANNEL_RECORD;
    s.u8.set(bytes, o + 16);
    this.channel = channel;
  }
}

/** Frame records as candump text ({@link candumpFormatter}, loaded from this module by the compression worker). */
export const CANDUMP_RECORDS: RecordTransform<null> = { module: __filename, name: candumpFormatter.name, params: null };
/** Frame records as pcap records ({@link pcapFormatter}). */
export const PCAP_RECORDS: RecordTransform<null> = { module: __filename, name: pcapFormatter.name, params: null };

const HEX = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/**
 * The candump formatter: each frame record becomes exactly the line `formatCandumpLine` gives plus a newline
 * (classic data frames make room for `MAX_CLASSIC_LINE` + 3 bytes per channel character, other frames for their exact
 * length, raw records for theirs: the chunk boundaries `BudgetedStream` had, so the files are the same bytes).
 */
export function candumpFormatter(_params: null): RecordFormatter {
  let channel = new Uint8Array(0);
  let classicRoom = MAX_CLASSIC_LINE;
  let lastMs = NaN;
  const stamp = new Uint8Array(64);
  let stampLen = 0;
  function setStamp(ms: number): void {
    if (ms === lastMs) return;
    const us = Math.round(ms * 1000);
    const sec = Math.floor(us / 1e6);
    const text = `${sec}.${String(us - sec * 1e6).padStart(6, '0')}`;
    for (let i = 0; i < text.length; i++) stamp[i] = text.charCodeAt(i);
    stampLen = text.length;
    lastMs = ms;
  }
  function hexId(id: number, digits: number): string {
    return id.toString(16).toUpperCase().padStart(digits, '0');
  }
  function otherLine(u8: Uint8Array, o: number, flags: number, id: number, out: ChunkOut): void {
    const len = u8[o + 13]!;
    let hex = '';
    for (let i = 0; i < len; i++) hex += String.fromCharCode(HEX[u8[o + 16 + i]! >> 4]!, HEX[u8[o + 16 + i]! & 0xf]!);
    const digits = flags & EXTENDED ? 8 : 3;
    let body: string;
    if (flags & ERROR) body = `${hexId(0x20000000 | (id & 0x1fffffff), 8)}#${hex}`;
    else if (flags & FD) body = `${hexId(id, digits)}##0${hex}`;
    else if (flags & RTR) body = `${hexId(id, digits)}#R${u8[o + 14] ? u8[o + 14]! : ''}`;
    else body = `${hexId(id, digits)}#${hex}`;
    out.room(1 + stampLen + 2 + channel.length + 1 + body.length + 1);
    const b = out.buf;
    let p = out.len;
    b[p++] = 0x28;
    for (let i = 0; i < stampLen; i++) b[p++] = stamp[i]!;
    b[p++] = 0x29;
    b[p++] = 0x20;
    b.set(channel, p);
    p += channel.length;
    b[p++] = 0x20;
    for (let i = 0; i < body.length; i++) b[p++] = body.charCodeAt(i);
    b[p++] = 0x0a;
    out.len = p;
  }
  return (u8, f64, u32, start, end, out) => {
    let o = start;
    while (o < end) {
      const flags = u8[o + 12]!;
      if (flags >= CHANNEL_RECORD) {
        if (flags & RAW_RECORD) {
          o = copyRawRecord(u8, u32, o, out);
          continue;
        }
        const n = u32[(o >> 2) + 2]!;
        channel = u8.slice(o + 16, o + 16 + n);
        classicRoom = MAX_CLASSIC_LINE + f64[o >> 3]! * 3;
        o += 16 + ((n + 7) & ~7);
        continue;
      }
      const len = u8[o + 13]!;
      setStamp(f64[o >> 3]!);
      const id = u32[(o >> 2) + 2]!;
      if (flags <= EXTENDED && len <= 8) {
        out.room(classicRoom);
        const b = out.buf;
        let p = out.len;
        b[p++] = 0x28; // (
        for (let i = 0; i < stampLen; i++) b[p++] = stamp[i]!;
        b[p++] = 0x29; // )
        b[p++] = 0x20;
        for (let i = 0; i < channel.length; i++) b[p++] = channel[i]!;
        b[p++] = 0x20;
        for (let i = flags === EXTENDED ? 7 : 2; i >= 0; i--) b[p++] = HEX[(id >>> (i * 4)) & 0xf]!;
        b[p++] = 0x23; // #
        for (let i = 0; i < len; i++) {
          const v = u8[o + 16 + i]!;
          b[p++] = HEX[v >> 4]!;
          b[p++] = HEX[v & 0xf]!;
        }
        b[p++] = 0x0a;
        out.len = p;
      } else otherLine(u8, o, flags, id, out);
      o += 16 + ((len + 7) & ~7);
    }
  };
}

/**
 * The pcap formatter: each frame record becomes exactly the bytes `pcapRecord` gives (the global header is a raw
 * record the writer puts first); channel records are skipped (classic pcap has no per-packet interface).
 */
export function pcapFormatter(_params: null): RecordFormatter {
  function le32(b: Uint8Array, p: number, v: number): void {
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = (v >>> 24) & 0xff;
  }
  return (u8, f64, u32, start, end, out) => {
    let o = start;
    while (o < end) {
      const flags = u8[o + 12]!;
      if (flags >= CHANNEL_RECORD) {
        if (flags & RAW_RECORD) o = copyRawRecord(u8, u32, o, out);
        else o += 16 + ((u32[(o >> 2) + 2]! + 7) & ~7);
        continue;
      }
      const len = u8[o + 13]!;
      const ext = (flags & EXTENDED) !== 0;
      const rtr = (flags & RTR) !== 0;
      const err = (flags & ERROR) !== 0;
      const fd = (flags & FD) !== 0;
      const caplen = 8 + (fd ? 64 : 8);
      out.room(16 + caplen);
      const b = out.buf;
      const p = out.len;
      b.fill(0, p, p + 16 + caplen);
      const us = Math.round(f64[o >> 3]! * 1000);
      const sec = Math.floor(us / 1e6);
      le32(b, p, sec >>> 0);
      le32(b, p + 4, us - sec * 1e6);
      le32(b, p + 8, caplen);
      le32(b, p + 12, caplen);
      const id = u32[(o >> 2) + 2]!;
      let canId = id & (ext || err ? 0x1fffffff : 0x7ff);
      if (ext && !err) canId |= 0x80000000;
      if (rtr) canId |= 0x40000000;
      if (err) canId |= 0x20000000;
      b[p + 16] = (canId >>> 24) & 0xff;
      b[p + 17] = (canId >>> 16) & 0xff;
      b[p + 18] = (canId >>> 8) & 0xff;
      b[p + 19] = canId & 0xff;
      b[p + 20] = rtr ? u8[o + 14]! : len;
      b[p + 21] = fd ? 0x04 : 0;
      if (!rtr) b.set(u8.subarray(o + 16, o + 16 + len), p + 24);
      out.len = p + 16 + caplen;
      o += 16 + ((len + 7) & ~7);
    }
  };
}
