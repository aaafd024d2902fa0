/**
 * Register encoding of SunSpec point types: sizes, "not implemented" values (PROTOCOLS.md) and conversion between
 * registers (big-endian words, most significant word first) and raw values. Raw values are integers (number for
 * 16/32-bit types, bigint for 64-bit types), numbers for float32, strings for string points; `null` means
 * "not implemented".
 */
import { EncodeError } from '../../../core/errors';
import type { SunSpecPointType } from './model-def';

export type RawValue = number | bigint | string | null;

interface TypeInfo {
  /** Registers, or undefined for strings (size from the definition). */
  size?: number;
  signed?: boolean;
  /** Raw pattern meaning "not implemented" (unsigned representation). */
  na?: bigint;
  kind: 'int' | 'float' | 'string';
}

const T: Record<SunSpecPointType, TypeInfo> = {
  int16: { size: 1, signed: true, na: 0x8000n, kind: 'int' },
  uint16: { size: 1, na: 0xffffn, kind: 'int' },
  count: { size: 1, na: 0xffffn, kind: 'int' },
  acc16: { size: 1, na: 0n, kind: 'int' },
  enum16: { size: 1, na: 0xffffn, kind: 'int' },
  bitfield16: { size: 1, na: 0xffffn, kind: 'int' },
  sunssf: { size: 1, signed: true, na: 0x8000n, kind: 'int' },
  pad: { size: 1, na: 0x8000n, kind: 'int' },
  int32: { size: 2, signed: true, na: 0x80000000n, kind: 'int' },
  uint32: { size: 2, na: 0xffffffffn, kind: 'int' },
  acc32: { size: 2, na: 0n, kind: 'int' },
  enum32: { size: 2, na: 0xffffffffn, kind: 'int' },
  bitfield32: { size: 2, na: 0xffffffffn, kind: 'int' },
  float32: { size: 2, na: 0x7fc00000n, kind: 'float' },
  int64: { size: 4, signed: true, na: 0x8000000000000000n, kind: 'int' },
  uint64: { size: 4, na: 0xffffffffffffffffn, kind: 'int' },
  acc64: { size: 4, na: 0n, kind: 'int' },
  string: { kind: 'string' },
};

export function isKnownType(type: string): type is SunSpecPointType {
  return Object.prototype.hasOwnProperty.call(T, type);
}

/** Registers a point of `type` occupies (`declared` is the definition's size, used for strings). */
export function typeSize(type: SunSpecPointType, declared: number): number {
  return T[type].size ?? declared;
}

/** Whether the type is an accumulator (wraps instead of saturating, 0 = not implemented). */
export function isAccumulator(type: SunSpecPointType): boolean {
  return type === 'acc16' || type === 'acc32' || type === 'acc64';
}

/** Registers holding "not implemented" for a point. */
export function notImplementedRegisters(type: SunSpecPointType, size: number): number[] {
  const info = T[type];
  if (info.kind === 'string') return new Array<number>(size).fill(0);
  return bigToWords(info.na ?? 0n, size);
}

function bigToWords(v: bigint, size: number): number[] {
  const out = new Array<number>(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffffn);
    v >>= 16n;
  }
  return out;
}

function wordsToBig(regs: ArrayLike<number>, start: number, size: number): bigint {
  let v = 0n;
  for (let i = 0; i < size; i++) v = (v << 16n) | BigInt(regs[start + i]! & 0xffff);
  return v;
}

/** Representable range of raw values, excluding the not-implemented pattern. */
export function rawRange(type: SunSpecPointType): { min: bigint; max: bigint } {
  const info = T[type];
  const bits = BigInt((info.size ?? 1) * 16);
  if (info.signed) {
    const half = 1n << (bits - 1n);
    return { min: -half + 1n, max: half - 1n };
  }
  const full = (1n << bits) - 1n;
  if (info.na === full) return { min: 0n, max: full - 1n };
  return { min: 0n, max: full };
}

/** "Not implemented" patterns of the 16- and 32-bit integer types as numbers (exact: below 2^32). */
const NA_NUMBER = new Map<SunSpecPointType, number>(
  (Object.entries(T) as Array<[SunSpecPointType, TypeInfo]>).filter(([, i]) => i.kind === 'int' && (i.size ?? 0) <= 2).map(([t, i]) => [t, Number(i.na ?? 0n)]),
);

