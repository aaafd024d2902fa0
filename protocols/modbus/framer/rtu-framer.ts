import { checkCrc } from './crc';
import { MAX_RTU_ADU, NEED_MORE, UNKNOWN, requestAduLength, responseAduLength } from './rtu-lengths';
import { bitsPerChar, t35Ms } from '../rtu/rtu-timing';

/** One RTU frame found on the line, CRC checked. */
export interface RtuFrame {
  unitId: number;
  /** Function code + data (no unit id, no CRC). A view into `adu`. */
  pdu: Uint8Array;
  /** The whole frame as received, CRC included. */
  adu: Uint8Array;
  /** Clock time (ms) at which the frame's last byte was received (the latest chunk's time: an upper bound). */
  at: number;
}

/** Why bytes were dropped. A run of dropped bytes counts once, under the reason that started it. */
export type RtuDropReason =
  /** A frame-shaped run whose length is known by content but whose CRC does not match. */
  | 'bad-crc'
  /** Bytes that do not start a plausible frame (unit id > 247, function code 0 or >= 0x80 in a request, ...). */
  | 'garbage'
  /** A frame cut short: a silence came before its expected length, and what follows is a frame of its own. */
  | 'truncated'
  /** A length above 256 bytes (from a byte count, or no boundary found within 256 bytes). */
  | 'too-long';

/** A dropped run keeps this many bytes for the log; a longer one (a garbage flood with no silence) is counted. */
const MAX_DROP_SAMPLE = 256;

export interface RtuFramerStats {
  frames: number;
  bytes: number;
  drops: Record<RtuDropReason, number>;
  droppedBytes: number;
}

export interface RtuFramerOptions {
  /** Which side we are: a server parses requests, a client parses responses. */
  kind: 'request' | 'response';
  baudRate: number;
  /** Bits per character for arrival-time estimates (default 11). */
  bitsPerChar?: number;
  /** Which unit ids may start a frame (default 0..247). */
  plausibleUnit?: (unitId: number) => boolean;
  /** Told about each dropped run once it is closed: its first bytes (up to 256) and its length. */
  onDrop?: (reason: RtuDropReason, firstBytes: Uint8Array, length: number) => void;
}

/**
 * Finds RTU frames in a byte stream (STYLE.md point 6; Modbus over Serial Line 2.5.1.1).
 *
 * How:
 * - By content first: unit id, function code -> expected length (byte counts for FC 15/16/23...), then the CRC.
 *   A frame whose content and CRC check out is accepted even when a silence fell inside it (USB adapters and
 *   ptys deliver frames in pieces), provided a silence also follows it: the gap alone is never trusted, and a
 *   frame cut short and "completed" by the first bytes of the next one is not taken for a frame (a cut frame's
 *   own CRC bytes make that likelier than 1 in 65536: CRC(m, crc_lo(m)) = crc_hi(m), so a frame one byte short
 *   followed by 0x00 checks out).
 * - Gaps are hints: a silence of at least t3.5 before a byte marks a likely frame start. When the frame in
 *   progress cannot be completed and a valid frame starts at such a mark, the bytes before it are dropped
 *   ('truncated'). Function codes without a known layout are framed by gap: the bytes up to the next mark (or up to
 *   a silence) must carry a valid CRC.
 * - On a mismatch the framer slides one byte and tries again (resync), so garbage costs only the garbage.
 *
 * Contract: `push` and `silence` never throw on any input; every byte ends up in a frame, in a counted drop, or
 * still pending (`pending`). The owner calls `silence(now)` once the line has been quiet for t3.5
 * (`silenceDueAt`), which lets the framer close frames it could only delimit by the gap.
 */
export class RtuFramer {
  readonly stats: RtuFramerStats = {
    frames: 0,
    bytes: 0,
    drops: { 'bad-crc': 0, garbage: 0, truncated: 0, 'too-long': 0 },
    droppedBytes: 0,
  };
  private readonly lengthOf: (buf: Uint8Array, p: number, avail: number) => number;
  private readonly plausibleUnit: (unitId: number) => boolean;
  private readonly charMs: number;
  private readonly t35: number;
  private buf = new Uint8Array(0);
  /** Offsets in `buf` of bytes that followed a silence >= t3.5, ascending. */
  private marks: number[] = [];
  private lastByteAt = -Infinity;
  private quietSeen = false;
  private openDrop: { reason: RtuDropReason; count: number; bytes: number[] } | undefined;

