/**
 * The inverter's reading of the LV battery-to-inverter protocol (Pylontech LV, SMA LV and its big-endian variant),
 * with the DBCs in data/dbc (pylon-lv.dbc, sma-lv.dbc, sma-lv-bigendian.dbc): facts and sources are in those
 * files and in docs/protocols/battery-can.md; this module only maps the decoded signals onto {@link HeardBms}.
 *
 * - 0x351 limits; 0x355 SOC/SOH; 0x356 measurements (all frames as the variant's DBC lays them out).
 * - 0x359 protection (bytes 0-1) and warning (bytes 2-3) bits; 0x35A (SMA/Victron) pairs, 01 = active.
 * - 0x35C bit 7 charge enable, bit 6 discharge enable, bit 5 force charge I.
 */
import { packagePath } from '../../../core/package-root';
import { loadDbc, type Database } from '../../../protocols/can/dbc';
import type { CanFrame } from '../../../protocols/can/frame';
import { tryDecode, type BmsAlarm, type HeardBms } from './heard-bms';

const DBC: Record<string, string> = { pylon: 'pylon-lv.dbc', sma: 'sma-lv.dbc', 'sma-bigendian': 'sma-lv-bigendian.dbc' };
const cache = new Map<string, Database>();

export function lvDatabase(variant: string): Database {
  const file = DBC[variant];
  if (!file) throw new Error(`no LV variant '${variant}'`);
  let db = cache.get(file);
  if (!db) cache.set(file, (db = loadDbc(packagePath('data', 'dbc', file))));
  return db;
}

/** 0x359 signal -> alarm (protections; the warnings use the Warning* signals). */
const PROTECTION_SIGNALS: ReadonlyArray<[string, BmsAlarm]> = [
  ['ProtectionOverVoltage', 'overVoltage'],
  ['ProtectionUnderVoltage', 'underVoltage'],
  ['ProtectionOverTemperature', 'overTemperature'],
  ['ProtectionUnderTemperature', 'underTemperature'],
  ['ProtectionDischargeOverCurrent', 'dischargeOverCurrent'],
  ['ProtectionChargeOverCurrent', 'chargeOverCurrent'],
  ['ProtectionSystemError', 'systemError'],
];
const WARNING_SIGNALS: ReadonlyArray<[string, BmsAlarm]> = [
  ['WarningHighVoltage', 'overVoltage'],
  ['WarningLowVoltage', 'underVoltage'],
  ['WarningHighTemperature', 'overTemperature'],
  ['WarningLowTemperature', 'underTemperature'],
  ['WarningDischargeHighCurrent', 'dischargeOverCurrent'],
  ['WarningChargeHighCurrent', 'chargeOverCurrent'],
  ['WarningInternalCommFail', 'systemError'],
];
/** 0x35A pair names (without the Alarm/Warning suffix) -> alarm. */
const PAIR_SIGNALS: ReadonlyArray<[string, BmsAlarm]> = [
  ['HighVoltage', 'overVoltage'],
  ['LowVoltage', 'underVoltage'],
  ['HighTemperature', 'overTemperature'],
  ['LowTemperature', 'underTemperature'],
  ['HighTempCharge', 'overTemperature'],
  ['LowTempCharge', 'underTemperature'],
  ['HighDischargeCurrent', 'dischargeOverCurrent'],
  ['HighChargeCurrent', 'chargeOverCurrent'],
  ['BmsInternal', 'systemError'],
  ['CellImbalance', 'cellImbalance'],
];

/** Ids this reader takes. */
export const LV_BATTERY_IDS = new Set([0x351, 0x355, 0x356, 0x359, 0x35a, 0x35c]);

/**
 * Apply one frame to `out`. Returns false for a frame that is not the battery's (other ids, extended ids), true
 * when it was one of the battery's, decoded or not (a frame that does not decode is counted in `malformed`).
 */
export function readLvFrame(db: Database, f: CanFrame, out: HeardBms): boolean {
  if (f.extended || !LV_BATTERY_IDS.has(f.id)) return false;
  const d = tryDecode(db, f, true);
  if (!d) {
    out.malformed++;
    return true;
  }
  const s = d.signals;
  switch (f.id) {
    case 0x351:
      if (s.ChargeVoltageLimit !== undefined) out.chargeVoltage = s.ChargeVoltageLimit;
      if (s.ChargeCurrentLimit !== undefined) out.chargeLimit = Math.max(0, s.ChargeCurrentLimit);
      if (s.DischargeCurrentLimit !== undefined) out.dischargeLimit = Math.max(0, s.DischargeCurrentLimit);
      // Battery-Emulator's PYLON-LV-CAN sends 0x351 with 6 bytes: no DVL.
      if (s.DischargeVoltageLimit !== undefined) out.dischargeVoltage = s.DischargeVoltageLimit;
      break;
    case 0x355:
      if (s.SOC_HiRes !== undefined && s.SOC_HiRes <= 100) out.soc = s.SOC_HiRes;
      else if (s.SOC !== undefined) out.soc = s.SOC;
      if (s.SOH !== undefined) out.soh = s.SOH;
      break;
    case 0x356:
      // Read unsigned: Battery-Emulator PYLON-LV-CAN.cpp @ 62532e94 writes voltage_dV x 10 into bytes 0-1 whatever the
      // pack, so a 380 V pack arrives as a u16 that the signed DBC field shows negative.
      if (s.BatteryVoltage !== undefined) out.voltage = s.BatteryVoltage < 0 ? s.BatteryVoltage + 655.36 : s.BatteryVoltage;
      if (s.BatteryCurrent !== undefined) out.current = s.BatteryCurrent;
      if (s.BatteryTemperature !== undefined) out.temperature = s.BatteryTemperature;
      break;
    case 0x359:
      setFrom(out.protections, s, PROTECTION_SIGNALS, (v) => v === 1, 'pylon');
      setFrom(out.warnings, s, WARNING_SIGNALS, (v) => v === 1, 'pylon');
      break;
    case 0x35a:
      setFrom(out.protections, s, PAIR_SIGNALS.map(([n, a]) => [`${n}Alarm`, a]), (v) => v === 1, 'pairs');
      setFrom(out.warnings, s, PAIR_SIGNALS.map(([n, a]) => [`${n}Warning`, a]), (v) => v === 1, 'pairs');
      break;
    case 0x35c:
      if (s.ChargeEnable !== undefined) out.chargeEnable = s.ChargeEnable === 1;
      if (s.DischargeEnable !== undefined) out.dischargeEnable = s.DischargeEnable === 1;
      if (s.RequestForceChargeI !== undefined) out.forceCharge = s.RequestForceChargeI === 1;
      break;
  }
  return true;
}

/**
 * 0x359 and 0x35A each own the alarms they carry: a frame replaces what the same frame said before, and an alarm
 * named by both (SMA sends both) stays active while either says so.
 */
const owners = new WeakMap<Set<BmsAlarm>, Map<string, Set<BmsAlarm>>>();
function setFrom(
  target: Set<BmsAlarm>,
  s: Record<string, number>,
  table: ReadonlyArray<readonly [string, BmsAlarm]>,
  active: (v: number) => boolean,
  source: string,
): void {
  let bySource = owners.get(target);
  if (!bySource) owners.set(target, (bySource = new Map()));
  const mine = new Set<BmsAlarm>();
  for (const [sig, alarm] of table) if (s[sig] !== undefined && active(s[sig]!)) mine.add(alarm);
  bySource.set(source, mine);
  target.clear();
  for (const set of bySource.values()) for (const a of set) target.add(a);
}
