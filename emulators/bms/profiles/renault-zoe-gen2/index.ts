/** Renault Zoe Gen2 (ZE50) LBC as a BMS profile: broadcast, UDS `22` DIDs over 29-bit ISO-TP (every cell), the 0x373 wake-up. */
export { attachRenaultZoeGen2 } from './renault-zoe-gen2-profile';
export type { AttachRenaultZoeGen2Options, RenaultZoeGen2Attachment } from './renault-zoe-gen2-profile';
export { INTERLOCK_OK, ZOE2_ID, Zoe2FrameEncoder, zoe2Crc } from './zoe2-frames';
export { cellDid, zoe2Did } from './zoe2-dids';
export { ZOE_GEN2_SOURCES } from './sources';
