/**
 * Register words of a vendor map entry from an engineering value and back: integer types clamp to their range
 * (the top code of each is kept for "not available", except a uint16 with an enum table, whose values are exact), 32- and 64-bit values in the entry's word order (little: the
 * lowest word first), strings as ASCII two
 * characters per register (first character in the high byte), NUL-padded.
 */
import type { VendorRegister } from './vendor-map';

/** What a register reads when the model has no value (no battery, absent string): the type's not-available pattern. */
const NA: Record<Exclude<VendorRegister['type'], 'string'>, number[]> = {
  uint16: [0xffff],
  int16: [0x8000],
  uint32: [0xffff, 0xffff],
  int32: [0x8000, 0],
  uint64: [0xffff, 0xffff, 0xffff, 0xffff],
  float32: [0x7fc0, 0],
};

function ordered(words: number[], order: 'big' | 'little'): number[] {
  return order === 'little' && words.length > 1 ? words.slice().reverse() : words;
}

/** Words of a numeric entry for `value` (engineering units) at scale `scale`. */
export function encodeNumber(r: VendorRegister, value: number | undefined, scale: number): number[] {
  if (r.type === 'string') throw new TypeError(`register '${r.name}' is a string`);
  if (value === undefined || !Number.isFinite(value)) return ordered(NA[r.type].slice(), r.wordOrder);
  const raw = r.type === 'float32' ? value / scale : Math.round(value / scale);
  const b = Buffer.alloc(8);
  let words: number[];
  switch (r.type) {
    case 'uint64':
      b.writeBigUInt64BE(BigInt(Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, raw))));
      words = [0, 2, 4, 6].map((o) => b.readUInt16BE(o));
      break;
    case 'uint16':
      // An enum register holds one of its table's values (writes are checked), 0xFFFF included (Fronius' triggers).
      words = [Math.min(r.enum !== undefined ? 0xffff : 0xfffe, Math.max(0, raw))];
      break;
    case 'int16':
      words = [Math.min(32767, Math.max(-32767, raw)) & 0xffff];
      break;
    case 'uint32':
      b.writeUInt32BE(Math.min(0xfffffffe, Math.max(0, raw)));
      words = [b.readUInt16BE(0), b.readUInt16BE(2)];
      break;
    case 'int32':
      b.writeInt32BE(Math.min(0x7fffffff, Math.max(-0x7fffffff, raw)));
      words = [b.readUInt16BE(0), b.readUInt16BE(2)];
      break;
    case 'float32':
      b.writeFloatBE(raw);
      words = [b.readUInt16BE(0), b.readUInt16BE(2)];
      break;
  }
  return ordered(words, r.wordOrder);
}

/** The raw integer (or float) a client wrote, before scaling. */
export function decodeRaw(r: VendorRegister, words: number[]): number {
  const w = ordered(words, r.wordOrder);
  const b = Buffer.alloc(8);
  w.forEach((x, i) => b.writeUInt16BE(x & 0xffff, i * 2));
  switch (r.type) {
    case 'uint64':
      return Number(b.readBigUInt64BE(0));
    case 'uint16':
      return b.readUInt16BE(0);
    case 'int16':
      return b.readInt16BE(0);
    case 'uint32':
      return b.readUInt32BE(0);
    case 'int32':
      return b.readInt32BE(0);
    case 'float32':
      return b.readFloatBE(0);
    case 'string':
      throw new TypeError(`register '${r.name}' is a string`);
  }
}

/** Words of a string entry: ASCII, two characters per register, NUL-padded to `r.words` registers. */
export function encodeText(r: VendorRegister, text: string): number[] {
  const bytes = Buffer.alloc(r.words * 2);
  bytes.write(text.slice(0, r.words * 2), 'latin1');
  return Array.from({ length: r.words }, (_, i) => bytes.readUInt16BE(i * 2));
}
