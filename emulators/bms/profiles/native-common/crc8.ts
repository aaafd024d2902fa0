/**
 * The CRC-8 of the native packs' frame checks: MSB first, no reflection, no final XOR, table-driven, with the
 * generator polynomial and the initial value as parameters. The packs differ only in those and in what they cover:
 * BMW i3 (SAE J1850 0x1D, a per-message init, bytes 1..n-1 into byte 0: ../bmw-i3/i3-crc.ts), Renault Zoe Gen2
 * (0x1D, init 0, bytes 0..6, then a per-message XOR: ../renault-zoe-gen2/zoe2-frames.ts), Nissan Leaf (0x85, init
 * 0, bytes 0..6: ../nissan-leaf/leaf-crc.ts); the sources are cited there.
 */

/** CRC-8 over `data[from..to)` starting from `init` (the polynomial is the one given to {@link crc8}). */
export type Crc8 = (data: ArrayLike<number>, init: number, from: number, to: number) => number;

/** The CRC-8 with generator `poly` (the x^8 term left out, e.g. 0x1D for SAE J1850). */
export function crc8(poly: number): Crc8 {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ poly) & 0xff : (c << 1) & 0xff;
    table[i] = c;
  }
  return (data, init, from, to) => {
    let crc = init & 0xff;
    for (let i = from; i < to; i++) crc = table[crc ^ data[i]!]!;
    return crc;
  };
}

/** SAE J1850's polynomial 0x1D [BE crc8_table_SAE_J1850_ZER0]: BMW i3 and Renault Zoe Gen2. */
export const crc8J1850 = crc8(0x1d);
