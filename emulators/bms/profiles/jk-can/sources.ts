/** Where each JK CAN fact comes from. Facts only; no code was copied. */
export const JK_SOURCES = {
  AI: 'ai-republic/bms-to-inverter @ 59ac882d319536df7334bf375ee6bcadfd090d9b bms-jk-can/src/main/java/com/airepublic/bmstoinverter/bms/jk/can/JKBmsCANProcessor.java (ids, layouts, scales; its main() decodes ED 01 A0 0F 33 00 00 00 as 49.3 V, 0.0 A, 51 %)',
} as const;
