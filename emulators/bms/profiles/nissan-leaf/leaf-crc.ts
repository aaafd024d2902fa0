/**
 * The Leaf EV-CAN frame check: CRC-8, polynomial 0x85, initial value 0, no reflection, over bytes 0..6, in byte 7
 * (frames 0x1DB, 0x1DC, 0x55B from the LBC; 0x1D4, 0x50C from the VCM). [BE crctable_nissan_leaf (entry 1 = 0x85)
 * in Software/src/devboard/utils/common_functions.cpp and is_message_corrupt; OVMS leafcrc(7, ...)].
 */
import { crc8 } from '../native-common/crc8';

const leafCrc8 = crc8(0x85);

export function leafCrc(data: Uint8Array, length = 7): number {
  return leafCrc8(data, 0, 0, length);
}
