/**
 * Typed values as 16-bit register words. Bytes within a register are big-endian (the Modbus rule); 32-bit values
 * span two registers, high word first ("big-endian word order", SunSpec's rule) unless `wordSwap` is set
 * (low word first, as some vendors do). Strings pack two bytes per register, first character in the high byte,
 * padded with NUL (SunSpec `string`).
 */
import { EncodeError } from '../../core/errors';

export type WordType = 'u16' | 's16' | 'u32' | 's32' | 'float32';

/** Registers a type occupies. */
export function wordCount(type: WordType): 1 | 2 {
  return type === 'u16' || type === 's16' ? 1 : 2;
}

const f32 = new DataView(new ArrayBuffer(4));

/** Encode a value as register words. Throws `EncodeError` for a value that does not fit the type. */
export function toWords(type: WordType, value: number, wordSwap = false): number[] {
  let hi: number;
  let lo: number;
  switch (type) {
    case 'u16':
      check(Number.isInteger(value) && value >= 0 && value <= 0xffff, type, value);
      return [value];
    case 's16':
      check(Number.isInteger(value) && value >= -0x8000 && value <= 0x7fff, type, value);
      return [value & 0xffff];
    case 'u32':
      check(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, type, value);
      hi = Math.floor(value / 0x10000);
      lo = value & 0xffff;
      break;
    case 's32':
      check(Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff, type, value);
      hi = (value >> 16) & 0xffff;
      lo = value & 0xffff;
      break;
    case 'float32':
      check(typeof value === 'number', type, value);
      f32.setFloat32(0, value);
      hi = f32.getUint16(0);
      lo = f32.getUint16(2);
      break;
  }
  return wordSwap ? [lo, hi] : [hi, lo];
}

/** Decode register words (at least `wordCount(type)` of them, extra ignored). */
export function fromWords(type: WordType, words: ArrayLike<number>, wordSwap = false): number {
  const a = words[0] ?? 0;
  if (type === 'u16') return a & 0xffff;
  if (type === 's16') return (a << 16) >> 16;
  const b = words[1] ?? 0;
  const hi = wordSwap ? b : a;
  const lo = wordSwap ? a : b;
  if (type === 'u32') return hi * 0x10000 + lo;
  if (type === 's32') return ((hi << 16) | lo) | 0;
  f32.setUint16(0, hi);
  f32.setUint16(2, lo);
  return f32.getFloat32(0);
}

/** Pack a string into `words` registers (UTF-8 bytes, NUL padded). Throws `EncodeError` if it does not fit. */
export function stringToWords(text: string, words: number): number[] {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > words * 2) throw new EncodeError(`string '${text}' needs ${bytes.length} bytes, only ${words * 2} fit`);
  const out = new Array<number>(words).fill(0);
  for (let i = 0; i < bytes.length; i++) out[i >> 1] |= i & 1 ? bytes[i]! : bytes[i]! << 8;
  return out;
}

/** Unpack a NUL-padded string from registers (stops at the first NUL). */
export function wordsToString(words: ArrayLike<number>): string {
  const bytes: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    bytes.push(w >> 8, w & 0xff);
  }
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(Uint8Array.from(end < 0 ? bytes : bytes.slice(0, end)));
}

function check(ok: boolean, type: WordType, value: number): void {
  if (!ok) throw new EncodeError(`${value} does not fit ${type}`);
}