  constructor(private readonly options: RtuFramerOptions) {
    this.lengthOf = options.kind === 'request' ? requestAduLength : responseAduLength;
    this.plausibleUnit = options.plausibleUnit ?? ((u) => u <= 247);
    this.charMs = ((options.bitsPerChar ?? bitsPerChar()) * 1000) / options.baudRate;
    this.t35 = t35Ms(options.baudRate);
  }

  /** Bytes received but not yet part of a frame or a drop. */
  get pending(): number {
    return this.buf.length + (this.openDrop?.count ?? 0);
  }

  /** When the owner should call `silence` (t3.5 after the last byte), or undefined when nothing waits on it. */
  get silenceDueAt(): number | undefined {
    return this.pending > 0 && !this.quietSeen ? this.lastByteAt + this.t35 : undefined;
  }

  /** Feed bytes received at clock time `now` (ms, time of the chunk's last byte). Returns the frames completed. */
  push(chunk: Uint8Array, now: number): RtuFrame[] {
    if (chunk.length === 0) return [];
    this.stats.bytes += chunk.length;
    const firstByteAt = now - (chunk.length - 1) * this.charMs;
    const gap = this.quietSeen || firstByteAt - this.charMs - this.lastByteAt >= this.t35;
    this.quietSeen = false;
    this.lastByteAt = now;
    if (gap) {
      if (this.buf.length === 0) this.closeDrop();
      else this.marks.push(this.buf.length);
    }
    const next = new Uint8Array(this.buf.length + chunk.length);
    next.set(this.buf, 0);
    next.set(chunk, this.buf.length);
    this.buf = next;
    return this.decode(false, now);
  }

  /** The line has been quiet for t3.5 since the last byte: the end of the buffer is a frame boundary. */
  silence(now: number): RtuFrame[] {
    if (this.quietSeen) return [];
    this.quietSeen = true;
    const frames = this.decode(true, now);
    if (this.openDrop && this.buf.length > 0) {
      // Mid-resync, a partial candidate is weak evidence: the silence ends the bad run. (A partial frame that began
      // at a boundary is kept: the rest may still come, as with USB adapters that deliver in pieces.)
      for (const b of this.buf) this.dropByte('garbage', b);
      this.buf = new Uint8Array(0);
      this.marks = [];
    }
    if (this.buf.length === 0) this.closeDrop();
    return frames;
  }

  /** Forget buffered bytes (counted as a drop of the reason of the run in progress, else 'truncated'). */
  reset(): void {
    for (const b of this.buf) this.dropByte('truncated', b);
    this.closeDrop();
    this.buf = new Uint8Array(0);
    this.marks = [];
  }

