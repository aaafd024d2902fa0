/** Byte order of a signal in a frame: DBC `@1` (Intel) or `@0` (Motorola). */
export type ByteOrder = 'little_endian' | 'big_endian';

/**
 * Bit positions a signal occupies, least significant bit first. A position is `byte * 8 + bit`, with bit 0 the
 * least significant bit of the byte (DBC's numbering for both byte orders).
 *
 * DBC start-bit convention: for little-endian signals the start bit is the LSB and the signal counts upwards;
 * for big-endian (Motorola) signals the start bit is the MSB, and the signal runs towards lower bits in the same
 * byte, then continues at bit 7 of the next byte.
 */
export function bitPositions(startBit: number, length: number, byteOrder: ByteOrder): number[] {
  const positions: number[] = new Array<number>(length);
  if (byteOrder === 'little_endian') {
    for (let i = 0; i < length; i++) positions[i] = startBit + i;
    return positions;
  }
  let p = startBit;
  for (let i = length - 1; i >= 0; i--) {
    positions[i] = p;
    p = p % 8 === 0 ? p + 15 : p - 1;
  }
  return positions;
}

/** Number of bytes a frame needs to carry the given positions. */
export function bytesNeeded(positions: readonly number[]): number {
  let max = -1;
  for (const p of positions) if (p > max) max = p;
  return max < 0 ? 0 : (max >> 3) + 1;
}

/** Read an unsigned value from `data` at `positions` (LSB first). Returns a bigint when it exceeds 2^53. */
export function readBits(data: Uint8Array, positions: readonly number[]): number | bigint {
  const n = positions.length;
  if (n <= 52) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) {
      const p = positions[i]!;
      v = v * 2 + ((data[p >> 3]! >> (p & 7)) & 1);
    }
    return v;
  }
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) {
    const p = positions[i]!;
    v = (v << 1n) | BigInt((data[p >> 3]! >> (p & 7)) & 1);
  }
  return v;
}

/** Write the unsigned value `raw` (already masked to `positions.length` bits) into `data` at `positions`. */
export function writeBits(data: Uint8Array, positions: readonly number[], raw: number | bigint): void {
  const n = positions.length;
  if (typeof raw === 'number') {
    let v = raw;
    for (let i = 0; i < n; i++) {
      const p = positions[i]!;
      const bit = v % 2;
      v = Math.floor(v / 2);
      setBit(data, p, bit);
    }
    return;
  }
  let v = raw;
  for (let i = 0; i < n; i++) {
    setBit(data, positions[i]!, Number(v & 1n));
    v >>= 1n;
  }
}

function setBit(data: Uint8Array, p: number, bit: number): void {
  const byte = p >> 3;
  const mask = 1 << (p & 7);
  data[byte] = bit ? data[byte]! | mask : data[byte]! & ~mask;
}
