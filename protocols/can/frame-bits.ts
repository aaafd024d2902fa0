import { frameDlc, type CanFrame } from './frame';

/** How bit stuffing is counted when computing a frame's length on the wire. */
export type StuffingMode = 'exact' | 'worst' | 'none';

/** CRC delimiter, ACK slot, ACK delimiter, 7-bit EOF and the 3-bit intermission: never stuffed. */
const TRAILER_BITS = 13;

/**
 * Bits a classic CAN data or remote frame occupies on the wire, including the 3-bit intermission, so
 * `bits / bitrate` is the time from one start-of-frame to the earliest next one (PROTOCOLS.md: an 8-byte standard
 * frame is 111 bits unstuffed, 135 with worst-case stuffing; extended 131).
 *
 * - `none`: no stuff bits.
 * - `worst`: the worst case for this length (Davis et al. 2007: `floor((g + 8n - 1) / 4)`, g = 34 std, 54 ext).
 * - `exact`: builds the frame's bit stream (with its CRC-15) and counts the stuff bits it really needs.
 */
export function frameBits(frame: CanFrame, stuffing: StuffingMode = 'exact'): number {
  const n = frame.rtr ? 0 : frame.data.length;
  const g = frame.extended ? 54 : 34;
  const unstuffed = g + 8 * n + TRAILER_BITS;
  if (stuffing === 'none') return unstuffed;
  if (stuffing === 'worst') return unstuffed + Math.floor((g + 8 * n - 1) / 4);
  return unstuffed + countStuffBits(stuffedRegion(frame));
}

/** Wire time of a frame in ms at `bitrate` bit/s. */
export function frameDurationMs(frame: CanFrame, bitrate: number, stuffing: StuffingMode = 'exact'): number {
  return (frameBits(frame, stuffing) * 1000) / bitrate;
}

/**
 * A number that orders frames as CAN arbitration does: lower wins. Compares the arbitration field bit by bit:
 * base id (11 bits), then RTR (standard) or SRR = 1 (extended), then IDE, then the 18-bit id extension and RTR.
 * So for equal base ids a standard data frame beats a standard remote frame, which beats any extended frame.
 */
export function arbitrationKey(frame: CanFrame): number {
  const rtr = frame.rtr ? 1 : 0;
  if (!frame.extended) return frame.id * 2 ** 21 + rtr * 2 ** 20;
  const base = Math.floor(frame.id / 2 ** 18) & 0x7ff;
  const ext = frame.id & 0x3ffff;
  return base * 2 ** 21 + 2 ** 20 + 2 ** 19 + ext * 2 + rtr;
}

/** SOF through the CRC sequence: the part of a frame subject to bit stuffing. */
function stuffedRegion(frame: CanFrame): number[] {
  const bits: number[] = [0]; // SOF (dominant)
  const push = (value: number, width: number): void => {
    for (let i = width - 1; i >= 0; i--) bits.push(Math.floor(value / 2 ** i) & 1);
  };
  const rtr = frame.rtr ? 1 : 0;
  if (frame.extended) {
    push(Math.floor(frame.id / 2 ** 18) & 0x7ff, 11);
    push(1, 1); // SRR
    push(1, 1); // IDE
    push(frame.id & 0x3ffff, 18);
    push(rtr, 1);
    push(0, 2); // r1, r0
  } else {
    push(frame.id, 11);
    push(rtr, 1);
    push(0, 2); // IDE, r0
  }
  push(frameDlc(frame), 4);
  if (!frame.rtr) for (const b of frame.data) push(b, 8);
  push(crc15(bits), 15);
  return bits;
}

/** CAN CRC-15 (polynomial 0x4599) over a bit sequence. */
export function crc15(bits: readonly number[]): number {
  let crc = 0;
  for (const bit of bits) {
    const top = ((crc >> 14) & 1) ^ bit;
    crc = (crc << 1) & 0x7fff;
    if (top) crc ^= 0x4599;
  }
  return crc;
}

/** After five equal bits the transmitter inserts the complement, which itself starts the next run. */
export function countStuffBits(bits: readonly number[]): number {
  let stuffed = 0;
  let last = -1;
  let run = 0;
  for (const bit of bits) {
    if (bit === last) run++;
    else {
      last = bit;
      run = 1;
    }
    if (run === 5) {
      stuffed++;
      last = 1 - bit;
      run = 1;
    }
  }
  return stuffed;
}
