/** Tesla Model S/X (pre-2021) BMS as a BMS profile: broadcast incl. every cell in 0x6F2, the vehicle's keep-alive and status frames closing the contactors. */
export { attachTeslaLegacy } from './tesla-legacy-profile';
export type { AttachTeslaLegacyOptions, TeslaLegacyAttachment } from './tesla-legacy-profile';
export { BMS_STATE, CONTACTOR, TESLA_ID, TeslaLegacyFrameEncoder } from './tesla-legacy-frames';
export { TESLA_LEGACY_SOURCES } from './sources';
