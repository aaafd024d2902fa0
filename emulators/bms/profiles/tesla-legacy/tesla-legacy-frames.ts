/**
 * The frames a Tesla Model S/X (pre-2021) BMS broadcasts, encoded from the BMS state [BE
 * handle_incoming_can_frame: what a controller reads from each; the DBC-style comments there give start bit, length
 * and scale]. Little-endian fields. No source gives a counter or checksum in these frames (BE checks none), nor their
 * periods: the periods are assumed.
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x102 | 100 ms (assumed) | BMS_hvBusStatus: voltage u16 0.01 V, current s16 0.1 A (+ charge: BE takes it as is) |
 * | 0x202 | 100 ms (assumed) | BMS_driveLimits: min / max voltage u16 0.01 V, max charge current 14 bit 0.1 A, max discharge current 14 bit 0.128 A |
 * | 0x212 | 100 ms (assumed) | BMS_status: hvilStatus byte 0 bit 6, highestFaultCategory byte 1 bits 0-2, hvilOn byte 1 bit 3, contactor state byte 2 bits 0-3, BMS state byte 2 bits 4-7, isolation u8 20 kOhm (byte 3) |
 * | 0x302 | 100 ms (assumed) | BMS_socStatus: SOC (UI) 10 bit 0.1 % |
 * | 0x332 | 100 ms (assumed) | BattBrickMinMax: max / min brick 12 bit 2 mV (bytes 0-1 / 4-5), max / min temperature u8 0.5 degC - 40 (bytes 3 / 7) |
 * | 0x3D2 | 1 s (assumed) | total discharge / charge u32 0.001 kWh |
 * | 0x5D2 | 1 s (assumed) | byte 0 = 0x0A: hardware id = byte 4 + byte 5 (24 = 85 kWh; 27 = 60, 61 = 70, 74 = 75, 68 = 90 kWh) |
 * | 0x6F2 | one mux every 10 ms (assumed) | mux 0-23 in byte 0, then four 14-bit cell voltages, 0.30517578125 mV (5 V / 16384) |
 * | 0x7E2 | 1 s (assumed) | mux 0: CAC min 12 bit 0.1 Ah (byte 2 bits 4-7, byte 3); BE: SOH = CAC min / 231.6 Ah |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';

export const TESLA_ID = {
  hvBus102: 0x102,
  limits202: 0x202,
  status212: 0x212,
  soc302: 0x302,
  minMax332: 0x332,
  energy3D2: 0x3d2,
  hwId5D2: 0x5d2,
  cells6F2: 0x6f2,
  cac7E2: 0x7e2,
  /** The vehicle [BE transmit_can]: 0x408 (1 byte) every second, the keep-alive. */
  keepAlive408: 0x408,
  /** Charger, fast-charge, gateway and charge-port status every 100 ms, sent only while closing is allowed [BE]. */
  charger21C: 0x21c,
  fastCharge25C: 0x25c,
  gateway2C8: 0x2c8,
  chargePort20E: 0x20e,
} as const;

/** BMS_contactorState [BE_HTML]: 0 SNA, 1 OPEN, 2 OPENING, 3 CLOSING, 4 CLOSED, 5 WELDED, 6 BLOCKED. */
export const CONTACTOR = { open: 1, closing: 3, closed: 4, welded: 5 } as const;
/** BMS_state [BE getBMSState]: 0 STANDBY, 1 DRIVE, 3 CHARGE, 7 FAULT, 8 WELD. */
export const BMS_STATE = { standby: 0, drive: 1, charge: 3, fault: 7, weld: 8 } as const;
/** One cell voltage step of 0x6F2 [BE 0.30517578125 mV]. */
export const CELL_LSB_V = 5 / 16384;

export interface TeslaStatus {
  contactor: number;
  state: number;
  hvilFault: boolean;
  faultCategory: number;
}

const clampRound = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));
const le = (d: Uint8Array, at: number, v: number, bytes: number): void => {
  for (let i = 0; i < bytes; i++) d[at + i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
};

export class TeslaLegacyFrameEncoder {
  hvBus102(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le(d, 0, clampRound(s.packVoltage * 100, 0, 0xffff), 2);
    le(d, 2, clampRound(s.current * 10, -0x8000, 0x7fff) & 0xffff, 2);
    return makeFrame(TESLA_ID.hvBus102, d);
  }

  limits202(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le(d, 0, clampRound(s.dischargeVoltageLimit * 100, 0, 0xffff), 2);
    le(d, 2, clampRound(s.chargeVoltageLimit * 100, 0, 0xffff), 2);
    le(d, 4, clampRound(s.chargeCurrentLimit * 10, 0, 0x3fff), 2);
    le(d, 6, clampRound(s.dischargeCurrentLimit / 0.128, 0, 0x3fff), 2);
    return makeFrame(TESLA_ID.limits202, d);
  }

  status212(s: Readonly<BmsSnapshot>, x: TeslaStatus): CanFrame {
    const d = new Uint8Array(8);
    d[0] = x.hvilFault ? 0x40 : 0;
    d[1] = (x.faultCategory & 0x07) | (x.hvilFault ? 0 : 0x08);
    d[2] = (x.contactor & 0x0f) | ((x.state & 0x0f) << 4);
    d[3] = clampRound(s.insulationKOhm / 20, 0, 0xff);
    return makeFrame(TESLA_ID.status212, d);
  }

  soc302(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le(d, 0, clampRound(s.soc * 1000, 0, 0x3ff), 2);
    return makeFrame(TESLA_ID.soc302, d);
  }

  minMax332(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le(d, 0, clampRound((s.cellVMax * 1000) / 2, 0, 0xfff), 2);
    d[3] = clampRound((s.cellTMax + 40) * 2, 0, 0xff);
    le(d, 4, clampRound((s.cellVMin * 1000) / 2, 0, 0xfff), 2);
    d[7] = clampRound((s.cellTMin + 40) * 2, 0, 0xff);
    return makeFrame(TESLA_ID.minMax332, d);
  }

  energy3D2(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    le(d, 0, clampRound(s.energyOutWh, 0, 0xffffffff), 4);
    le(d, 4, clampRound(s.energyInWh, 0, 0xffffffff), 4);
    return makeFrame(TESLA_ID.energy3D2, d);
  }

  hwId5D2(hwId: number): CanFrame {
    const d = new Uint8Array(8);
    d[0] = 0x0a;
    d[4] = hwId;
    return makeFrame(TESLA_ID.hwId5D2, d);
  }

  /** Mux `mux` (0-23): cells 4 mux .. 4 mux + 3, 14 bits each from bit 8 on. */
  cells6F2(mux: number, cells: Readonly<Float64Array>): CanFrame {
    const d = new Uint8Array(8);
    d[0] = mux;
    let bits = 0n;
    for (let k = 0; k < 4; k++) bits |= BigInt(clampRound((cells[mux * 4 + k] ?? 0) / CELL_LSB_V, 0, 0x3fff)) << BigInt(14 * k);
    for (let i = 1; i < 8; i++) d[i] = Number((bits >> BigInt(8 * (i - 1))) & 0xffn);
    return makeFrame(TESLA_ID.cells6F2, d);
  }

  cac7E2(cacMinAh: number): CanFrame {
    const d = new Uint8Array(8);
    const raw = clampRound(cacMinAh * 10, 0, 0xfff);
    d[2] = (raw & 0x0f) << 4;
    d[3] = raw >> 4;
    return makeFrame(TESLA_ID.cac7E2, d);
  }
}
