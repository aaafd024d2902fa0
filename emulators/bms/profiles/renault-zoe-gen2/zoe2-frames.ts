/**
 * The frames a Renault Zoe Gen2 (ZE50) LBC broadcasts, as [BE] handle_incoming_can_frame reads them (big-endian
 * bytes). No source gives their periods: 100 ms assumed. BE also counts some twenty other ids (0x381, 0x382, 0x387,
 * 0x388, 0x3EF, 0x4AE, 0x5A1, ...) as signs of life without reading them: their content is not public and they are
 * not sent.
 *
 * | id | content |
 * |---|---|
 * | 0x0F8 | bytes 0-1 HV interlock, 0xFFFE = closed [BE "Expected FF FE"]; bytes 2-3 pack voltage, raw / 8 = 0.1 V; BE ignores the first 50 frames |
 * | 0x4DB | max cell: byte 0 and the high nibble of byte 1, 12 bits, mV - 1000; min cell: low nibble of byte 1 and byte 2, mV - 1000 |
 * | 0x36C | byte 7 = CRC-8 (poly 0x1D, init 0, over bytes 0-6) XOR 0x01 [BE is_message_corrupt(frame, 0x01)]; bytes 0-6 not public (zeros) |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';
import { crc8J1850 } from '../native-common/crc8';

export const ZOE2_ID = {
  interlock0F8: 0x0f8,
  cells4DB: 0x4db,
  crc36C: 0x36c,
  /** The vehicle [BE transmit_can]: HEVC wake-up / sleep, every 100 ms; byte 0 0xC1 awake, 0x01 "stop streaming" (sleep). */
  wake373: 0x373,
  /** UDS request (29-bit, tester F1 to LBC DB) and answer [BE ZOE_POLL_18DADBF1, case 0x18DAF1DB]. */
  diagRequest: 0x18dadbf1,
  diagResponse: 0x18daf1db,
} as const;

/** 0x0F8 bytes 0-1 with the interlock closed [BE]. */
export const INTERLOCK_OK = 0xfffe;

/** BE's Zoe frame CRC: CRC-8 poly 0x1D, init 0, over bytes 0-6, then XOR `xor` (0x01 for 0x36C, 0xAC for 0x0EE). */
export function zoe2Crc(data: Uint8Array, xor: number): number {
  return crc8J1850(data, 0, 0, 7) ^ xor;
}

const clampRound = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

export class Zoe2FrameEncoder {
  interlock0F8(s: Readonly<BmsSnapshot>, interlock: number): CanFrame {
    const d = new Uint8Array(8);
    d[0] = interlock >> 8;
    d[1] = interlock & 0xff;
    const raw = clampRound(s.packVoltage * 80, 0, 0xffff);
    d[2] = raw >> 8;
    d[3] = raw & 0xff;
    return makeFrame(ZOE2_ID.interlock0F8, d);
  }

  cells4DB(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const hi = clampRound(s.cellVMax * 1000 - 1000, 0, 0xfff);
    const lo = clampRound(s.cellVMin * 1000 - 1000, 0, 0xfff);
    d[0] = hi >> 4;
    d[1] = ((hi & 0x0f) << 4) | (lo >> 8);
    d[2] = lo & 0xff;
    return makeFrame(ZOE2_ID.cells4DB, d);
  }

  crc36C(): CanFrame {
    const d = new Uint8Array(8);
    d[7] = zoe2Crc(d, 0x01);
    return makeFrame(ZOE2_ID.crc36C, d);
  }
}
