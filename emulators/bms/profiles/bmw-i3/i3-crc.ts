/**
 * BMW's frame check: CRC-8 with the SAE J1850 polynomial 0x1D, MSB first, a per-message initial value and no final
 * XOR, over bytes 1..length-1, in byte 0 [BE calculateCRC + crc8_table_SAE_J1850_ZER0 in
 * Software/src/devboard/utils/common_functions.cpp; initial values 0x3F (0x10B), 0x60 (0x12F), 0x15 (0x2BD)].
 * Checked against BE's constant frames: 0x12F E6 24 86 1A F1 31 30 00 (init 0x60), 0x1D0 4D F0 AE F8 FF.. (0xF9).
 */
import { crc8J1850 } from '../native-common/crc8';

export function i3Crc(data: Uint8Array, init: number): number {
  return crc8J1850(data, init, 1, data.length);
}

/** BMW alive counters run 0..14 in the low nibble of byte 1 [BE ALIVE_MAX_VALUE 14, increment_alive_counter]. */
export const ALIVE_MAX = 14;
