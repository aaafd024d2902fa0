/**
 * JK BMS on CAN (the JK "CAN protocol" broadcast), as ai-republic/bms-to-inverter reads it [JK_SOURCES.AI].
 * Little-endian; the BMS number n (0..) is added to the id's low nibble over 4 (0x2F4 is BMS 0):
 *
 * | id | bytes |
 * |---|---|
 * | 0x2F4 | 0-1 pack V 0.1 V, 2-3 current 0.1 A + 4000 offset (+ charge), 4 SOC %, 5 -, 6-7 discharge time h |
 * | 0x4F4 | 0-1 max cell mV, 2 its number, 3-4 min cell mV, 5 its number |
 * | 0x5F4 | 0 max temperature degC + 50, 1 its sensor, 2 min + 50, 3 its sensor, 4 average + 50 |
 * | 0x7F4 | 2-bit levels (0 none, 1 warning, 2 alarm *assumed*, as AI's getAlarmLevel takes any non-zero as raised): byte 0 cell over-V (0-1), cell under-V (2-3), pack over-V (4-5), pack under-V (6-7); byte 1 cell difference (0-1), discharge over-current (2-3), charge over-current (4-5), over-temperature (6-7); byte 2 under-temperature (0-1), temperature difference (2-3), SOC low (4-5), insulation (6-7); byte 3 HV interlock (0-1), external comms (2-3), internal comms (4-5) |
 * | 0x18F128F4 | 0-1 remaining Ah 0.1, 2-3 rated Ah 0.1, 6-7 cycles |
 * | 0x18E028F4 + (k << 16) | cells 4k..4k+3, mV each (k = 0..6, 25 cells at most) |
 *
 * Periods *assumed* (AI only listens): 0x2F4-0x7F4 every 500 ms, 0x18F128F4 and the cell frames every 1 s.
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import { u16le } from '../aftermarket-common/attach';

export const JK_ID = { status: 0x2f4, cells: 0x4f4, temps: 0x5f4, alarms: 0x7f4, capacity: 0x18f128f4, cellBase: 0x18e028f4 } as const;
export const JK_MAX_CELLS = 25;

export function jkFastFrames(device: BmsDevice, n = 0): CanFrame[] {
  const s = device.snapshot();
  const st = new Uint8Array(8);
  u16le(st, 0, s.packVoltage * 10);
  u16le(st, 2, s.current * 10 + 4000);
  st[4] = Math.round(s.soc * 100);
  const hours = s.current < -0.5 ? s.remainingAh / -s.current : 0xffff;
  u16le(st, 6, hours);
  const cv = new Uint8Array(8);
  u16le(cv, 0, s.cellVMax * 1000);
  cv[2] = s.cellVMaxId + 1;
  u16le(cv, 3, s.cellVMin * 1000);
  cv[5] = s.cellVMinId + 1;
  const t = new Uint8Array(8);
  t[0] = byte(s.cellTMax + 50);
  t[1] = s.cellTMaxId + 1;
  t[2] = byte(s.cellTMin + 50);
  t[3] = s.cellTMinId + 1;
  t[4] = byte(s.tempAvg + 50);
  const a = new Uint8Array(8);
  const lv = (flag: number): number => (s.alarms & flag ? 2 : s.warnings & flag ? 1 : 0);
  a[0] = lv(BmsFlag.CellOverVoltage) | (lv(BmsFlag.CellUnderVoltage) << 2);
  a[1] = lv(BmsFlag.CellImbalance) | (lv(BmsFlag.DischargeOverCurrent) << 2) | (lv(BmsFlag.ChargeOverCurrent) << 4) | (lv(BmsFlag.OverTemperature) << 6);
  a[2] = lv(BmsFlag.UnderTemperature) | (lv(BmsFlag.TemperatureSpread) << 2) | (lv(BmsFlag.Insulation) << 6);
  a[3] = (lv(BmsFlag.InternalComms) << 4) | (lv(BmsFlag.HeartbeatLost) << 2);
  return [makeFrame(JK_ID.status + n, st), makeFrame(JK_ID.cells + n, cv), makeFrame(JK_ID.temps + n, t), makeFrame(JK_ID.alarms + n, a)];
}

export function jkSlowFrames(device: BmsDevice, n = 0): CanFrame[] {
  const s = device.snapshot();
  const cap = new Uint8Array(8);
  u16le(cap, 0, s.remainingAh * 10);
  u16le(cap, 2, s.fullChargeAh * 10);
  u16le(cap, 6, s.cycles);
  const out = [makeFrame(JK_ID.capacity + n, cap, { extended: true })];
  const cells = device.measuredCellVoltages();
  const count = Math.min(cells.length, JK_MAX_CELLS);
  for (let k = 0; 4 * k < count; k++) {
    const d = new Uint8Array(8);
    for (let i = 0; i < 4 && 4 * k + i < count; i++) u16le(d, 2 * i, cells[4 * k + i]! * 1000);
    out.push(makeFrame(JK_ID.cellBase + (k << 16) + n, d, { extended: true }));
  }
  return out;
}

function byte(x: number): number {
  return Math.min(255, Math.max(0, Math.round(x)));
}
