/**
 * Warning and alarm bits of the BMS (one bitmask each in the snapshot). Profiles map them to their protocol's
 * bits (LV CAN 0x359, SunSpec 802 `Evt1`...).
 */
export const BmsFlag = {
  CellOverVoltage: 1 << 0,
  CellUnderVoltage: 1 << 1,
  OverTemperature: 1 << 2,
  UnderTemperature: 1 << 3,
  ChargeOverCurrent: 1 << 4,
  DischargeOverCurrent: 1 << 5,
  CellImbalance: 1 << 6,
  TemperatureSpread: 1 << 7,
  Insulation: 1 << 8,
  InternalFault: 1 << 9,
  InternalComms: 1 << 10,
  ContactorFault: 1 << 11,
  SensorFault: 1 << 12,
  HeartbeatLost: 1 << 13,
} as const;

export type BmsFlagName = keyof typeof BmsFlag;

/** Names of the bits set in a mask, in bit order (for logs and test messages). */
export function flagNames(mask: number): BmsFlagName[] {
  return (Object.keys(BmsFlag) as BmsFlagName[]).filter((k) => (mask & BmsFlag[k]) !== 0);
}
