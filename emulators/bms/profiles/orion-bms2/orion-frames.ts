/**
 * Orion BMS 2 on its Victron-compatible CAN (the "Victron" CANBUS profile of the Orion utility), as Battery-Emulator
 * reads it [BE = ORION_SOURCES.BE]. Little-endian, 11-bit ids:
 *
 * | id | bytes | meaning |
 * |---|---|---|
 * | 0x351 | 0-1 max pack V 0.1 V, 2-3 CCL 0.1 A, 4-5 DCL 0.1 A, 6-7 min pack V 0.1 V | [BE Maximum_Pack_Voltage, Pack_CCL, Pack_DCL, Minimum_Pack_Voltage; CCL x dV / 100 = W] |
 * | 0x355 | 0-1 SOC %, 2-3 SOH %, 4-5 SOC 0.1 % | [BE Pack_Health bytes 2-3, Pack_SOC_ppt bytes 4-5 -> real_soc x 10 (0.01 %)]; bytes 0-1 the Victron SOC [DIY] |
 * | 0x356 | 0-1 pack V 0.01 V, 2-3 current 0.1 A signed (+ charge), 4-5 high temperature 0.1 degC | [BE Pack_Summed_Voltage / 10 = dV, Average_Current = dA, High_Temperature = dC] |
 * | 0x35A | alarm / warning pairs, 01 active, 10 OK (the Victron layout) | [BE takes it as a sign of life only; pairs per DIY victron_canbus.cpp] |
 * | 0x36 | one cell per frame: 0 cell id, 1-2 cell V 0.1 mV big-endian, 3 bit 7 balancing + bits 0-6 and 4 resistance (15 bits, 0.01 mOhm *assumed*), 5-6 open-circuit V 0.1 mV big-endian, 7 checksum = (0x36 + 8 + bytes 0..6) & 0xFF | [BE case 0x36, "Value = (0x36 + 8 + byte0 + ... + byte6) & 0xFF"] |
 *
 * Periods are *assumed* (BE does not time them): the Victron frames every 1 s, one cell frame every 20 ms
 * cycling through the cells.
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';
import { s16le, u16be, u16le } from '../aftermarket-common/attach';

export const ORION_ID = { limits: 0x351, soc: 0x355, measurements: 0x356, alarms: 0x35a, cell: 0x36 } as const;

export function orionCellChecksum(d: Uint8Array): number {
  let sum = ORION_ID.cell + 8;
  for (let i = 0; i < 7; i++) sum += d[i]!;
  return sum & 0xff;
}

export function orionVictronFrames(s: Readonly<BmsSnapshot>): CanFrame[] {
  const lim = new Uint8Array(8);
  u16le(lim, 0, s.chargeVoltageLimit * 10);
  u16le(lim, 2, s.chargeCurrentLimit * 10);
  u16le(lim, 4, s.dischargeCurrentLimit * 10);
  u16le(lim, 6, s.dischargeVoltageLimit * 10);
  const soc = new Uint8Array(8);
  u16le(soc, 0, s.soc * 100);
  u16le(soc, 2, s.soh * 100);
  u16le(soc, 4, s.soc * 1000);
  const meas = new Uint8Array(6);
  u16le(meas, 0, s.packVoltage * 100);
  s16le(meas, 2, s.current * 10);
  s16le(meas, 4, s.cellTMax * 10);
  return [makeFrame(ORION_ID.limits, lim), makeFrame(ORION_ID.soc, soc), makeFrame(ORION_ID.measurements, meas), makeFrame(ORION_ID.alarms, victronPairs(s))];
}

/** 0x35A pairs (DIY victron_canbus.cpp order): byte 0 general, high V, low V, high T; byte 1 low T, ..., high discharge current; byte 2 high charge current, contactor, short circuit, BMS internal; byte 3 cell imbalance. */
function victronPairs(s: Readonly<BmsSnapshot>): Uint8Array {
  const d = new Uint8Array(8);
  const pair = (mask: number, byte: number, slot: number, flag: number): void => {
    d[byte] = d[byte]! | ((mask & flag ? 0b01 : 0b10) << (2 * slot));
  };
  for (const [mask, base] of [
    [s.alarms, 0],
    [s.warnings, 4],
  ] as const) {
    pair(mask, base, 0, mask); // general: any
    pair(mask, base, 1, BmsFlag.CellOverVoltage);
    pair(mask, base, 2, BmsFlag.CellUnderVoltage);
    pair(mask, base, 3, BmsFlag.OverTemperature);
    pair(mask, base + 1, 0, BmsFlag.UnderTemperature);
    pair(mask, base + 1, 3, BmsFlag.DischargeOverCurrent);
    pair(mask, base + 2, 0, BmsFlag.ChargeOverCurrent);
    pair(mask, base + 2, 1, BmsFlag.ContactorFault);
    pair(mask, base + 2, 3, BmsFlag.InternalFault | BmsFlag.InternalComms);
    pair(mask, base + 3, 0, BmsFlag.CellImbalance);
  }
  return d;
}

/** The 0x36 frame of one cell. */
export function orionCellFrame(id: number, volts: number, balancing: boolean, resistanceOhm: number, openVolts: number): CanFrame {
  const d = new Uint8Array(8);
  d[0] = id & 0xff;
  u16be(d, 1, volts * 10000);
  const r = Math.min(0x7fff, Math.max(0, Math.round(resistanceOhm * 1e5)));
  d[3] = (balancing ? 0x80 : 0) | (r >> 8);
  d[4] = r & 0xff;
  u16be(d, 5, openVolts * 10000);
  d[7] = orionCellChecksum(d);
  return makeFrame(ORION_ID.cell, d);
}
