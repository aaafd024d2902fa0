/**
 * An independent expectation for the fuzz test, written from the specifications (Modbus Application Protocol
 * v1.1b3 section 6/7, Modbus Messaging on TCP/IP, Modbus over Serial Line) without using the code under test:
 * what a server with the fuzz layout must answer to a request PDU, how an MBAP stream splits into frames, and which
 * RTU byte strings contain a frame at all.
 */

/**
 * The register layout of every fuzz unit (same for units 1..4):
 * holding 0..63 read/write, holding 64..127 read-only with value 0xA000 + address, input 0..63 = 0xB000 + address,
 * coils 0..63 read/write, discrete inputs 0..63 = (address % 3 == 0). Everything else is absent.
 */
export const LAYOUT = { rw: 64, holding: 128, input: 64, coils: 64, discrete: 64 } as const;
export const roValue = (a: number): number => 0xa000 + a;
export const inputValue = (a: number): number => 0xb000 + a;
export const discreteValue = (a: number): boolean => a % 3 === 0;

/** What the answer to one request PDU must be. */
export type Expect =
  | { kind: 'exception'; fc: number; code: number }
  /** A normal response; `check` returns why it is wrong, or null. */
  | { kind: 'response'; fc: number; check: (pdu: Uint8Array) => string | null };

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const exc = (fc: number, code: number): Expect => ({ kind: 'exception', fc: (fc | 0x80) & 0xff, code });
const within = (addr: number, qty: number, size: number): boolean => addr + qty <= size;

function same(expected: number[]): (pdu: Uint8Array) => string | null {
  return (pdu) => (pdu.length === expected.length && expected.every((b, i) => pdu[i] === b) ? null : `expected ${hex(expected)}`);
}