  private decode(atSilence: boolean, now: number): RtuFrame[] {
    const frames: RtuFrame[] = [];
    const buf = this.buf;
    const len = buf.length;
    let p = 0;
    let mi = 0; // index of the first mark > p
    const advanceMarks = (): void => {
      while (mi < this.marks.length && this.marks[mi]! <= p) {
        if (this.marks[mi] === p) this.closeDrop();
        mi++;
      }
    };
    const slide = (reason: RtuDropReason): void => {
      this.dropByte(reason, buf[p]!);
      p++;
      advanceMarks();
    };
    const jumpTo = (to: number, reason: RtuDropReason): void => {
      while (p < to) this.dropByte(reason, buf[p++]!);
      advanceMarks();
    };

    while (p < len) {
      const avail = len - p;
      const nextMark = mi < this.marks.length ? this.marks[mi]! : undefined;
      const boundary = nextMark ?? (atSilence ? len : undefined);
      const unit = buf[p]!;
      const fc = avail > 1 ? buf[p + 1]! : -1;
      if (!this.plausibleUnit(unit) || fc === 0 || (fc >= 0x80 && this.options.kind === 'request')) {
        slide('garbage');
        continue;
      }
      const size = fc < 0 ? NEED_MORE : this.lengthOf(buf, p, avail);
      if (size === UNKNOWN) {
        // No layout known: delimit by the next boundary, then the CRC must match.
        if (boundary === undefined) {
          if (avail > MAX_RTU_ADU) slide('too-long');
          else break;
          continue;
        }
        const n = boundary - p;
        if (n >= 4 && n <= MAX_RTU_ADU && checkCrc(buf, p, boundary)) {
          frames.push(this.emit(p, boundary, now));
          p = boundary;
          advanceMarks();
        } else slide(n > MAX_RTU_ADU ? 'too-long' : 'garbage');
        continue;
      }
      if (size > MAX_RTU_ADU) {
        slide('too-long');
        continue;
      }
      if (size !== NEED_MORE && size <= avail) {
        const end = p + size;
        const spansSilence = nextMark !== undefined && nextMark < end;
        if (checkCrc(buf, p, end) && (!spansSilence || this.marks.includes(end) || (end === len && atSilence))) {
          // A frame with a silence inside is accepted only when a silence also follows it (pieces of one frame).
          frames.push(this.emit(p, end, now));
          p = end;
          advanceMarks();
        } else if (spansSilence && end === len && !atSilence && checkCrc(buf, p, end)) {
          break; // pieces of one frame, or a cut frame completed by a new one: the next silence or byte tells
        } else if (spansSilence) {
          // A silence inside the expected frame, and the CRC fails or bytes follow with no silence: the frame was
          // cut short there and a new one started after the silence.
          jumpTo(nextMark!, 'truncated');
        } else {
          slide('bad-crc');
        }
        continue;
      }
      // Incomplete. Wait for more bytes, unless a boundary says a new frame has already started.
      const resync = this.findFrameAfter(p, nextMark, atSilence);
      if (resync === undefined) break;
      jumpTo(resync, 'truncated');
    }

    this.buf = p === 0 ? buf : buf.slice(p);
    this.marks = this.marks.slice(mi).map((m) => m - p);
    return frames;
  }

  /**
   * The frame at `p` is incomplete. If a silence came after it and a complete, CRC-valid frame starts after `p`,
   * return where (the mark first; at a silence, any later offset), else undefined (keep waiting).
   */
  private findFrameAfter(p: number, nextMark: number | undefined, atSilence: boolean): number | undefined {
    if (nextMark !== undefined && this.completeFrameAt(nextMark, atSilence)) return nextMark;
    if (!atSilence) return undefined;
    for (let q = p + 1; q + 4 <= this.buf.length; q++) if (this.completeFrameAt(q, atSilence)) return q;
    return undefined;
  }

  /** Whether a whole valid frame starts at `q`: by content length, or (no known layout) up to the next boundary. */
  private completeFrameAt(q: number, atSilence: boolean): boolean {
    const buf = this.buf;
    const avail = buf.length - q;
    if (avail < 4 || !this.plausibleUnit(buf[q]!)) return false;
    const fc = buf[q + 1]!;
    if (fc === 0 || (fc >= 0x80 && this.options.kind === 'request')) return false;
    const size = this.lengthOf(buf, q, avail);
    if (size === UNKNOWN) {
      const end = this.marks.find((m) => m > q) ?? (atSilence ? buf.length : undefined);
      return end !== undefined && end - q >= 4 && end - q <= MAX_RTU_ADU && checkCrc(buf, q, end);
    }
    return size > 0 && size <= avail && size <= MAX_RTU_ADU && checkCrc(buf, q, q + size);
  }

  private emit(start: number, end: number, now: number): RtuFrame {
    this.closeDrop();
    const adu = this.buf.slice(start, end);
    this.stats.frames++;
    return { unitId: adu[0]!, pdu: adu.subarray(1, adu.length - 2), adu, at: Math.min(now, this.lastByteAt) };
  }

  private dropByte(reason: RtuDropReason, byte: number): void {
    this.openDrop ??= { reason, count: 0, bytes: [] };
    this.openDrop.count++;
    if (this.openDrop.bytes.length < MAX_DROP_SAMPLE) this.openDrop.bytes.push(byte);
  }

  private closeDrop(): void {
    const d = this.openDrop;
    if (!d) return;
    this.openDrop = undefined;
    this.stats.drops[d.reason]++;
    this.stats.droppedBytes += d.count;
    this.options.onDrop?.(d.reason, Uint8Array.from(d.bytes), d.count);
  }
}
