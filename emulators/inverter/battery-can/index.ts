export { BatteryCanClient, BATTERY_CAN_PROTOCOLS, CLIENT_VARIANTS, type BatteryCanProtocol } from './battery-can-client';
export { BatteryCanInverter, type BatteryCanInverterOptions, type InverterBatteryState } from './battery-can-inverter';
export { BMS_ALARMS, emptyHeard, type BmsAlarm, type HeardBms } from './heard-bms';
