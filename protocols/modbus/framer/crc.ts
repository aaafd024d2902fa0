/**
 * CRC-16/MODBUS (PROTOCOLS.md): reflected polynomial 0xA001, init 0xFFFF, no final xor; on the wire the low byte
 * goes first. Table-driven: one lookup per byte.
 */

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS of `bytes[start, end)` (default: all of it). */
export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Whether `bytes[start, end)` ends with the CRC of what precedes it (low byte first). Needs at least 3 bytes. */
export function checkCrc(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < 3) return false;
  const crc = crc16Modbus(bytes, start, end - 2);
  return bytes[end - 2] === (crc & 0xff) && bytes[end - 1] === crc >>> 8;
}

/** A new array: `body` followed by its CRC, low byte first. */
export function appendCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 2);
  out.set(body, 0);
  const crc = crc16Modbus(body);
  out[body.length] = crc & 0xff;
  out[body.length + 1] = crc >>> 8;
  return out;
}