/** Decode one point from registers; `null` if it holds the not-implemented pattern. */
export function decodeRaw(type: SunSpecPointType, regs: ArrayLike<number>, start: number, size: number): RawValue {
  const info = T[type];
  if (info.kind === 'int' && info.size! <= 2) return decodeSmallInt(type, info, regs, start);
  if (info.kind === 'string') {
    const bytes: number[] = [];
    for (let i = 0; i < size; i++) bytes.push((regs[start + i]! >> 8) & 0xff, regs[start + i]! & 0xff);
    const end = bytes.indexOf(0);
    const used = end < 0 ? bytes : bytes.slice(0, end);
    if (used.length === 0) return null;
    return Buffer.from(used).toString('latin1');
  }
  const n = typeSize(type, size);
  const u = wordsToBig(regs, start, n);
  if (info.kind === 'float') {
    if (u === info.na) return null;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Number(u));
    return b.readFloatBE(0);
  }
  if (u === info.na && !isAccumulator(type)) return null;
  if (isAccumulator(type) && u === 0n) return null;
  let v = u;
  if (info.signed && u >= 1n << BigInt(n * 16 - 1)) v = u - (1n << BigInt(n * 16));
  return n >= 4 ? v : Number(v);
}

/**
 * `decodeRaw` for 16- and 32-bit integer types in plain numbers (no bigint, no allocation): the hot path of every
 * scale factor and most points. Same rules: the not-implemented pattern (0 for accumulators) is `null`.
 */
function decodeSmallInt(type: SunSpecPointType, info: TypeInfo, regs: ArrayLike<number>, start: number): number | null {
  const two = info.size === 2;
  const u = two ? (regs[start]! & 0xffff) * 0x10000 + (regs[start + 1]! & 0xffff) : regs[start]! & 0xffff;
  if (isAccumulator(type) ? u === 0 : u === NA_NUMBER.get(type)) return null;
  if (info.signed) {
    const half = two ? 0x80000000 : 0x8000;
    if (u >= half) return u - 2 * half;
  }
  return u;
}

/**
 * Write the raw value of an integer point straight into `regs` at `offset` (no array, no bigint arithmetic) and
 * return true: 16- and 32-bit types with any finite number, 64-bit types with a value in 0..2^53-1 (number or bigint:
 * energy counters). Return false, writing nothing, for anything else (null, strings, floats, other values): the
 * caller then uses `encodeRaw`. Same rules as `encodeRaw`: saturate, accumulators wrap, rounding.
 */
