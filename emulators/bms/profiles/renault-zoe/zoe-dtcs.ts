/**
 * The Zoe Gen1 LBC's diagnostic trouble codes as Battery-Emulator reads them: `10 C0` (Renault's diagnostic session,
 * answered `50 C0`), then `19 02 mask`, answered `59 02` and 4 bytes per code (3-byte code, status) with no status
 * availability byte in between [BE-DTC RENAULT-ZOE-GEN1-BATTERY.cpp: records from payload offset 2, count =
 * (length - 2) / 4; BE UdsCanBattery.cpp handle_dtc_response, KWP2000 mode: "starts at offset 2"].
 *
 * The codes are the dictionary of [BE-DTC] web_data/dtc/renault_zoe_gen1_dtc.json. ⚠ That dictionary comes from one
 * contributor's change on a line of history that is not part of Battery-Emulator's main line at 62532e94, and its
 * codes run in a suspiciously regular sequence (0C0000, 0C0100, ...): treat them as unverified until a capture of
 * a real LBC confirms them.
 */
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';

export const ZOE_DTC = {
  /** 0C0200 LBC over-temperature. */
  overTemperature: 0x0c0200,
  /** 0C0300 cell over-voltage hardware trip. */
  cellOverVoltage: 0x0c0300,
  /** 0C0400 cell under-voltage hardware trip. */
  cellUnderVoltage: 0x0c0400,
  /** 0C0500 current shunt sensor out of range. */
  currentSensor: 0x0c0500,
  /** 0C0600 insulation breakdown or low isolation resistance. */
  insulation: 0x0c0600,
  /** 0C0800 CAN bus-off or timeout. */
  canTimeout: 0x0c0800,
  /** 0C9500 HV interlock loop open. */
  interlock: 0x0c9500,
  /** 0C9600 main contactor welded or stuck closed. */
  contactorStuckClosed: 0x0c9600,
  /** 0C9700 precharge timeout or failure. */
  precharge: 0x0c9700,
  /** 4FD000 LBC internal module communication error. */
  internalComms: 0x4fd000,
} as const;

/** Status byte of an active code: testFailed | confirmedDTC (BE asks with mask 0x09, "Active/Confirmed"). */
export const ZOE_DTC_ACTIVE = 0x09;

/** The codes of the faults active in `s` (`vehicleLost`: the 0x423 wake-up stopped), in the dictionary's terms. */
export function zoeActiveDtcs(s: Readonly<BmsSnapshot>, vehicleLost: boolean): number[] {
  const on = (f: number): boolean => ((s.alarms | s.latched) & f) !== 0;
  const out: number[] = [];
  if (on(BmsFlag.OverTemperature)) out.push(ZOE_DTC.overTemperature);
  if (on(BmsFlag.CellOverVoltage)) out.push(ZOE_DTC.cellOverVoltage);
  if (on(BmsFlag.CellUnderVoltage)) out.push(ZOE_DTC.cellUnderVoltage);
  if (on(BmsFlag.SensorFault)) out.push(ZOE_DTC.currentSensor);
  if (on(BmsFlag.Insulation)) out.push(ZOE_DTC.insulation);
  if (vehicleLost) out.push(ZOE_DTC.canTimeout);
  if (on(BmsFlag.InternalFault)) out.push(ZOE_DTC.interlock);
  if (s.contactor === 'welded') out.push(ZOE_DTC.contactorStuckClosed);
  else if (on(BmsFlag.ContactorFault)) out.push(ZOE_DTC.precharge);
  if (on(BmsFlag.InternalComms)) out.push(ZOE_DTC.internalComms);
  return out;
}
