/** BMW i3 SME (60 / 94 / 120 Ah packs; the generations differ on the wire only in the energy content) as a BMS profile. */
export { attachBmwI3 } from './bmw-i3-profile';
export type { AttachBmwI3Options, BmwI3Attachment } from './bmw-i3-profile';
export { I3_ID, I3_ST, I3FrameEncoder } from './i3-frames';
export type { I3Status } from './i3-frames';
export { i3Crc, ALIVE_MAX } from './i3-crc';
export { I3_SOURCES } from './sources';
