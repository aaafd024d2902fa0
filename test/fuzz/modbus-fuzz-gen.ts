/** Seeded generators of good, bad and mutated Modbus frames for the fuzz test. */
import { LAYOUT, withCrc } from './modbus-fuzz-oracle';

/** xorshift32: small, seeded, independent of the code under test. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): number[] {
    return Array.from({ length: n }, () => this.int(256));
  }
}

const hi = (v: number): number => (v >> 8) & 0xff;
const lo = (v: number): number => v & 0xff;

/** An address for a table of `size`: mostly inside, sometimes just past the end, sometimes anywhere. */
function address(r: Rng, size: number, qty: number): number {
  const p = r.int(10);
  if (p < 7) return r.int(Math.max(1, size - qty + 1));
  if (p < 9) return r.range(Math.max(0, size - qty), size + 5);
  return r.int(0x10000);
}

/** A well-formed request PDU (it may still address registers the unit does not have). */
export function validPdu(r: Rng): number[] {
  const fc = r.pick([1, 2, 3, 4, 5, 6, 15, 16, 23, 43]);
  switch (fc) {
    case 1:
    case 2: {
      const q = r.chance(0.8) ? r.range(1, 40) : r.range(1, 2000);
      const a = address(r, LAYOUT.coils, q);
      return [fc, hi(a), lo(a), hi(q), lo(q)];
    }
    case 3:
    case 4: {
      const q = r.range(1, r.chance(0.8) ? 20 : 125);
      const a = address(r, fc === 3 ? LAYOUT.holding : LAYOUT.input, q);
      return [fc, hi(a), lo(a), hi(q), lo(q)];
    }
    case 5: {
      const a = address(r, LAYOUT.coils, 1);
      return [5, hi(a), lo(a), r.chance(0.5) ? 0xff : 0, 0];
    }
    case 6: {
      const a = address(r, LAYOUT.holding, 1);
      return [6, hi(a), lo(a), r.int(256), r.int(256)];
    }
    case 15: {
      const q = r.range(1, r.chance(0.9) ? 40 : 1968);
      const a = address(r, LAYOUT.coils, q);
      const n = Math.ceil(q / 8);
      return [15, hi(a), lo(a), hi(q), lo(q), n, ...r.bytes(n)];
    }
    case 16: {
      const q = r.range(1, r.chance(0.9) ? 10 : 123);
      const a = address(r, LAYOUT.rw, q);
      return [16, hi(a), lo(a), hi(q), lo(q), 2 * q, ...r.bytes(2 * q)];
    }
    case 23: {
      const rq = r.range(1, r.chance(0.9) ? 10 : 125);
      const wq = r.range(1, r.chance(0.9) ? 10 : 121);
      const ra = address(r, LAYOUT.holding, rq);
      const wa = address(r, LAYOUT.rw, wq);
      return [23, hi(ra), lo(ra), hi(rq), lo(rq), hi(wa), lo(wa), hi(wq), lo(wq), 2 * wq, ...r.bytes(2 * wq)];
    }
    default:
      return [43, 14, r.range(1, 4), r.int(8)];
  }
}

/** Quantities beyond the limits, and byte counts that disagree with them. */
export function hugeQuantityPdu(r: Rng): number[] {
  const fc = r.pick([1, 2, 3, 4, 15, 16, 23]);
  const q = r.chance(0.5) ? r.range(fc <= 2 ? 2001 : 126, 0xffff) : r.pick([0, 0xffff, 0x8000, 2001, 126, 124, 1969]);
  const a = r.int(0x10000);
  if (fc <= 4) return [fc, hi(a), lo(a), hi(q), lo(q)];
  if (fc === 23) return [23, 0, 0, hi(q), lo(q), 0, 0, hi(q), lo(q), r.int(256), ...r.bytes(r.int(40))];
  const n = r.int(256);
  return [fc, hi(a), lo(a), hi(q), lo(q), n, ...r.bytes(r.chance(0.5) ? n : r.int(250))];
}

/** Function codes the server does not implement (including exception-flagged ones), random payload. */
export function unknownFunctionPdu(r: Rng): number[] {
  const known = new Set([1, 2, 3, 4, 5, 6, 15, 16, 23, 43]);
  let fc = r.int(256);
  while (known.has(fc)) fc = r.int(256);
  return [fc, ...r.bytes(r.int(12))];
}

/** A PDU with one field's length wrong: data cut short or extended, byte count off. */
export function badLengthPdu(r: Rng): number[] {
  const p = validPdu(r);
  const k = r.int(3);
  if (k === 0) return p.slice(0, r.int(p.length)); // cut short (maybe empty)
  if (k === 1) return [...p, ...r.bytes(r.range(1, 4))];
  if (p.length > 5) p[5] = (p[5]! + r.range(1, 255)) & 0xff; // byte count off
  return p;
}

