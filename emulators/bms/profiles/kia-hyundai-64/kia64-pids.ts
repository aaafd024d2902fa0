/**
 * The Kia/Hyundai 64 BMS's diagnostic data: UDS `22 hh ll` on 0x7E4, answered `62 hh ll <data>` on 0x7EC. Lengths,
 * padding and the bytes nobody decodes are those of the real capture [CAPTURE]: 0101 62 bytes (`10 3E`), 0102-0104
 * 39 (`10 27`), 0105 46 (`10 2E`), 0106 27 (`10 1B`), 0111 25 (`10 19`). Positions below count from the `62` (p[0]);
 * p[3..5] travel in the first frame, consecutive frame n carries p[7n-1 .. 7n+5]. Multi-byte fields big-endian.
 *
 * - 0101: BMS SOC u8 0.5 % p[7] [OVMS frame 1 byte 1]; relays p[12] bit 0 on [OVMS CAN_BIT(6,0); BE batteryRelay; the
 *   capture's running pack shows 0x07, so closed = 0x07, open = 0 (the other bits assumed)]; current s16 0.1 A
 *   + discharge p[13-14] and voltage u16 0.1 V p[15-16] [OVMS]; max / min temperature p[17] / p[18], module 1-4
 *   temperatures p[19-22] [OVMS; BE]; inlet temperature p[25]; max cell u8 20 mV p[26] and its number p[27], min cell
 *   p[28] and its number p[29] [BE; OVMS /50 V]; cumulative charge / discharge 0.1 Ah u32 p[33-36] / p[37-40],
 *   energy charged / discharged 0.1 kWh u32 p[41-44] / p[45-48] [OVMS positions; the unit assumed, consistent with
 *   the capture's magnitudes]; operating time u32 s p[49-52] [OVMS /3600 h]; BMS ignition p[53] bit 2 [OVMS];
 *   inverter-side voltage u16 V p[54-55] [BE inverterVoltage; here the VCU's 0x524 echo]; isolation resistance u16
 *   kOhm p[60-61] [BE; the capture's pack shows 0 there].
 * - 0102 / 0103 / 0104: 32 cells each, u8 20 mV at p[7..38] (cells 1-32, 33-64, 65-96) [BE; OVMS]; p[3..6] 0xFF [CAPTURE].
 * - 0105: heater temperature p[26] [BE]; SOH u16 0.1 % p[28-29] [BE; OVMS]; display SOC u8 0.5 % p[34] [OVMS]; cells
 *   97 / 98 p[37] / p[38] [BE; OVMS]; the rest 0.
 * - 0106: battery management mode p[17] [BE; meaning not public: 0]. 0111: charging sessions normal p[9-10], fast
 *   p[13-14], charged energy normal p[17-18], fast p[21-22] kWh [BE]: the normal energy is the energy moved in.
 * - F18C / F191: ECU serial / software version, 16 bytes [BE]: ASCII placeholders.
 */
import type { BmsSnapshot } from '../../device/snapshot';
import { halfPercent } from './kia64-frames';

export const KIA64_PIDS = [0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0111, 0xf18c, 0xf191] as const;

const LENGTH: Record<number, number> = { 0x0101: 62, 0x0102: 39, 0x0103: 39, 0x0104: 39, 0x0105: 46, 0x0106: 27, 0x0111: 25, 0xf18c: 19, 0xf191: 19 };

export interface Kia64PidState {
  snapshot: Readonly<BmsSnapshot>;
  cells: Readonly<Float64Array>;
  temps: Readonly<Float64Array>;
  /** The relays as the BMS drives them (closed or welded). */
  relaysOn: boolean;
  /** The voltage the vehicle reported in 0x524, V. */
  inverterV: number;
  /** Seconds the BMS has been powered. */
  operatingS: number;
  /** Cell deterioration figures are not modelled: 0. */
}

const u = (p: Uint8Array, at: number, v: number, bytes: number): void => {
  const max = 2 ** (8 * bytes) - 1;
  let r = Math.min(max, Math.max(0, Math.round(v)));
  for (let i = bytes - 1; i >= 0; i--) {
    p[at + i] = r % 256;
    r = Math.floor(r / 256);
  }
};
const s8 = (v: number): number => Math.min(127, Math.max(-128, Math.round(v))) & 0xff;
const cell = (v: number | undefined): number => Math.min(0xff, Math.max(0, Math.round(((v ?? 0) * 1000) / 20)));

/** The whole response `62 hh ll ...` (the capture's length), or undefined for a PID the BMS does not know. */
export function kia64Pid(pid: number, st: Readonly<Kia64PidState>): Uint8Array | undefined {
  const len = LENGTH[pid];
  if (len === undefined) return undefined;
  const p = new Uint8Array(len);
  p[0] = 0x62;
  p[1] = pid >> 8;
  p[2] = pid & 0xff;
  const s = st.snapshot;
  switch (pid) {
    case 0x0101: {
      p[7] = halfPercent(s.soc);
      p[12] = st.relaysOn ? 0x07 : 0x00;
      u(p, 13, Math.min(0x7fff, Math.max(-0x8000, Math.round(-s.current * 10))) & 0xffff, 2);
      u(p, 15, s.packVoltage * 10, 2);
      p[17] = s8(s.cellTMax);
      p[18] = s8(s.cellTMin);
      for (let m = 0; m < 4; m++) p[19 + m] = s8(st.temps[Math.min(m, st.temps.length - 1)] ?? s.tempAvg);
      p[25] = s8(s.tempAvg);
      p[26] = cell(s.cellVMax);
      p[27] = s.cellVMaxId + 1;
      p[28] = cell(s.cellVMin);
      p[29] = s.cellVMinId + 1;
      u(p, 33, s.ahCharged * 10, 4);
      u(p, 37, s.ahDischarged * 10, 4);
      u(p, 41, s.energyInWh / 100, 4);
      u(p, 45, s.energyOutWh / 100, 4);
      u(p, 49, st.operatingS, 4);
      p[53] = 0x04;
      u(p, 54, st.inverterV, 2);
      u(p, 60, s.insulationKOhm, 2);
      return p;
    }
    case 0x0102:
    case 0x0103:
    case 0x0104: {
      p.fill(0xff, 3, 7);
      const from = (pid - 0x0102) * 32;
      for (let i = 0; i < 32; i++) p[7 + i] = cell(st.cells[from + i]);
      return p;
    }
    case 0x0105:
      p[26] = s8(s.tempAvg);
      u(p, 28, s.soh * 1000, 2);
      p[34] = halfPercent(s.soc);
      p[37] = cell(st.cells[96]);
      p[38] = cell(st.cells[97]);
      return p;
    case 0x0111:
      u(p, 17, s.energyInWh / 1000, 2);
      return p;
    case 0xf18c:
    case 0xf191:
      p.set(Array.from(pid === 0xf18c ? 'HIL-KIA64-000001' : 'HIL-KIA64-SW-1.0', (c) => c.charCodeAt(0)), 3);
      return p;
    default:
      return p; // 0106: every byte 0
  }
}
