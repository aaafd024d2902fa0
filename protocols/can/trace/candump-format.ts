import { FD_LENGTHS, formatId, hexData, MAX_STD_ID, validateFrame, type CanFrame } from '../frame';

/** SocketCAN's error-frame flag as candump prints it in an 8-digit id. */
const CAN_ERR_FLAG = 0x20000000;
const CAN_ERR_MASK = 0x1fffffff;

/**
 * One line of a candump log (`candump -l` / `log2asc` input): `(1700000000.123456) can0 123#DEADBEEF`.
 * Standard ids are written with 3 hex digits, extended with 8, RTR as `123#R` (`123#R4` with a dlc), error frames
 * as an 8-digit id with the error flag 0x20000000, CAN FD as `123##<flags><data>`. The timestamp is the frame's
 * `timestamp` (ms) as seconds with microseconds; the channel is the frame's channel, else `fallbackChannel`.
 */
export function formatCandumpLine(frame: CanFrame, fallbackChannel = 'can0'): string {
  const stamp = candumpStamp(frame.timestamp ?? 0);
  const channel = frame.channel ?? fallbackChannel;
  let body: string;
  if (frame.error) {
    body = `${formatId(CAN_ERR_FLAG | (frame.id & CAN_ERR_MASK), true)}#${hexData(frame.data)}`;
  } else if (frame.fd) {
    body = `${formatId(frame.id, frame.extended)}##0${hexData(frame.data)}`;
  } else if (frame.rtr) {
    body = `${formatId(frame.id, frame.extended)}#R${frame.dlc ? frame.dlc : ''}`;
  } else {
    body = `${formatId(frame.id, frame.extended)}#${hexData(frame.data)}`;
  }
  return `(${stamp}) ${channel} ${body}`;
}

// Frames come in bursts with one timestamp (a BMS sends its cycle at once): the last stamp is kept formatted.
let lastStampMs = NaN;
let lastStamp = '';
function candumpStamp(ms: number): string {
  if (ms === lastStampMs) return lastStamp;
  const us = Math.round(ms * 1000);
  const sec = Math.floor(us / 1e6);
  lastStampMs = ms;
  lastStamp = `${sec}.${String(us - sec * 1e6).padStart(6, '0')}`;
  return lastStamp;
}

/** A parsed line, or why it could not be parsed. */
export type CandumpParse = { frame: CanFrame } | { error: string };

const LINE = /^\((\d+)(?:\.(\d+))?\)\s+(\S+)\s+([0-9A-Fa-f]+)(##?)(\S*)(?:\s.*)?$/;

/**
 * Parse one candump log line into a frame with `timestamp` (ms) and `channel`. Never throws: a malformed line
 * gives `{ error }` saying what is wrong. Tolerates `.` between data bytes, a trailing `_<dlc>` (len8_dlc) and
 * trailing words after the frame (direction flags of newer candump versions).
 */
export function parseCandumpLine(line: string): CandumpParse {
  const m = LINE.exec(line.trim());
  if (!m) return { error: "not a candump log line: expected '(<seconds>.<micros>) <channel> <id>#<data>'" };
  const [, secs, fracText = '', channel, idText, sep, rest] = m as unknown as [string, string, string | undefined, string, string, string, string];
  const timestamp = Number(secs) * 1000 + (fracText ? (Number(fracText) / 10 ** fracText.length) * 1000 : 0);
  if (idText.length !== 3 && idText.length !== 8) {
    return { error: `id '${idText}' must have 3 hex digits (standard) or 8 (extended)` };
  }
  const rawId = parseInt(idText, 16);
  const extended = idText.length === 8;
  const isError = extended && (rawId & CAN_ERR_FLAG) !== 0;
  const id = isError ? rawId & CAN_ERR_MASK : rawId;
  if (!extended && id > MAX_STD_ID) return { error: `standard id 0x${idText} is above 0x7FF` };
  if (extended && !isError && rawId > CAN_ERR_MASK) return { error: `extended id 0x${idText} has flag bits set` };
  const frame: CanFrame = { id, extended: extended && !isError, data: new Uint8Array(0), timestamp, channel };
  let payload = rest;
  if (sep === '##') {
    if (isError) return { error: 'an error frame cannot be CAN FD' };
    if (payload.length < 1 || !/^[0-9A-Fa-f]$/.test(payload[0]!)) return { error: "CAN FD data must start with a flags digit after '##'" };
    payload = payload.slice(1);
    frame.fd = true;
  } else if (/^[Rr]/.test(payload)) {
    if (isError) return { error: 'an error frame cannot be a remote frame' };
    const dlcText = payload.slice(1);
    if (dlcText !== '' && !/^[0-8]$/.test(dlcText)) return { error: `remote frame dlc '${dlcText}' is not 0..8` };
    frame.rtr = true;
    if (dlcText) frame.dlc = Number(dlcText);
    return { frame };
  }
  payload = payload.replace(/_[0-9A-Fa-f]$/, '').replace(/\./g, '');
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(payload)) return { error: `data '${rest}' is not pairs of hex digits` };
  const data = new Uint8Array(payload.length / 2);
  for (let i = 0; i < data.length; i++) data[i] = parseInt(payload.slice(2 * i, 2 * i + 2), 16);
  frame.data = data;
  if (isError) frame.error = true;
  if (frame.fd && !(FD_LENGTHS as readonly number[]).includes(data.length)) {
    return { error: `CAN FD length ${data.length} is not a valid FD length` };
  }
  if (!frame.fd && data.length > 8) return { error: `${data.length} data bytes; classic CAN carries at most 8` };
  try {
    validateFrame(frame);
  } catch (err) {
    return { error: (err as Error).message };
  }
  return { frame };
}

/** A classic data frame (not error, FD or RTR): the frames `encodeCandumpLine` writes. */
export function isPlainClassic(frame: CanFrame): boolean {
  return !frame.error && !frame.fd && !frame.rtr && frame.data.length <= 8;
}

/** Bytes of the longest classic line without its channel: `(` stamp `) ` ` ` 8-digit id `#` 16 hex `\n`. */
export const MAX_CLASSIC_LINE = 1 + 24 + 2 + 1 + 8 + 1 + 16 + 1;

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/**
 * The same line as `formatCandumpLine` plus a newline, written into `buf` at `off` without building a string
 * (traces of long runs write millions of them). For `isPlainClassic` frames only. Returns the end offset.
 */
export function encodeCandumpLine(buf: Buffer, off: number, frame: CanFrame, fallbackChannel: string): number {
  buf[off++] = 0x28; // (
  off += buf.write(candumpStamp(frame.timestamp ?? 0), off, 'latin1');
  buf[off++] = 0x29; // )
  buf[off++] = 0x20;
  off += buf.write(frame.channel ?? fallbackChannel, off);
  buf[off++] = 0x20;
  const digits = frame.extended ? 8 : 3;
  for (let i = digits - 1; i >= 0; i--) buf[off++] = HEX[(frame.id >>> (i * 4)) & 0xf]!;
  buf[off++] = 0x23; // #
  const d = frame.data;
  for (let i = 0; i < d.length; i++) {
    buf[off++] = HEX[d[i]! >> 4]!;
    buf[off++] = HEX[d[i]! & 0xf]!;
  }
  buf[off++] = 0x0a;
  return off;
}
