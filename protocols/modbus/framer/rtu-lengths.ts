/**
 * Expected RTU ADU lengths (unit id + PDU + 2 CRC bytes) from the first bytes of a frame, per function code. This is
 * how the framer finds frames by content (STYLE.md point 6, like pymodbus's `calculateRtuFrameSize`).
 *
 * Each function returns the total ADU length, `NEED_MORE` when the length depends on bytes not yet received (a
 * byte count), or `UNKNOWN` when the function code has no known request/response layout.
 */

/** The length depends on bytes not yet received. */
export const NEED_MORE = -1;
/** No known layout for this function code (the server still answers it by CRC and gap: Illegal Function). */
export const UNKNOWN = -2;

/** Largest RTU ADU: 256 bytes (unit + 253 PDU + 2 CRC). */
export const MAX_RTU_ADU = 256;

/** Length of a request ADU starting at `p` (`avail` bytes from `p` are present). */
export function requestAduLength(buf: Uint8Array, p: number, avail: number): number {
  if (avail < 2) return NEED_MORE;
  const fc = buf[p + 1]!;
  switch (fc) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 8:
      return 8;
    case 7: case 11: case 12: case 17:
      return 4;
    case 15: case 16: // unit fc addr(2) qty(2) count(1) data crc(2)
      return avail < 7 ? NEED_MORE : 9 + buf[p + 6]!;
    case 20: case 21: // unit fc count(1) data crc
      return avail < 3 ? NEED_MORE : 5 + buf[p + 2]!;
    case 22:
      return 10;
    case 23: // unit fc raddr(2) rqty(2) waddr(2) wqty(2) count(1) data crc
      return avail < 11 ? NEED_MORE : 13 + buf[p + 10]!;
    case 24:
      return 6;
    case 43: // unit fc mei ... ; only MEI 14 (read device identification) has a fixed request layout
      if (avail < 3) return NEED_MORE;
      return buf[p + 2] === 14 ? 7 : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** Length of a response ADU starting at `p` (exception responses included). */
export function responseAduLength(buf: Uint8Array, p: number, avail: number): number {
  if (avail < 2) return NEED_MORE;
  const fc = buf[p + 1]!;
  if (fc & 0x80) return 5; // unit fc|0x80 code crc
  switch (fc) {
    case 1: case 2: case 3: case 4: case 12: case 17: case 20: case 21: case 23:
      return avail < 3 ? NEED_MORE : 5 + buf[p + 2]!;
    case 5: case 6: case 8: case 11: case 15: case 16:
      return 8;
    case 7:
      return 5;
    case 22:
      return 10;
    case 24: // unit fc count(2) data crc
      return avail < 4 ? NEED_MORE : 6 + ((buf[p + 2]! << 8) | buf[p + 3]!);
    case 43:
      return deviceIdResponseLength(buf, p, avail);
    default:
      return UNKNOWN;
  }
}

/** 43/14: unit fc mei code conformity more next count, then `count` objects of (id, len, value[len]). */
function deviceIdResponseLength(buf: Uint8Array, p: number, avail: number): number {
  if (avail < 3) return NEED_MORE;
  if (buf[p + 2] !== 14) return UNKNOWN;
  if (avail < 8) return NEED_MORE;
  const count = buf[p + 7]!;
  let off = 8;
  for (let i = 0; i < count; i++) {
    if (avail < off + 2) return NEED_MORE;
    off += 2 + buf[p + off + 1]!;
    if (off > MAX_RTU_ADU) return off;
  }
  return off + 2;
}
