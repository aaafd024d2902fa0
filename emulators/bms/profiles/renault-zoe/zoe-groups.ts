/**
 * The Zoe LBC's diagnostic groups: KWP2000 `21 gg` on 0x79B, answered `61 gg <data>` on 0x7BB. Lengths are those of
 * BE's capture-based log (first frames `10 7E 61 41`, `10 46 61 42`, `10 1D 61 03`, `10 4F 61 04`, `10 0E 61 07`,
 * `10 14 61 61`); `data` below is what follows `61 gg`.
 * - 0x41 (124 bytes): cells 1-62, u16 mV; 0x42 (68 bytes): cells 63-96 [BE handle_pid; OVMS IncomingLBC].
 * - 0x03 (27 bytes): max / min cell voltage u16 0.01 V at response bytes 12-13 / 14-15, real SOC u16 0.01 % at 24-25
 *   (positions counted from the `61`, as DDT4ALL gives them in OVMS's comments); the rest is not public: 0.
 * - 0x04 (77 bytes): 12 modules of (u16 raw, temperature + 40) [OVMS: temperature bytes 2, 5, ... 35]; the raw word is
 *   not public (0); the remaining 41 bytes are 0.
 * - 0x07 (12 bytes): balancing, one bit per cell, MSB first [BE GROUP6_BALANCING].
 * - 0x61 (18 bytes): mileage km u16 at 11-12, lifetime energy kWh u16 at 15-16 [BE GROUP3_METRICS]; lifetime energy is
 *   the energy moved since the device was built (assumed meaning), mileage 0.
 */
import type { BmsSnapshot } from '../../device/snapshot';

export const ZOE_GROUPS = [0x41, 0x42, 0x03, 0x04, 0x07, 0x61] as const;

const u16 = (d: Uint8Array, at: number, v: number): void => {
  const r = Math.min(0xffff, Math.max(0, Math.round(v)));
  d[at] = r >> 8;
  d[at + 1] = r & 0xff;
};

export function zoeGroup(g: number, s: Readonly<BmsSnapshot>, cells: Readonly<Float64Array>, temps: Readonly<Float64Array>, bleedA: Readonly<Float64Array>): Uint8Array | undefined {
  switch (g) {
    case 0x41:
    case 0x42: {
      const [from, n] = g === 0x41 ? [0, 62] : [62, 34];
      const d = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) u16(d, 2 * i, (cells[from + i] ?? 0) * 1000);
      return d;
    }
    case 0x03: {
      const d = new Uint8Array(27);
      u16(d, 12 - 2, s.cellVMax * 100);
      u16(d, 14 - 2, s.cellVMin * 100);
      u16(d, 24 - 2, s.soc * 10000);
      return d;
    }
    case 0x04: {
      const d = new Uint8Array(77);
      for (let m = 0; m < 12; m++) {
        const t = temps[Math.round((m * (temps.length - 1)) / 11)] ?? s.tempAvg;
        d[3 * m + 2] = Math.min(0xff, Math.max(0, Math.round(t + 40)));
      }
      return d;
    }
    case 0x07: {
      const d = new Uint8Array(12);
      for (let i = 0; i < 96; i++) if ((bleedA[i] ?? 0) > 0) d[i >> 3]! |= 0x80 >> (i & 7);
      return d;
    }
    case 0x61: {
      const d = new Uint8Array(18);
      u16(d, 15, (s.energyInWh + s.energyOutWh) / 1000);
      return d;
    }
    default:
      return undefined;
  }
}