export function encodeIntInto(type: SunSpecPointType, value: RawValue, regs: { [i: number]: number }, offset: number): boolean {
  const info = T[type];
  if (info.kind !== 'int') return false;
  if (info.size === 4) {
    // In 0..2^53-1 no 64-bit type saturates or wraps: the value is its own raw pattern.
    let x: number;
    if (typeof value === 'bigint') {
      if (value < 0n || value > MAX_SAFE_BIG) return false;
      x = Number(value);
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      x = Math.round(value);
      if (x < 0 || x > Number.MAX_SAFE_INTEGER) return false;
    } else return false;
    regs[offset] = Math.floor(x / 2 ** 48);
    regs[offset + 1] = Math.floor(x / 2 ** 32) % 0x10000;
    regs[offset + 2] = Math.floor(x / 0x10000) % 0x10000;
    regs[offset + 3] = x % 0x10000;
    return true;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  encodeSmallInto(SMALL_INT_ENCODINGS.get(type)!, value, regs, offset);
  return true;
}

/**
 * How a 16- or 32-bit integer type is stored, resolved once per type: `encodeIntInto` and the points a device
 * refreshes on every read (`SunSpecModel` live points) look nothing else up by type name.
 */
export interface SmallIntEncoding {
  readonly two: boolean;
  /** Accumulator: wraps modulo `m` instead of saturating. */
  readonly acc: boolean;
  /** 2^16 or 2^32. */
  readonly m: number;
  readonly min: number;
  readonly max: number;
}

/** Each 16- and 32-bit integer type's encoding (the clamp of `encodeRaw`: the not-implemented pattern is never written). */
const SMALL_INT_ENCODINGS = new Map<SunSpecPointType, SmallIntEncoding>(
  (Object.entries(T) as Array<[SunSpecPointType, TypeInfo]>)
    .filter(([, i]) => i.kind === 'int' && i.size !== 4)
    .map(([type, info]): [SunSpecPointType, SmallIntEncoding] => {
      const two = info.size === 2;
      const m = two ? 0x100000000 : 0x10000;
      const acc = isAccumulator(type);
      if (info.signed) return [type, { two, acc, m, min: -m / 2 + 1, max: m / 2 - 1 }];
      return [type, { two, acc, m, min: 0, max: NA_NUMBER.get(type) === m - 1 ? m - 2 : m - 1 }];
    }),
);

/** The encoding of a 16- or 32-bit integer type, or `undefined` for any other type. */
export function smallIntEncoding(type: SunSpecPointType): SmallIntEncoding | undefined {
  return SMALL_INT_ENCODINGS.get(type);
}

/** `encodeIntInto` for a finite number and a resolved encoding (same rounding, saturation and wrapping). */
export function encodeSmallInto(enc: SmallIntEncoding, value: number, regs: { [i: number]: number }, offset: number): void {
  const m = enc.m;
  let x = Math.round(value);
  if (enc.acc) x = ((x % m) + m) % m;
  else {
    x = x < enc.min ? enc.min : x > enc.max ? enc.max : x;
    if (x < 0) x += m;
  }
  if (enc.two) {
    regs[offset] = Math.floor(x / 0x10000);
    regs[offset + 1] = x % 0x10000;
  } else regs[offset] = x;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Encode a raw value into registers. `null` writes the not-implemented pattern. Integers outside the type's range
 * saturate (accumulators wrap, as meters do; an accumulator at 0 reads as not implemented, per the spec); non-integers are rounded. Throws `EncodeError` for a value of the wrong
 * kind (a string for a number point, or a string longer than the point), naming `what`.
 */
export function encodeRaw(type: SunSpecPointType, size: number, value: RawValue, what: string): number[] {
  const info = T[type];
  if (value === null) return notImplementedRegisters(type, size);
  if (info.kind === 'string') {
    if (typeof value !== 'string') throw new EncodeError(`${what}: string point needs a string, got ${typeof value}`);
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length > size * 2) throw new EncodeError(`${what}: '${value}' is longer than ${size * 2} characters`);
    const out = new Array<number>(size).fill(0);
    for (let i = 0; i < bytes.length; i++) out[i >> 1]! |= i % 2 === 0 ? bytes[i]! << 8 : bytes[i]!;
    return out;
  }
  if (typeof value === 'string') throw new EncodeError(`${what}: numeric point cannot hold '${value}'`);
  const n = typeSize(type, size);
  if (info.kind === 'float') {
    const b = Buffer.alloc(4);
    b.writeFloatBE(Number(value));
    return bigToWords(BigInt(b.readUInt32BE(0)), 2);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new EncodeError(`${what}: ${value} is not a finite number`);
  if (n === 1 && typeof value === 'number' && !isAccumulator(type)) {
    // Fast path for 16-bit points (most of a map), same rules as below without bigint arithmetic.
    const r = info.signed ? (info.na === 0x8000n ? [-32767, 32767] : [-32768, 32767]) : [0, info.na === 0xffffn ? 0xfffe : 0xffff];
    const x = Math.min(r[1]!, Math.max(r[0]!, Math.round(value)));
    return [x & 0xffff];
  }
  let v = typeof value === 'bigint' ? value : BigInt(Math.round(value));
  const bits = BigInt(n * 16);
  if (isAccumulator(type)) {
    v = ((v % (1n << bits)) + (1n << bits)) % (1n << bits);
  } else {
    const r = rawRange(type);
    if (v < r.min) v = r.min;
    if (v > r.max) v = r.max;
    if (v < 0n) v += 1n << bits;
  }
  return bigToWords(v, n);
}