/** Bit flips, insertions and deletions anywhere in a frame (headers and CRCs included). */
export function mutate(r: Rng, frame: number[]): number[] {
  const f = frame.slice();
  const n = r.range(1, 3);
  for (let i = 0; i < n; i++) {
    const k = r.int(4);
    if (k <= 1 && f.length > 0) {
      const at = r.int(f.length);
      f[at] = f[at]! ^ (1 << r.int(8));
    } else if (k === 2) f.splice(r.int(f.length + 1), 0, r.int(256));
    else if (f.length > 1) f.splice(r.int(f.length), 1);
  }
  return f;
}

export type Category =
  | 'valid'
  | 'bad-length'
  | 'unknown-function'
  | 'huge-quantity'
  | 'mutated'
  | 'random-bytes'
  | 'bad-protocol-id'
  | 'truncated-mbap'
  | 'bad-crc'
  | 'truncated-frame'
  | 'other-unit'
  | 'broadcast';

export interface FuzzFrame {
  category: Category;
  bytes: number[];
}

/** Units the fuzz core serves. */
export const UNITS = [1, 2, 3, 4];

function tcpUnit(r: Rng): number {
  return r.chance(0.95) ? r.pick(UNITS) : r.pick([0, 9, 247, 255]);
}

function mbap(tid: number, pid: number, len: number, unit: number, pdu: number[]): number[] {
  return [hi(tid), lo(tid), hi(pid), lo(pid), hi(len), lo(len), unit, ...pdu];
}

/** One Modbus/TCP fuzz frame. */
export function tcpFrame(r: Rng, tid: number): FuzzFrame {
  const p = r.int(100);
  const unit = tcpUnit(r);
  const wrap = (pdu: number[]): number[] => mbap(tid, 0, pdu.length + 1, unit, pdu);
  if (p < 30) return { category: 'valid', bytes: wrap(validPdu(r)) };
  if (p < 42) return { category: 'mutated', bytes: mutate(r, wrap(validPdu(r))) };
  if (p < 52) return { category: 'unknown-function', bytes: wrap(unknownFunctionPdu(r)) };
  if (p < 64) return { category: 'huge-quantity', bytes: wrap(hugeQuantityPdu(r)) };
  if (p < 76) {
    const pdu = validPdu(r);
    if (r.chance(0.5)) return { category: 'bad-length', bytes: wrap(badLengthPdu(r)) };
    const len = r.chance(0.7) ? pdu.length + 1 + r.pick([-3, -2, -1, 1, 2, 3]) : r.int(0x10000);
    return { category: 'bad-length', bytes: mbap(tid, 0, len & 0xffff, unit, pdu) };
  }
  if (p < 84) {
    const pdu = validPdu(r);
    return { category: 'bad-protocol-id', bytes: mbap(tid, r.range(1, 0xffff), pdu.length + 1, unit, pdu) };
  }
  if (p < 92) return { category: 'truncated-mbap', bytes: wrap(validPdu(r)).slice(0, r.range(1, 6)) };
  return { category: 'random-bytes', bytes: r.bytes(r.range(1, 40)) };
}

/** One Modbus RTU fuzz frame (a burst sent between silences). */
export function rtuFrame(r: Rng): FuzzFrame {
  const p = r.int(100);
  const unit = r.pick(UNITS);
  const wrap = (pdu: number[], u = unit): number[] => withCrc([u, ...pdu]);
  if (p < 30) return { category: 'valid', bytes: wrap(validPdu(r)) };
  if (p < 45) return { category: 'mutated', bytes: mutate(r, wrap(validPdu(r))) };
  if (p < 53) return { category: 'unknown-function', bytes: wrap(unknownFunctionPdu(r)) };
  if (p < 62) return { category: 'huge-quantity', bytes: wrap(hugeQuantityPdu(r)) };
  if (p < 70) return { category: 'bad-length', bytes: wrap(badLengthPdu(r)) };
  if (p < 78) {
    const f = wrap(validPdu(r));
    f[f.length - 1 - r.int(2)]! ^= r.range(1, 255);
    return { category: 'bad-crc', bytes: f };
  }
  if (p < 84) {
    const f = wrap(validPdu(r));
    return { category: 'truncated-frame', bytes: f.slice(0, r.range(1, f.length - 1)) };
  }
  if (p < 90) return { category: 'other-unit', bytes: wrap(validPdu(r), r.pick([5, 9, 100, 247])) };
  if (p < 93) return { category: 'broadcast', bytes: wrap(validPdu(r), 0) };
  return { category: 'random-bytes', bytes: r.bytes(r.range(1, 300)) };
}