export function hex(b: ArrayLike<number>): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Expected answer from a fuzz unit (one of ours) to `pdu`. */
export function expectFor(pdu: Uint8Array): Expect {
  const fc = pdu[0]!;
  const n = pdu.length;
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      const max = fc <= 2 ? 2000 : 125;
      if (n !== 5) return exc(fc, 3);
      const addr = u16(pdu, 1);
      const qty = u16(pdu, 3);
      if (qty < 1 || qty > max) return exc(fc, 3);
      if (addr + qty > 0x10000) return exc(fc, 2);
      const size = fc === 1 ? LAYOUT.coils : fc === 2 ? LAYOUT.discrete : fc === 3 ? LAYOUT.holding : LAYOUT.input;
      if (!within(addr, qty, size)) return exc(fc, 2);
      if (fc <= 2) {
        return {
          kind: 'response',
          fc,
          check: (r) => {
            const bc = Math.ceil(qty / 8);
            if (r.length !== 2 + bc || r[1] !== bc) return `bit response of ${r.length} bytes for ${qty} bits`;
            for (let i = qty; i < bc * 8; i++) if ((r[2 + (i >> 3)]! >> (i & 7)) & 1) return 'padding bits not zero';
            if (fc === 2) {
              for (let i = 0; i < qty; i++) {
                if ((((r[2 + (i >> 3)]! >> (i & 7)) & 1) === 1) !== discreteValue(addr + i)) return `discrete input ${addr + i} wrong`;
              }
            }
            return null;
          },
        };
      }
      return {
        kind: 'response',
        fc,
        check: (r) => {
          if (r.length !== 2 + 2 * qty || r[1] !== 2 * qty) return `register response of ${r.length} bytes for ${qty} registers`;
          for (let i = 0; i < qty; i++) {
            const a = addr + i;
            const v = u16(r, 2 + 2 * i);
            if (fc === 4 && v !== inputValue(a)) return `input register ${a} = ${v}`;
            if (fc === 3 && a >= LAYOUT.rw && v !== roValue(a)) return `read-only holding register ${a} = ${v}`;
          }
          return null;
        },
      };
    }
    case 5: {
      if (n !== 5) return exc(fc, 3);
      const v = u16(pdu, 3);
      if (v !== 0 && v !== 0xff00) return exc(fc, 3);
      if (u16(pdu, 1) >= LAYOUT.coils) return exc(fc, 2);
      return { kind: 'response', fc, check: same([...pdu]) };
    }
    case 6:
      if (n !== 5) return exc(fc, 3);
      if (u16(pdu, 1) >= LAYOUT.rw) return exc(fc, 2); // a gap, or read-only
      return { kind: 'response', fc, check: same([...pdu]) };
    case 15:
    case 16: {
      if (n < 6) return exc(fc, 3);
      const addr = u16(pdu, 1);
      const qty = u16(pdu, 3);
      const bc = pdu[5]!;
      const max = fc === 15 ? 1968 : 123;
      const want = fc === 15 ? Math.ceil(qty / 8) : 2 * qty;
      if (qty < 1 || qty > max || bc !== want || n !== 6 + bc) return exc(fc, 3);
      if (addr + qty > 0x10000) return exc(fc, 2);
      if (!within(addr, qty, fc === 15 ? LAYOUT.coils : LAYOUT.rw)) return exc(fc, 2);
      return { kind: 'response', fc, check: same([fc, pdu[1]!, pdu[2]!, pdu[3]!, pdu[4]!]) };
    }
    case 23: {
      if (n < 10) return exc(fc, 3);
      const ra = u16(pdu, 1);
      const rq = u16(pdu, 3);
      const wa = u16(pdu, 5);
      const wq = u16(pdu, 7);
      const bc = pdu[9]!;
      if (rq < 1 || rq > 125 || wq < 1 || wq > 121 || bc !== 2 * wq || n !== 10 + bc) return exc(fc, 3);
      if (ra + rq > 0x10000 || wa + wq > 0x10000) return exc(fc, 2);
      if (!within(wa, wq, LAYOUT.rw) || !within(ra, rq, LAYOUT.holding)) return exc(fc, 2);
      return {
        kind: 'response',
        fc,
        check: (r) => {
          if (r.length !== 2 + 2 * rq || r[1] !== 2 * rq) return `FC23 response of ${r.length} bytes for ${rq} registers`;
          for (let i = 0; i < rq; i++) {
            const a = ra + i;
            const v = u16(r, 2 + 2 * i);
            // The write happens before the read (spec 6.17): written registers read back as written.
            if (a >= wa && a < wa + wq && v !== u16(pdu, 10 + 2 * (a - wa))) return `FC23 register ${a} = ${v}, not the value written`;
            if (a >= LAYOUT.rw && v !== roValue(a)) return `read-only holding register ${a} = ${v}`;
          }
          return null;
        },
      };
    }
    case 43:
      // Only MEI 14 exists here, and the fuzz units have no identification objects.
      if (n < 2 || pdu[1] !== 14) return exc(fc, 1);
      if (n !== 4 || pdu[2]! < 1 || pdu[2]! > 4) return exc(fc, 3);
      return exc(fc, 1);
    default:
      return exc(fc, 1);
  }
}

/** Compare an answer PDU with the expectation; a reason or null. */
export function judge(e: Expect, pdu: Uint8Array): string | null {
  if (e.kind === 'exception') {
    return pdu.length === 2 && pdu[0] === e.fc && pdu[1] === e.code ? null : `expected exception ${hex([e.fc, e.code])}`;
  }
  if (pdu[0] !== e.fc) return `expected function ${e.fc}`;
  return e.check(pdu);
}

/** One MBAP stream event, as the Modbus/TCP rules make it. */
export type MbapEvent =
  | { kind: 'frame'; tid: number; unit: number; pdu: Uint8Array }
  | { kind: 'drop'; reason: 'bad-protocol-id' | 'bad-length' }
  | { kind: 'close' };

/**
 * How a server splits an MBAP byte stream: length field (bytes 4-5) counts unit + PDU; a length that makes the ADU
 * exceed 260 bytes means the framing is lost (the connection is closed); protocol id != 0 or a length < 2 (no
 * function code) drops that frame.
 */
export class MbapStream {
  private buf: number[] = [];
  closed = false;

  get pending(): number {
    return this.buf.length;
  }

