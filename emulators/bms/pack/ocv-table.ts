import { ConfigError } from '../../../core/errors';

/** SOC range the lookup table covers; the model clamps SOC to it (a little beyond empty and full). */
export const SOC_MIN = -0.05;
export const SOC_MAX = 1.05;
const LUT_STEPS = 2200;
const LUT_SCALE = LUT_STEPS / (SOC_MAX - SOC_MIN);

/**
 * Open-circuit voltage of one cell versus state of charge (0..1), from a piecewise-linear table. For speed it is
 * resampled once onto a uniform grid of 0.05 % SOC, so a lookup is one multiply, one floor and one lerp.
 * Outside the table the end segments are extended linearly (SOC is clamped to [-0.05, 1.05] by the model).
 */
export class OcvTable {
  /** Uniform grid, LUT_STEPS + 1 points over [SOC_MIN, SOC_MAX]. */
  readonly lut: Float64Array;
  readonly soc: readonly number[];
  readonly volts: readonly number[];

  /** Throws `ConfigError` unless `soc` is strictly increasing within [0, 1] with matching `volts`. */
  constructor(soc: readonly number[], volts: readonly number[]) {
    if (soc.length < 2 || soc.length !== volts.length) {
      throw new ConfigError(`OCV table needs at least 2 points with as many volts as SOC values (got ${soc.length}/${volts.length})`);
    }
    for (let i = 0; i < soc.length; i++) {
      const s = soc[i]!;
      if (!(s >= 0 && s <= 1)) throw new ConfigError(`OCV table: soc[${i}] = ${s} is outside 0..1`);
      if (i > 0 && !(s > soc[i - 1]!)) throw new ConfigError(`OCV table: soc must increase (soc[${i}] = ${s})`);
      if (!(volts[i]! > 0 && volts[i]! < 10)) throw new ConfigError(`OCV table: volts[${i}] = ${volts[i]} is not a cell voltage`);
    }
    this.soc = [...soc];
    this.volts = [...volts];
    this.lut = new Float64Array(LUT_STEPS + 1);
    for (let k = 0; k <= LUT_STEPS; k++) this.lut[k] = this.exact(SOC_MIN + k / LUT_SCALE);
  }

  /** Piecewise-linear value of the table itself (slow path; tests and aging use it). */
  exact(s: number): number {
    const x = this.soc;
    const y = this.volts;
    const n = x.length;
    let i = 0;
    if (s <= x[0]!) i = 0;
    else if (s >= x[n - 1]!) i = n - 2;
    else while (i < n - 2 && s > x[i + 1]!) i++;
    const x0 = x[i]!;
    const x1 = x[i + 1]!;
    return y[i]! + ((y[i + 1]! - y[i]!) * (s - x0)) / (x1 - x0);
  }

  /** Fast lookup (clamped to [SOC_MIN, SOC_MAX]). */
  at(s: number): number {
    return lookup(this.lut, s);
  }

  /** Integral of OCV over SOC from `a` to `b` (V per unit SOC); times capacity in As gives joules. */
  integral(a: number, b: number, steps = 4000): number {
    const h = (b - a) / steps;
    let sum = 0.5 * (this.at(a) + this.at(b));
    for (let k = 1; k < steps; k++) sum += this.at(a + k * h);
    return sum * h;
  }
}

/** The hot-path lookup on a table's `lut`. */
export function lookup(lut: Float64Array, s: number): number {
  let u = (s - SOC_MIN) * LUT_SCALE;
  if (u < 0) u = 0;
  else if (u > LUT_STEPS - 1e-9) u = LUT_STEPS - 1e-9;
  const k = u | 0;
  const a = lut[k]!;
  return a + (lut[k + 1]! - a) * (u - k);
}
