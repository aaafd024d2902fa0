/**
 * The frames a Tesla Model 3/Y (and 2021+ Model S/X) BMS and its HV controller (HVP) broadcast, encoded from the BMS
 * state, and the check of the vehicle frames' counter and checksum. Layouts: [BE] handle_incoming_can_frame (the
 * DBC-style comments beside each field: start|length@1 little-endian (scale,offset)); sources in ./sources.ts. No
 * source gives the periods of the pack's frames, nor a counter or checksum in them (BE checks none): periods below
 * are assumed.
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x132 | 100 ms | BMS_hvBusStatus: voltage 0|16 0.01 V; current 16|16 signed, 0.1 A, + charge (BE takes the raw value as dA; the Tesla DBC's scale is -0.1, + discharge: the same bits [TESCAN sample]); raw current 32|16 signed, -0.05 A, offset 500 A, + discharge (BE's comment says offset 822; the TESCAN sample, 5C 26 = 9 A beside a smooth 8.2 A, fits 500, the offset of TESCAN's corrected definition: followed); charge time 48|12 min, 4095 = none |
 * | 0x20A | 100 ms | HVP_contactorState: negative / positive contactor 0|3 / 3|3 (1 OPEN, 2 PRECHARGE, 4 PULLED_IN, 6 ECONOMIZED, 7 WELDED), set state 8|4 (1 OPEN, 2 CLOSING, 3 BLOCKED, 5 CLOSED, 7 WELDED), closing blocked 35, HVIL status 40|4 (1 STATUS_OK, 3 INTERNAL_OPEN_FAULT) |
 * | 0x212 | 100 ms | BMS_status: contactor 8|3 (1 OPEN, 3 CLOSING, 4 CLOSED, 5 WELDED, 6 BLOCKED), HV state 16|3 (0 DOWN, 1 COMING_UP, 3 UP_FOR_DRIVE, 4 UP_FOR_CHARGE), isolation 19|10 x 10 kOhm, BMS state 32|4 (0 STANDBY, 1 DRIVE, 3 CHARGE, 6 FAULT, 7 WELD), min pack temperature 56|8 (0.5, -40) |
 * | 0x252 | 100 ms | BMS_powerAvailable: max regen 0|16 0.01 kW, max discharge 16|16 0.013 kW |
 * | 0x292 | 100 ms | BMS_socStatus: SOC min 0|10, UI 10|10, max 20|10, average 30|10 (0.1 %), beginning-of-life energy 40|10 0.1 kWh |
 * | 0x2D2 | 100 ms | BMS_driveLimits: min / max voltage 0|16 / 16|16 0.01 V, max charge current 32|14 0.1 A, max discharge current 48|14 0.128 A |
 * | 0x332 | 100 ms, muxes alternating | mux 0|2: 1 = max / min brick 2|12 / 16|12 x 2 mV and their numbers 32|7 / 40|7 (+1); 0 = max / min brick temperature 16|8 / 24|8 (0.5, -40) and their numbers 2|4 / 8|4 |
 * | 0x352 | 1 s, muxes alternating | BMS_energyStatus (2021+ muxed form) mux 0|2: 0 = nominal full pack energy 16|16, nominal / ideal energy remaining 32|16 / 48|16 (0.02 kWh); 1 = energy buffer 16|16 0.01 kWh, expected remaining 32|16, to charge complete 48|16 (0.02 kWh) |
 * | 0x3D2 | 1 s | total discharge / charge u32 Wh (0.001 kWh) |
 * | 0x401 | one mux every 100 ms | BrickVoltages: mux byte 0, status byte 1 = 0x2A (three bricks) or 0x02 (the last, one brick), bricks 16|16, 32|16, 48|16 at 0.1 mV; 96 bricks = muxes 0-31 |
 * | 0x312 | 1 s | BMS_thermalStatus: pack min / max temperature 44|9 / 53|9 (0.25, -25) degC |
 * | 0x320 | 1 s | BMS_alertMatrix mux 0 (0|4): a017 brick OV (20), a018 brick UV (21), a019 module OT (22), a022 over current (25), a035 isolation (38), a036 HVP HVIL fault (39), a166 pack full weld (49) |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';

export const TESLA3_ID = {
  hvBus132: 0x132,
  hvp20A: 0x20a,
  status212: 0x212,
  power252: 0x252,
  soc292: 0x292,
  limits2D2: 0x2d2,
  minMax332: 0x332,
  energy352: 0x352,
  kwh3D2: 0x3d2,
  bricks401: 0x401,
  alerts320: 0x320,
  thermal312: 0x312,
  /** The vehicle [BE transmit_can]: VCFRONT_LVPowerState every 50 ms, muxes 0 and 1 alternating. */
  powerState221: 0x221,
  /** The vehicle [BE]: DI_systemStatus every 10 ms. */
  diStatus118: 0x118,
} as const;

