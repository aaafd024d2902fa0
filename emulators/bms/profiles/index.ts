/**
 * Protocol profiles of the BMS emulator (issue 4): one codec per protocol family, variants as data.
 * - LV CAN (Pylontech LE 1 s + Victron extensions; SMA BE 100 ms): `LvCanEncoder`, `attachLvCan`.
 * - Pylon HV CAN (29-bit, request/response on 0x4200): `PylonHvEncoder`, `attachPylonHv`.
 * - SunSpec 802/803/804 over Modbus: `createBmsSunSpec`.
 * The bench-facing factory is ../factory.ts (`createBmsDevice`).
 */
export { LvCanEncoder, LV_CAN_ID, LV_CAN_VARIANTS, PYLON_LV, SMA_LV } from './lv-can';
export type { LvCanMessage, LvCanOptions, LvCanVariant } from './lv-can';
export { attachLvCan } from './lv-can-profile';
export type { AttachLvCanOptions } from './lv-can-profile';
export { attachPylonHv, PylonHvEncoder, PYLON_HV_ID, PYLON_HV_REQUEST, PYLON_HV_FORBIDDEN } from './pylon-hv';
export type { AttachPylonHvOptions, PylonHvOptions } from './pylon-hv';
export { createBmsSunSpec, sunspecEvents } from './sunspec-battery';
export type { BmsSunSpec, BmsSunSpecOptions } from './sunspec-battery';
export type { CanProfileAttachment, CanProfileStats } from './can-link';
