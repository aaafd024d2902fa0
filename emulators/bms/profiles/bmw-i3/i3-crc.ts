/**
 * BMW's frame check: CRC-8 with the SAE J1850 polynomial 0x1D, MSB first, a per-message initial value and no final
 * XOR, over bytes 1..length-1, in byte 0 [BE calculateCRC + crc8_table_SAE_J1850_ZER0 in
 * Software/src/devboard/utils/common_functions.cpp; initial values 0x3F (0x10B), 0x60 (0x12F), 0x15 (0x2BD)].
 * Checked against BE's constant frames: 0x12F E6 24 86 1A F1 31 30 00 (init 0x60), 0x1D0 4D F0 AE F8 FF.. (0xF9).
 */
const TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x1d) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function i3Crc(data: Uint8Array, init: number): number {
  let crc = init & 0xff;
  for (let i = 1; i < data.length; i++) crc = TABLE[crc ^ data[i]!]!;
  return crc;
}

/** BMW alive counters run 0..14 in the low nibble of byte 1 [BE ALIVE_MAX_VALUE 14, increment_alive_counter]. */
export const ALIVE_MAX = 14;