/** BMS_contactorState of 0x212 [BE getBMSContactorState]. */
export const BMS_CONTACTOR = { open: 1, closing: 3, closed: 4, welded: 5, blocked: 6 } as const;
/** BMS_state of 0x212 [BE comment beside BMS_state]. */
export const BMS_STATE = { standby: 0, drive: 1, charge: 3, fault: 6, weld: 7 } as const;
/** One pack contactor of 0x20A [BE getContactorState]. */
export const HVP_CONTACTOR = { open: 1, precharge: 2, pulledIn: 4, economized: 6, welded: 7 } as const;
/** The HVP's set state of 0x20A [BE getContactorText]. */
export const HVP_SET = { open: 1, closing: 2, blocked: 3, closed: 5, welded: 7 } as const;
/** HVIL status of 0x20A [BE getHvilStatusState]. */
export const HVIL = { ok: 1, internalOpen: 3 } as const;
/** VCFRONT_vehiclePowerState in 0x221 byte 0 bits 5-6 [derived from BE's DRIVE / ACCESSORY / OFF frames]. */
export const POWER_STATE = { off: 0, accessory: 2, drive: 3 } as const;
/** Offset of 0x132's raw current, A [TESCAN sample; BE's comment: 822]. */
export const RAW_CURRENT_OFFSET_A = 500;
/** One brick voltage step of 0x401 [BE: raw / 10 = mV]. */
export const BRICK_LSB_V = 0.0001;
/** Bricks per 0x401 mux [BE: status 0x2A = three bricks]. */
export const BRICKS_PER_MUX = 3;

export interface Tesla3Status {
  bmsContactor: number;
  bmsState: number;
  hvState: number;
  negative: number;
  positive: number;
  setState: number;
  hvil: number;
  closingBlocked: boolean;
  alerts: Tesla3Alerts;
}

export interface Tesla3Alerts {
  brickOv: boolean;
  brickUv: boolean;
  moduleOt: boolean;
  overCurrent: boolean;
  isolation: boolean;
  hvil: boolean;
  packFullWeld: boolean;
}

const clampRound = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

/** Write `len` bits of `value` (two's complement when negative) little-endian from bit `start` (DBC @1 order). */
export function putBits(d: Uint8Array, start: number, len: number, value: number): void {
  let v = BigInt(Math.round(value)) & ((1n << BigInt(len)) - 1n);
  for (let i = 0; i < len; i++, v >>= 1n) {
    const bit = start + i;
    const byte = bit >> 3;
    const mask = 1 << (bit & 7);
    d[byte] = (v & 1n) === 1n ? d[byte]! | mask : d[byte]! & ~mask;
  }
}

/**
 * The vehicle frames' checksum [BE generateFrameCounterChecksum]: the low byte of the id, plus its bits 8-11, plus
 * every data byte with the checksum field zeroed, modulo 256. 0x221: counter 52|4, checksum 56|8; 0x118: counter
 * 8|4, checksum 0|8.
 */
export function teslaChecksum(id: number, data: Uint8Array, checksumByte: number): number {
  let sum = (id & 0xff) + ((id >> 8) & 0x0f);
  data.forEach((b, i) => (sum += i === checksumByte ? 0 : b));
  return sum & 0xff;
}

