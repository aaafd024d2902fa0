/** Renault Zoe Gen1 LBC (ZE22 / ZE40) as a BMS profile: broadcast, 0x423 wake-up, KWP2000 groups over ISO-TP. */
export { attachRenaultZoe } from './renault-zoe-profile';
export type { AttachRenaultZoeOptions, RenaultZoeAttachment, ZoeVariant } from './renault-zoe-profile';
export { ZOE_ID, ZoeFrameEncoder } from './zoe-frames';
export { ZOE_GROUPS, zoeGroup } from './zoe-groups';
export { ZOE_SOURCES } from './sources';
