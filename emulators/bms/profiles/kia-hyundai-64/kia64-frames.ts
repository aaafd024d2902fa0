/**
 * The frames a Kia e-Niro / Hyundai Kona 64 kWh BMS broadcasts, encoded from the BMS state [BE
 * handle_incoming_can_frame: what a controller reads from each]. Multi-byte fields are little-endian there. No
 * source gives a counter or checksum in these frames (BE checks none), nor their periods: the periods are assumed.
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x542 | 100 ms (assumed) | display SOC u8 0.5 % (byte 0) |
 * | 0x594 | 100 ms (assumed) | allowed charge / discharge power u16 LE 5 W (bytes 0-1 / 2-3: BE raw / 2 x 10 W), BMS SOC u8 0.5 % (byte 5) |
 * | 0x595 | 100 ms (assumed) | current s16 LE 0.1 A, + discharge (bytes 4-5: BE negates it), voltage u16 LE 0.1 V (bytes 6-7) |
 * | 0x596 | 100 ms (assumed) | 12 V battery u8 0.1 V (byte 1), min / max temperature s8 degC (bytes 6 / 7) |
 * | 0x598, 0x4DE | 100 ms (assumed) | content not public (BE takes them as signs of life): zeros |
 * | 0x5D5 | 100 ms (assumed) | water leakage sensor u8 (byte 3: 164 dry, 0 shorted), power relay temperature u8 2 degC (byte 7: BE shows raw x 2) |
 * | 0x5D8 | 100 ms (assumed) | content not public; BE sends one diagnostic poll on every other 0x5D8 |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';

export const KIA64_ID = {
  soc542: 0x542,
  power594: 0x594,
  current595: 0x595,
  temps596: 0x596,
  status598: 0x598,
  alive4DE: 0x4de,
  sensors5D5: 0x5d5,
  pollTrigger5D8: 0x5d8,
  /** The vehicle's frames [BE transmit_can]: 10 ms 0x200 (counter in byte 5), 0x523, 0x524 (bus voltage); 100 ms 0x553, 0x57F, 0x2A1. */
  vcu200: 0x200,
  vcu523: 0x523,
  vcu524: 0x524,
  vcu553: 0x553,
  vcu57F: 0x57f,
  vcu2A1: 0x2a1,
  diagRequest: 0x7e4,
  diagResponse: 0x7ec,
} as const;

export const BROADCAST_IDS = [0x542, 0x594, 0x595, 0x596, 0x598, 0x4de, 0x5d5, 0x5d8] as const;

const clampRound = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));
const le16 = (d: Uint8Array, at: number, v: number): void => {
  d[at] = v & 0xff;
  d[at + 1] = (v >> 8) & 0xff;
};
/** SOC in 0.5 % steps, 200 = 100 % [BE: "100% = 200"]. */
export const halfPercent = (soc01: number): number => clampRound(soc01 * 200, 0, 200);

export class Kia64FrameEncoder {
  soc542(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    d[0] = halfPercent(s.soc);
    return makeFrame(KIA64_ID.soc542, d);
  }

  power594(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le16(d, 0, clampRound((s.chargeCurrentLimit * s.packVoltage) / 5, 0, 0xffff));
    le16(d, 2, clampRound((s.dischargeCurrentLimit * s.packVoltage) / 5, 0, 0xffff));
    d[5] = halfPercent(s.soc);
    return makeFrame(KIA64_ID.power594, d);
  }

  current595(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le16(d, 4, clampRound(-s.current * 10, -0x8000, 0x7fff) & 0xffff);
    le16(d, 6, clampRound(s.packVoltage * 10, 0, 0xffff));
    return makeFrame(KIA64_ID.current595, d);
  }

  temps596(s: Readonly<BmsSnapshot>, auxV: number): CanFrame {
    const d = new Uint8Array(8);
    d[1] = clampRound(auxV * 10, 0, 0xff);
    d[6] = clampRound(s.cellTMin, -128, 127) & 0xff;
    d[7] = clampRound(s.cellTMax, -128, 127) & 0xff;
    return makeFrame(KIA64_ID.temps596, d);
  }

  sensors5D5(waterSensor: number, relayTempC: number): CanFrame {
    const d = new Uint8Array(8);
    d[3] = waterSensor;
    d[7] = clampRound(relayTempC / 2, 0, 0xff);
    return makeFrame(KIA64_ID.sensors5D5, d);
  }

  empty(id: number): CanFrame {
    return makeFrame(id, new Uint8Array(8));
  }
}
