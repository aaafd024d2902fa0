/** Where each Daly CAN fact comes from. Facts only; no code was copied. */
export const DALY_SOURCES = {
  AI: 'ai-republic/bms-to-inverter @ 59ac882d319536df7334bf375ee6bcadfd090d9b: bms-daly-can/.../DalyBmsCANProcessor.java (ids: request 0x18 cmd bmsId 0x40, answer 0x18 cmd 0x40 bmsId, 8 data bytes), bms-daly-common/.../DalyMessageHandler.java (payloads of 0x90-0x98, 0x50, 0x5A, 0x5B), AbstractDalyBmsProcessor.java (the poll list; 0x95 answers in ceil(cells / 3) frames), core-api/.../BatteryPack.java (units)',
} as const;
