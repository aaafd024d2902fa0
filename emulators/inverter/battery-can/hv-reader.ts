/**
 * The inverter's reading of Pylon HV answers, with data/dbc/pylon-hv.dbc (facts and sources there and in
 * docs/protocols/battery-can.md), following the reading conventions of an inverter-side implementation
 * [BE dalathegreat/Battery-Emulator Software/src/battery/PYLON-BATTERY.cpp @ 62532e944e06bd1d6462179ba92068b48d98ab89,
 * which plays the inverter]: the discharge limit is taken as |raw - 30000| x 0.1 A, so both the standard negative
 * offset and the positive one some BMSs use (variant `pylon-discharge-positive`) read right; 0xAA in 0x4280 byte 0 /
 * byte 1 forbids charge / discharge.
 *
 * - 0x4210 voltage, current, temperature, SOC, SOH; 0x4220 charge/discharge cut-off voltages and current limits;
 * - 0x4250 protection flags (bits per the DBC comment) -> protections, alarm flags -> warnings, error byte != 0 ->
 *   systemError; 0x4280 forbidden marks.
 */
import { packagePath } from '../../../core/package-root';
import { loadDbc, type Database } from '../../../protocols/can/dbc';
import type { CanFrame } from '../../../protocols/can/frame';
import { tryDecode, type BmsAlarm, type HeardBms } from './heard-bms';

let cached: Database | undefined;
export function hvDatabase(): Database {
  return (cached ??= loadDbc(packagePath('data', 'dbc', 'pylon-hv.dbc')));
}

/** 0x4250 flag bit -> alarm (DBC comment on BMS_StatusAlarms). */
const FLAG_BITS: readonly BmsAlarm[] = [
  'underVoltage',
  'overVoltage',
  'underVoltage',
  'overVoltage',
  'underTemperature',
  'overTemperature',
  'underTemperature',
  'overTemperature',
  'chargeOverCurrent',
  'dischargeOverCurrent',
  'underVoltage',
  'overVoltage',
];

/** Ids this reader takes (answers to 0x4200 byte 0 = 0). */
export const HV_BATTERY_IDS = new Set([0x4210, 0x4220, 0x4230, 0x4240, 0x4250, 0x4260, 0x4270, 0x4280, 0x4290]);
const FORBIDDEN = 0xaa;

/** Apply one frame; false when it is not one of the battery's answers (see `readLvFrame`). */
export function readHvFrame(db: Database, f: CanFrame, out: HeardBms): boolean {
  if (!f.extended || !HV_BATTERY_IDS.has(f.id)) return false;
  if (f.id === 0x4280) {
    if (f.data.length < 2) {
      out.malformed++;
      return true;
    }
    out.chargeEnable = f.data[0] !== FORBIDDEN;
    out.dischargeEnable = f.data[1] !== FORBIDDEN;
    return true;
  }
  const d = tryDecode(db, f, false);
  if (!d) {
    out.malformed++;
    return true;
  }
  const s = d.signals;
  switch (f.id) {
    case 0x4210:
      out.voltage = s.Voltage;
      out.current = s.Current;
      out.temperature = s.Temperature;
      out.soc = s.SOC;
      out.soh = s.SOH;
      break;
    case 0x4220:
      out.chargeVoltage = s.ChargeCutoffVoltage;
      out.dischargeVoltage = s.DischargeCutoffVoltage;
      out.chargeLimit = Math.max(0, s.MaxChargeCurrent!);
      out.dischargeLimit = Math.abs(s.MaxDischargeCurrent!);
      break;
    case 0x4250: {
      replace(out.protections, flags(s.ProtectionFlags!));
      if (s.ErrorFlags) out.protections.add('systemError');
      replace(out.warnings, flags(s.AlarmFlags!));
      out.forceCharge = s.ForceChargeRequest === 1;
      break;
    }
  }
  return true;
}

function flags(mask: number): Set<BmsAlarm> {
  const out = new Set<BmsAlarm>();
  FLAG_BITS.forEach((a, bit) => {
    if (mask & (1 << bit)) out.add(a);
  });
  return out;
}

function replace(target: Set<BmsAlarm>, from: Set<BmsAlarm>): void {
  target.clear();
  for (const a of from) target.add(a);
}