  feed(bytes: ArrayLike<number>): MbapEvent[] {
    if (this.closed) return [];
    for (let i = 0; i < bytes.length; i++) this.buf.push(bytes[i]!);
    const out: MbapEvent[] = [];
    while (this.buf.length >= 6) {
      const b = this.buf;
      const len = (b[4]! << 8) | b[5]!;
      if (len + 6 > 260) {
        this.closed = true;
        this.buf = [];
        out.push({ kind: 'close' });
        return out;
      }
      if (b.length < 6 + len) break;
      const frame = b.splice(0, 6 + len);
      const pid = (frame[2]! << 8) | frame[3]!;
      if (pid !== 0) out.push({ kind: 'drop', reason: 'bad-protocol-id' });
      else if (len < 2) out.push({ kind: 'drop', reason: 'bad-length' });
      else out.push({ kind: 'frame', tid: (frame[0]! << 8) | frame[1]!, unit: frame[6]!, pdu: Uint8Array.from(frame.slice(7)) });
    }
    return out;
  }
}

/** CRC-16/MODBUS per byte, bit by bit as Modbus over Serial Line 6.2.2 prints it (not the code under test). */
const CRC_BYTE = Array.from({ length: 256 }, (_, v) => {
  let crc = v;
  for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  return crc;
});

export function crc16(b: ArrayLike<number>, start = 0, end = b.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >> 8) ^ CRC_BYTE[(crc ^ b[i]!) & 0xff]!;
  return crc;
}

export function withCrc(body: number[]): number[] {
  const c = crc16(body);
  return [...body, c & 0xff, c >> 8];
}

function crcOk(b: ArrayLike<number>, start: number, end: number): boolean {
  if (end - start < 4) return false;
  const c = crc16(b, start, end - 2);
  return b[end - 2] === (c & 0xff) && b[end - 1] === c >> 8;
}

/** RTU request length by content (unit + PDU + CRC), undefined when the function has no fixed layout. */
function requestLength(b: ArrayLike<number>, i: number): number | undefined {
  const fc = b[i + 1];
  const at = (k: number): number | undefined => (i + k < b.length ? b[i + k] : undefined);
  switch (fc) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 8: return 8;
    case 7: case 11: case 12: case 17: return 4;
    case 15: case 16: { const c = at(6); return c === undefined ? Infinity : 9 + c; }
    case 20: case 21: { const c = at(2); return c === undefined ? Infinity : 5 + c; }
    case 22: return 10;
    case 23: { const c = at(10); return c === undefined ? Infinity : 13 + c; }
    case 24: return 6;
    case 43: return at(2) === 14 ? 7 : undefined;
    default: return undefined;
  }
}

/** A frame an RTU server could find in a burst of bytes: where, and its unit and PDU. */
export interface RtuCandidate {
  start: number;
  unit: number;
  pdu: Uint8Array;
}

/**
 * Classify one burst of bytes sent between silences. `whole`: the burst is exactly one valid request frame.
 * `inner`: every sub-run that is a valid request (content length and CRC, or gap-delimited CRC for functions with
 * no fixed layout); a server that resyncs may find one of them. None of either: the server must stay silent.
 */
export function rtuCandidates(b: ArrayLike<number>): { whole: RtuCandidate | undefined; inner: RtuCandidate[] } {
  const inner: RtuCandidate[] = [];
  let whole: RtuCandidate | undefined;
  for (let i = 0; i + 4 <= b.length; i++) {
    const unit = b[i]!;
    const fc = b[i + 1]!;
    if (unit > 247 || fc === 0 || fc >= 0x80) continue;
    const len = requestLength(b, i);
    const end = len === undefined ? b.length : i + len;
    if (end > b.length || end - i > 256 || !crcOk(b, i, end)) continue;
    const c = { start: i, unit, pdu: Uint8Array.from(Array.prototype.slice.call(b, i + 1, end - 2) as number[]) };
    if (i === 0 && end === b.length) whole = c;
    inner.push(c);
  }
  return { whole, inner };
}
