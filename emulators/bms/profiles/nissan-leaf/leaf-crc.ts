/**
 * The Leaf EV-CAN frame check: CRC-8, polynomial 0x85, initial value 0, no reflection, over bytes 0..6, in byte 7
 * (frames 0x1DB, 0x1DC, 0x55B from the LBC; 0x1D4, 0x50C from the VCM). [BE crctable_nissan_leaf (entry 1 = 0x85)
 * in Software/src/devboard/utils/common_functions.cpp and is_message_corrupt; OVMS leafcrc(7, ...)].
 */
const TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x85) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function leafCrc(data: Uint8Array, length = 7): number {
  let crc = 0;
  for (let i = 0; i < length; i++) crc = TABLE[crc ^ data[i]!]!;
  return crc;
}
