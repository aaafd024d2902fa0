/** Tesla Model 3/Y (and 2021+ S/X) BMS as a BMS profile: broadcast incl. every brick in 0x401, the vehicle's 0x221 DRIVE power state closing the contactors. */
export { attachTeslaModel3 } from './tesla-model3-profile';
export type { AttachTeslaModel3Options, TeslaModel3Attachment } from './tesla-model3-profile';
export { BMS_CONTACTOR, BMS_STATE, HVIL, HVP_SET, POWER_STATE, TESLA3_ID, TeslaModel3FrameEncoder, teslaChecksum } from './tesla-model3-frames';
export { TESLA_MODEL3_SOURCES } from './sources';
