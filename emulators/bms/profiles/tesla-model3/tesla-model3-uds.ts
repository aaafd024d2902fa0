/**
 * The Model 3/Y BMS's identity and the UDS services Battery-Emulator uses on it [BE TESLA-BATTERY.cpp transmit_can
 * state machines and the 0x612 answers handle_incoming_can_frame compares byte for byte], on 0x602 -> 0x612 with
 * 0xAA padding (BE compares `02 50 03 AA AA AA AA AA`, `02 67 06 AA ...`, `23 00 00 00 AA AA AA AA`):
 *
 * - 0x72A BMS_serialNumber: mux byte 0 (0, 1), then 7 ASCII characters each; 14 characters, year at 4-5 and day of
 *   the year at 6-8 (BE's example "TG321202003AHX": 2021, day 202).
 * - `10 03` -> `50 03` (BE waits for exactly that), `10 01` -> `50 01`.
 * - `22 F0 14` -> `62 F0 14` + the 12-character part number + 8 zero bytes: BE reads characters 1-3 from the first
 *   frame, 4-10 from consecutive frame 1, 11-12 from consecutive frame 2, and ends on consecutive frame 3
 *   `23 00 00 00` (the length of the field after the 12 characters is not public: 8 bytes make that frame).
 * - `27 05` -> `67 05` + a 16-byte seed; `27 06` + any 16-byte key -> `67 06` (the algorithm is not public: every
 *   key is accepted; BE sends a fixed one).
 * - `31 01 04 07` (SOC reset; BE sends `04 31 01 04 07 00 ..`: four bytes) -> `71 01 04 07 01` once unlocked;
 *   `31 01 04 0A` (clear the isolation fault) -> `71 01 04 0A 01` once unlocked, and the latched faults are reset. Locked: `7F 31 33`.
 * - `11 01` (ECU reset) -> `51 01`.
 */
import type { BmsDevice } from '../../device/bms-device';
import { NRC, SID, type UdsServer, negative, positive } from '../../../../protocols/can/uds';
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';

export const TESLA3_DIAG = { request: 0x602, response: 0x612, serial72A: 0x72a } as const;
/** securityAccessDenied (ISO 14229-1). */
const NRC_SECURITY_ACCESS_DENIED = 0x33;

export interface Tesla3Identity {
  /** 14 ASCII characters (default BE's example "TG321202003AHX"). */
  serial: string;
  /** 12 ASCII characters (the format of a Tesla part number, e.g. "1104299-00-F"; assumed value). */
  partNumber: string;
}

export const DEFAULT_IDENTITY: Tesla3Identity = { serial: 'TG321202003AHX', partNumber: '1104299-00-F' };

/** 0x72A mux `mux` (0 or 1): characters 7 mux + 1 .. 7 mux + 7 of the serial. */
export function serial72A(mux: 0 | 1, serial: string): CanFrame {
  const d = new Uint8Array(8);
  d[0] = mux;
  for (let i = 0; i < 7; i++) d[1 + i] = serial.charCodeAt(mux * 7 + i) || 0x20;
  return makeFrame(TESLA3_DIAG.serial72A, d);
}

/** Register BE's services on `uds`. */
export function registerTesla3Uds(uds: UdsServer, device: BmsDevice, id: Tesla3Identity): void {
  let unlocked = false;
  uds.handle(SID.DiagnosticSessionControl, (req) => {
    if (req.length !== 2) return negative(SID.DiagnosticSessionControl, NRC.incorrectMessageLengthOrInvalidFormat);
    if (req[1] !== 0x01 && req[1] !== 0x03) return negative(SID.DiagnosticSessionControl, NRC.subFunctionNotSupported);
    if (req[1] === 0x01) unlocked = false;
    return positive(SID.DiagnosticSessionControl, [req[1]!]);
  });
  uds.handle(SID.ReadDataByIdentifier, (req) => {
    if (req.length !== 3 || req[1] !== 0xf0 || req[2] !== 0x14) return negative(SID.ReadDataByIdentifier, NRC.requestOutOfRange);
    const part = Array.from({ length: 12 }, (_, i) => id.partNumber.charCodeAt(i) || 0x20);
    return positive(SID.ReadDataByIdentifier, [0xf0, 0x14], part, new Array<number>(8).fill(0));
  });
  uds.handle(SID.SecurityAccess, (req) => {
    if (req[1] === 0x05 && req.length === 2) return positive(SID.SecurityAccess, [0x05], Array.from({ length: 16 }, (_, i) => (0x35 + 7 * i) & 0xff));
    if (req[1] === 0x06 && req.length === 18) {
      unlocked = true;
      return positive(SID.SecurityAccess, [0x06]);
    }
    return negative(SID.SecurityAccess, NRC.incorrectMessageLengthOrInvalidFormat);
  });
  uds.handle(SID.RoutineControl, (req) => {
    if ((req.length !== 4 && req.length !== 5) || req[1] !== 0x01 || req[2] !== 0x04 || (req[3] !== 0x07 && req[3] !== 0x0a)) return negative(SID.RoutineControl, NRC.requestOutOfRange);
    if (!unlocked) return negative(SID.RoutineControl, NRC_SECURITY_ACCESS_DENIED);
    if (req[3] === 0x0a) device.resetFaults();
    return positive(SID.RoutineControl, [0x01, 0x04, req[3]!, 0x01]);
  });
  uds.handle(SID.EcuReset, (req) => {
    if (req.length !== 2 || req[1] !== 0x01) return negative(SID.EcuReset, NRC.subFunctionNotSupported);
    unlocked = false;
    return positive(SID.EcuReset, [0x01]);
  });
}
