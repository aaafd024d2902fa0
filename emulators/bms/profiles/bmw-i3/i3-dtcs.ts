/**
 * The BMW i3 SME's diagnostic trouble codes over UDS `19 02 mask` (ISO 14229-1 reportDTCByStatusMask: `59 02`, the
 * status availability mask, then 3-byte code + status per DTC [BE UdsCanBattery.cpp handle_dtc_response, UDS mode:
 * "standard UDS skips 59 02 <mask>", records from offset 3]). Battery-Emulator's i3 driver clears DTCs (`14 FF FF FF`)
 * but does not read them; the public code list is Battery-Emulator's web_data/dtc/bmw_i3_dtc.json @ 62532e94, three
 * codes, of which two follow from the harness's fault kinds:
 *
 * - 21F284 "High voltage battery unit, cell supervision circuit: Safety circuit activated": a cell over- or
 *   under-voltage alarm.
 * - 21F13D "High voltage battery, switch contactors: Switch-off after a fault": the contactors are open (or welded)
 *   while a fault is latched.
 *
 * No public code covers isolation or the interlock on this SME: those stay in 0x1FA. The availability mask and the
 * status byte (0x09: testFailed | confirmedDTC) are assumed (no i3 capture of a `59 02` answer was found).
 */
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';

export const I3_DTC = {
  cellSupervision: 0x21f284,
  contactorSwitchOff: 0x21f13d,
} as const;

export const I3_DTC_AVAILABILITY = 0x09;
export const I3_DTC_ACTIVE = 0x09;

export function i3ActiveDtcs(s: Readonly<BmsSnapshot>): number[] {
  const out: number[] = [];
  if ((s.alarms | s.latched) & (BmsFlag.CellOverVoltage | BmsFlag.CellUnderVoltage)) out.push(I3_DTC.cellSupervision);
  if (s.latched !== 0 && (s.contactor === 'open' || s.contactor === 'welded')) out.push(I3_DTC.contactorSwitchOff);
  return out;
}
