/** Nissan Leaf LBC (ZE0 / AZE0 / ZE1) as a BMS profile: frames, keep-alive, diagnostic groups, DTCs. */
export { attachNissanLeaf, LEAF_DTC } from './nissan-leaf-profile';
export type { AttachNissanLeafOptions, NissanLeafAttachment } from './nissan-leaf-profile';
export { LEAF_ID, LeafFrameEncoder, WH_PER_GID } from './leaf-frames';
export { LEAF_GROUPS, group01, group02, group04, group06 } from './leaf-groups';
export { LEAF_VARIANTS, LEAF_GENERATIONS } from './variants';
export type { LeafGeneration, LeafVariant } from './variants';
export { leafCrc } from './leaf-crc';
export { LEAF_SOURCES } from './sources';
