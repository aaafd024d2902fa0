/**
 * The BMS emulator (issue 4): second-life pack model, BMS logic, device facade, fault hooks, pack profiles and
 * the LV CAN encoder. Protocol profiles build on `BmsDevice` (step, snapshot, setCurrent, heartbeat,
 * injectFault) and never reach into the model.
 */
export { BmsDevice } from './device/bms-device';
export type { BmsDeviceOptions, CurrentSource } from './device/bms-device';
export type { BmsSnapshot, BmsCounters, NumericSnapshotField } from './device/snapshot';
export { copySnapshot } from './device/snapshot';
export type { FaultSpec, FaultKind, FaultHandle } from './device/fault-spec';
export type { SensorKind } from './device/sensors';
export { BmsFlag, flagNames } from './logic/flags';
export type { BmsFlagName } from './logic/flags';
export type { ContactorState } from './logic/contactor';
export { PackModel } from './pack/pack-model';
export type { PackModelOptions } from './pack/pack-model';
export { agePack } from './pack/aging';
export { ageUnderDuty, DUTY_PROFILES, DUTY_NAMES, dutyProfile } from './pack/duty';
export type { DutyProfile, DutyAgingResult, AgeUnderDutyOptions } from './pack/duty';
export type { AgingSegment, AgingResult } from './pack/aging';
export { loadPackProfile, parsePackProfile } from './pack/profile-schema';
export { loadPackFixture, listPackFixtures, packFixturesDir } from './pack/fixtures';
export type { PackProfile, BmsProfile, LevelThresholds, CurvePoints, HeartbeatReaction } from './pack/profile-types';
export { LvCanEncoder, LV_CAN_ID } from './profiles/lv-can';
export type { LvCanOptions } from './profiles/lv-can';
export { registerBmsProtocol, bmsProtocol, bmsProtocols, bmsProtocolNames } from './profiles/registry';
export type { BmsProtocolProfile, BmsProtocolContext } from './profiles/protocol-profile';
export { BMS_FAULTS } from './faults';
export type { BmsFaultSpec, BmsFaultKind } from './faults';
export { BMS_DEVICE_KIND } from './bench-adapter';
