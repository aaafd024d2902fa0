/** Kia e-Niro / Hyundai Kona 64 kWh BMS as a BMS profile: broadcast, the vehicle's keep-alive and relay frames, UDS 22 PIDs over ISO-TP. */
export { attachKiaHyundai64 } from './kia-hyundai-64-profile';
export type { AttachKiaHyundai64Options, KiaHyundai64Attachment } from './kia-hyundai-64-profile';
export { BROADCAST_IDS as KIA64_BROADCAST_IDS, KIA64_ID, Kia64FrameEncoder } from './kia64-frames';
export { KIA64_PIDS, kia64Pid } from './kia64-pids';
export { KIA64_SOURCES } from './sources';