export class TeslaModel3FrameEncoder {
  hvBus132(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 16, clampRound(s.packVoltage * 100, 0, 0xffff));
    putBits(d, 16, 16, clampRound(s.current * 10, -0x8000, 0x7fff));
    putBits(d, 32, 16, clampRound((RAW_CURRENT_OFFSET_A + s.current) / 0.05, -0x8000, 0x7fff)); // + discharge: -0.05 A/bit from the offset
    putBits(d, 48, 12, 0xfff);
    return makeFrame(TESLA3_ID.hvBus132, d);
  }

  hvp20A(x: Tesla3Status): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 3, x.negative);
    putBits(d, 3, 3, x.positive);
    putBits(d, 8, 4, x.setState);
    putBits(d, 35, 1, x.closingBlocked ? 1 : 0);
    putBits(d, 36, 1, x.setState === HVP_SET.closed ? 1 : 0); // dcLinkAllowedToEnergize
    putBits(d, 40, 4, x.hvil);
    return makeFrame(TESLA3_ID.hvp20A, d);
  }

  status212(s: Readonly<BmsSnapshot>, x: Tesla3Status): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 8, 3, x.bmsContactor);
    putBits(d, 16, 3, x.hvState);
    putBits(d, 19, 10, clampRound(s.insulationKOhm / 10, 0, 0x3ff));
    putBits(d, 32, 4, x.bmsState);
    putBits(d, 56, 8, clampRound((s.cellTMin + 40) * 2, 0, 0xff));
    return makeFrame(TESLA3_ID.status212, d);
  }

  power252(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 16, clampRound((s.chargeCurrentLimit * s.packVoltage) / 10, 0, 0xffff)); // 0.01 kW
    putBits(d, 16, 16, clampRound((s.dischargeCurrentLimit * s.packVoltage) / 13, 0, 0xffff)); // 0.013 kW
    return makeFrame(TESLA3_ID.power252, d);
  }

  /** SOC min / max / average from the cells' SOC spread (`socMin`, `socMax` 0..1), UI and average the BMS SOC. */
  soc292(s: Readonly<BmsSnapshot>, socMin: number, socMax: number, bolKwh: number): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 10, clampRound(socMin * 1000, 0, 1000));
    putBits(d, 10, 10, clampRound(s.soc * 1000, 0, 1000));
    putBits(d, 20, 10, clampRound(socMax * 1000, 0, 1000));
    putBits(d, 30, 10, clampRound(s.soc * 1000, 0, 1000));
    putBits(d, 40, 10, clampRound(bolKwh * 10, 0, 0x3ff));
    return makeFrame(TESLA3_ID.soc292, d);
  }

  limits2D2(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 16, clampRound(s.dischargeVoltageLimit * 100, 0, 0xffff));
    putBits(d, 16, 16, clampRound(s.chargeVoltageLimit * 100, 0, 0xffff));
    putBits(d, 32, 14, clampRound(s.chargeCurrentLimit * 10, 0, 0x3fff));
    putBits(d, 48, 14, clampRound(s.dischargeCurrentLimit / 0.128, 0, 0x3fff));
    return makeFrame(TESLA3_ID.limits2D2, d);
  }

  minMax332Voltages(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 2, 1);
    putBits(d, 2, 12, clampRound((s.cellVMax * 1000) / 2, 0, 0xfff));
    putBits(d, 16, 12, clampRound((s.cellVMin * 1000) / 2, 0, 0xfff));
    putBits(d, 32, 7, s.cellVMaxId);
    putBits(d, 40, 7, s.cellVMinId);
    return makeFrame(TESLA3_ID.minMax332, d);
  }

  minMax332Temperatures(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 2, 0);
    putBits(d, 2, 4, s.cellTMaxId);
    putBits(d, 8, 4, s.cellTMinId);
    putBits(d, 16, 8, clampRound((s.cellTMax + 40) * 2, 0, 0xff));
    putBits(d, 24, 8, clampRound((s.cellTMin + 40) * 2, 0, 0xff));
    return makeFrame(TESLA3_ID.minMax332, d);
  }

  /** Mux 0: nominal full / remaining, ideal remaining; mux 1: buffer, expected remaining, to charge complete (kWh). */
  energy352(mux: 0 | 1, fullKwh: number, remainingKwh: number): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 2, mux);
    if (mux === 0) {
      putBits(d, 16, 16, clampRound(fullKwh / 0.02, 0, 0xffff));
      putBits(d, 32, 16, clampRound(remainingKwh / 0.02, 0, 0xffff));
      putBits(d, 48, 16, clampRound(remainingKwh / 0.02, 0, 0xffff));
    } else {
      putBits(d, 16, 16, 0);
      putBits(d, 32, 16, clampRound(remainingKwh / 0.02, 0, 0xffff));
      putBits(d, 48, 16, clampRound(Math.max(0, fullKwh - remainingKwh) / 0.02, 0, 0xffff));
    }
    return makeFrame(TESLA3_ID.energy352, d);
  }

  kwh3D2(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 0, 32, clampRound(s.energyOutWh, 0, 0xffffffff));
    putBits(d, 32, 32, clampRound(s.energyInWh, 0, 0xffffffff));
    return makeFrame(TESLA3_ID.kwh3D2, d);
  }

  /**
   * Mux `mux`: bricks 3 mux .. 3 mux + 2, 0.1 mV each, status 0x2A. When one brick is left for the last mux (an LFP
   * pack of 3n + 1 bricks), status 0x02 and that brick alone [BE: "final, partial frame: only 1 cell voltage
   * present"]. BE knows no frame for two bricks left: they go in a 0x2A frame with the third slot 0.
   */
  bricks401(mux: number, cells: Readonly<Float64Array>): CanFrame {
    const d = new Uint8Array(8);
    const left = cells.length - mux * BRICKS_PER_MUX;
    d[0] = mux;
    d[1] = left === 1 ? 0x02 : 0x2a;
    for (let k = 0; k < Math.min(BRICKS_PER_MUX, left); k++) putBits(d, 16 + 16 * k, 16, clampRound(cells[mux * BRICKS_PER_MUX + k]! / BRICK_LSB_V, 0, 0xffff));
    return makeFrame(TESLA3_ID.bricks401, d);
  }

  thermal312(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    putBits(d, 44, 9, clampRound((s.cellTMin + 25) / 0.25, 0, 0x1ff));
    putBits(d, 53, 9, clampRound((s.cellTMax + 25) / 0.25, 0, 0x1ff));
    return makeFrame(TESLA3_ID.thermal312, d);
  }

  alerts320(a: Tesla3Alerts): CanFrame {
    const d = new Uint8Array(8);
    const bits: Array<[boolean, number]> = [[a.brickOv, 20], [a.brickUv, 21], [a.moduleOt, 22], [a.overCurrent, 25], [a.isolation, 38], [a.hvil, 39], [a.packFullWeld, 49]];
    for (const [on, bit] of bits) putBits(d, bit, 1, on ? 1 : 0);
    return makeFrame(TESLA3_ID.alerts320, d);
  }
}
