/**
 * The LBC's diagnostic groups: KWP2000 ReadDataByLocalIdentifier `21 gg` on 0x79B, answered `61 gg <data>` on
 * 0x7BB over ISO-TP [BE PIDgroups / 0x7BB handling; OVMS PollReply_*]. `data` below is what follows `61 gg`.
 *
 * - 0x01 (39/41/51 bytes by generation): insulation resistance kOhm u16 at 22..23 [BE 4th frame bytes 5-6],
 *   Hx u16 at 26..27 in 0.01 % (ZE1: 28..29 in 1/102.4 %) [OVMS; BE 5th frame], capacity u24 at 33..35 in
 *   0.0001 Ah (ZE1: 35..37) [OVMS], ZE1 SOC u24 at 31..33 in 0.0001 % [OVMS]. Other bytes are not public: 0.
 * - 0x02 (196 bytes): 96 cell voltages u16 mV, then pack voltage and bus voltage u16 0.01 V [OVMS PollReply_BMS_Volt;
 *   BE reads the same 96 cells]. Big-endian throughout.
 * - 0x04 (14 bytes; ZE1 29): four slots of thermistor u16 + temperature s8 degC, then a pack temperature and one
 *   unknown byte [OVMS PollReply_BMS_Temp]; the third slot reads FF FF FF on 3-thermistor packs [BE]. The
 *   thermistor value is 710 - T / 0.102 (OVMS converts T = -0.102 (raw - 710)); ZE1's extra 15 bytes are FF as in
 *   the OVMS capture.
 * - 0x06 (24 bytes): balancing shunts, four cells per byte, first cell in bit 3 ("8421") [OVMS
 *   PollReply_BMS_Shunt]; a set bit = shunt on. ⚠ BE reads these bytes as a plain LSB-first bitmap and OVMS
 *   inverts the bits; this follows OVMS's cell order and BE's polarity.
 */
import type { BmsSnapshot } from '../../device/snapshot';
import type { LeafVariant } from './variants';

export const LEAF_GROUPS = [0x01, 0x02, 0x04, 0x06] as const;

/** Health and SOH inputs of group 0x01 besides the snapshot. */
export interface LeafGroupInputs {
  cellVolts: Readonly<Float64Array>;
  /** Module temperatures, degC. */
  temps: Readonly<Float64Array>;
  /** Per-cell bleed current, A (> 0: shunt on). */
  bleedA: Readonly<Float64Array>;
  /** Terminal voltage behind the relays (0 when open), V. */
  busVoltage: number;
}

const u16 = (out: Uint8Array, at: number, v: number): void => {
  const r = Math.min(0xffff, Math.max(0, Math.round(v)));
  out[at] = r >> 8;
  out[at + 1] = r & 0xff;
};
const u24 = (out: Uint8Array, at: number, v: number): void => {
  const r = Math.min(0xffffff, Math.max(0, Math.round(v)));
  out[at] = r >> 16;
  out[at + 1] = (r >> 8) & 0xff;
  out[at + 2] = r & 0xff;
};

export function group01(v: LeafVariant, s: Readonly<BmsSnapshot>): Uint8Array {
  const d = new Uint8Array(v.group1Bytes);
  u16(d, 22, s.insulationKOhm);
  // Hx is the LBC's conductance figure; modelled as the SOH [assumed: no public source relates the two].
  if (v.name === 'ze1') {
    u16(d, 28, s.soh * 100 * 102.4);
    u24(d, 31, s.soc * 100 * 10000);
    u24(d, 35, s.fullChargeAh * 10000);
  } else {
    u16(d, 26, s.soh * 100 * 100);
    u24(d, 33, s.fullChargeAh * 10000);
  }
  return d;
}

export function group02(s: Readonly<BmsSnapshot>, x: LeafGroupInputs): Uint8Array {
  const d = new Uint8Array(196);
  for (let i = 0; i < 96; i++) u16(d, 2 * i, (x.cellVolts[i] ?? 0) * 1000);
  u16(d, 192, s.packVoltage * 100);
  u16(d, 194, x.busVoltage * 100);
  return d;
}

/** Module index of thermistor slot `k` (spread over the pack). */
function moduleFor(k: number, slots: number, modules: number): number {
  return slots <= 1 ? 0 : Math.round((k * (modules - 1)) / (slots - 1));
}

export function group04(v: LeafVariant, s: Readonly<BmsSnapshot>, x: LeafGroupInputs): Uint8Array {
  const d = new Uint8Array(v.group4Bytes).fill(0xff);
  const modules = x.temps.length;
  for (let k = 0; k < 4; k++) {
    if (v.thermistors === 3 && k === 2) continue; // FF FF FF
    const t = x.temps[moduleFor(k, 4, modules)] ?? s.tempAvg;
    u16(d, 3 * k, 710 - t / 0.102);
    d[3 * k + 2] = Math.max(-128, Math.min(127, Math.round(t))) & 0xff;
  }
  d[12] = Math.max(-128, Math.min(127, Math.round(s.tempAvg))) & 0xff;
  d[13] = 0;
  return d;
}

export function group06(x: LeafGroupInputs): Uint8Array {
  const d = new Uint8Array(24);
  for (let i = 0; i < 96; i++) if ((x.bleedA[i] ?? 0) > 0) d[i >> 2]! |= 0x08 >> (i & 3);
  return d;
}
