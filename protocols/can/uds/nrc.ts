/**
 * UDS (ISO 14229-1) service ids and negative response codes used by the packs' diagnostic servers. KWP2000
 * (ISO 14230-3) shares the response scheme: positive = SID | 0x40, negative = `7F SID NRC`; its
 * ReadDataByLocalIdentifier (0x21) is what the Leaf LBC answers (`21 01` -> `61 01 ...`,
 * dalathegreat/Battery-Emulator `NISSAN-LEAF-BATTERY.cpp` @ 62532e94; OVMS `vehicle_nissanleaf.cpp` @ 1aa1daff).
 */
export const SID = {
  DiagnosticSessionControl: 0x10,
  EcuReset: 0x11,
  ClearDiagnosticInformation: 0x14,
  ReadDtcInformation: 0x19,
  /** KWP2000 ReadDataByLocalIdentifier (one byte id). */
  ReadDataByLocalIdentifier: 0x21,
  ReadDataByIdentifier: 0x22,
  SecurityAccess: 0x27,
  InputOutputControlByIdentifier: 0x2f,
  RoutineControl: 0x31,
  TesterPresent: 0x3e,
} as const;

export const NEGATIVE_RESPONSE = 0x7f;

export const NRC = {
  generalReject: 0x10,
  serviceNotSupported: 0x11,
  subFunctionNotSupported: 0x12,
  incorrectMessageLengthOrInvalidFormat: 0x13,
  conditionsNotCorrect: 0x22,
  requestOutOfRange: 0x31,
  responsePending: 0x78,
  serviceNotSupportedInActiveSession: 0x7f,
} as const;

/** Positive response of `sid` with `data` after it. */
export function positive(sid: number, ...data: ArrayLike<number>[]): Uint8Array {
  const parts = data.map((d) => Array.from(d));
  return Uint8Array.from([sid | 0x40, ...parts.flat()]);
}

export function negative(sid: number, nrc: number): Uint8Array {
  return Uint8Array.from([NEGATIVE_RESPONSE, sid, nrc]);
}
