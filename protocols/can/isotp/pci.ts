/**
 * ISO 15765-2 (ISO-TP) protocol control information of classic CAN (8-byte frames, normal addressing): the four
 * frame kinds and their first bytes. Facts from ISO 15765-2 as described in the Linux kernel's
 * `Documentation/networking/iso15765-2.rst` and hartkopp/can-isotp; checked in tests against the Leaf LBC's
 * captured shapes (dalathegreat/Battery-Emulator `NISSAN-LEAF-BATTERY.cpp` @ 62532e94: FF `10 len`, CF `2n`,
 * FC `30 01 00`).
 *
 * - Single frame (SF): `0L` + L (1..7) payload bytes.
 * - First frame (FF): `1h ll` (12-bit length 8..4095) + 6 payload bytes.
 * - Consecutive frame (CF): `2n` (n = sequence number, 1, 2, ... 15, 0, 1 ...) + up to 7 payload bytes.
 * - Flow control (FC): `3s BS STmin`, s = 0 continue to send, 1 wait, 2 overflow; BS = block size (0: no more FC);
 *   STmin 0x00-0x7F ms, 0xF1-0xF9 100-900 us, others reserved (a sender then uses 127 ms).
 */
import { DecodeError } from '../../../core/errors';

export const ISOTP_MAX_LENGTH = 4095;

export const enum FlowStatus {
  ContinueToSend = 0,
  Wait = 1,
  Overflow = 2,
}

export type IsoTpPdu =
  | { kind: 'single'; payload: Uint8Array }
  | { kind: 'first'; length: number; payload: Uint8Array }
  | { kind: 'consecutive'; sequence: number; payload: Uint8Array }
  | { kind: 'flow'; status: FlowStatus; blockSize: number; stMinRaw: number };

/**
 * Decode the PCI of one CAN payload (normal addressing; for extended addressing pass the payload after the
 * address byte). Throws `DecodeError` naming what is wrong (empty, bad length, unknown type).
 */
export function decodePdu(data: Uint8Array): IsoTpPdu {
  if (data.length === 0) throw new DecodeError('ISO-TP frame is empty');
  const type = data[0]! >> 4;
  switch (type) {
    case 0: {
      const len = data[0]! & 0x0f;
      if (len === 0 || len > data.length - 1) throw new DecodeError(`ISO-TP single frame says ${len} bytes, frame holds ${data.length - 1}`);
      return { kind: 'single', payload: data.slice(1, 1 + len) };
    }
    case 1: {
      if (data.length < 7) throw new DecodeError(`ISO-TP first frame is ${data.length} bytes, must fill the frame`);
      const length = ((data[0]! & 0x0f) << 8) | data[1]!;
      if (length < data.length - 1) throw new DecodeError(`ISO-TP first frame announces ${length} bytes (a single frame carries them)`);
      return { kind: 'first', length, payload: data.slice(2) };
    }
    case 2:
      return { kind: 'consecutive', sequence: data[0]! & 0x0f, payload: data.slice(1) };
    case 3: {
      if (data.length < 3) throw new DecodeError(`ISO-TP flow control is ${data.length} bytes, needs 3`);
      const status = data[0]! & 0x0f;
      if (status > 2) throw new DecodeError(`ISO-TP flow control status ${status} is reserved`);
      return { kind: 'flow', status: status as FlowStatus, blockSize: data[1]!, stMinRaw: data[2]! };
    }
    default:
      throw new DecodeError(`ISO-TP frame type ${type} is not SF/FF/CF/FC`);
  }
}

/** STmin byte -> milliseconds; reserved values give 127 ms (the standard's rule for a sender). */
export function stMinToMs(raw: number): number {
  if (raw <= 0x7f) return raw;
  if (raw >= 0xf1 && raw <= 0xf9) return (raw - 0xf0) / 10;
  return 127;
}

/** Milliseconds -> STmin byte (rounded up to what the format can say; above 127 ms is 127). */
export function msToStMin(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 1) return 0xf0 + Math.max(1, Math.min(9, Math.ceil(ms * 10)));
  return Math.min(0x7f, Math.ceil(ms));
}

/** Prefix the address byte (extended addressing) and pad to 8 bytes with `pad` (or leave short when null). */
function framed(bytes: number[], pad: number | null, address: number | undefined): Uint8Array {
  if (address !== undefined) bytes.unshift(address & 0xff);
  if (pad !== null) while (bytes.length < 8) bytes.push(pad);
  return Uint8Array.from(bytes);
}

/**
 * Split `payload` (1..4095 bytes) into frame payloads: one SF, or FF + CFs (sequence 1, 2, ... wrapping at 15).
 * With `address` (extended addressing, ISO 15765-2 "extended": the first byte of every frame is the target
 * address) each frame carries one byte less. Throws `RangeError` for an empty or too long payload.
 */
export function segment(payload: Uint8Array, pad: number | null = 0xaa, address?: number): Uint8Array[] {
  const n = payload.length;
  const room = address === undefined ? 7 : 6;
  if (n === 0 || n > ISOTP_MAX_LENGTH) throw new RangeError(`ISO-TP payload must be 1..${ISOTP_MAX_LENGTH} bytes, got ${n}`);
  if (n <= room) return [framed([n, ...payload], pad, address)];
  const first = room - 1;
  const out = [framed([0x10 | (n >> 8), n & 0xff, ...payload.subarray(0, first)], pad, address)];
  let seq = 1;
  for (let i = first; i < n; i += room) {
    out.push(framed([0x20 | seq, ...payload.subarray(i, i + room)], pad, address));
    seq = (seq + 1) & 0x0f;
  }
  return out;
}

/** A flow-control frame payload. */
export function flowControl(status: FlowStatus, blockSize: number, stMinRaw: number, pad: number | null = 0xaa, address?: number): Uint8Array {
  return framed([0x30 | status, blockSize & 0xff, stMinRaw & 0xff], pad, address);
}
