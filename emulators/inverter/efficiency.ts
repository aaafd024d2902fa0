/** Conversion efficiency as a function of load, interpolated from points (fraction of rated power, efficiency). */
import { ConfigError } from '../../core/errors';

export type EfficiencyCurve = ReadonlyArray<readonly [load: number, efficiency: number]>;

/** A typical string-inverter curve (CEC-like weighting around 97 %). */
export const DEFAULT_EFFICIENCY: EfficiencyCurve = [
  [0, 0.8],
  [0.05, 0.9],
  [0.1, 0.94],
  [0.2, 0.962],
  [0.3, 0.968],
  [0.5, 0.971],
  [0.75, 0.969],
  [1, 0.966],
];

export function validateCurve(curve: EfficiencyCurve): void {
  if (curve.length < 2) throw new ConfigError('efficiency curve needs at least two points');
  for (let i = 0; i < curve.length; i++) {
    const [x, e] = curve[i]!;
    if (!(e > 0 && e <= 1)) throw new ConfigError(`efficiency curve point ${i}: efficiency ${e} is not in (0, 1]`);
    if (i > 0 && !(x > curve[i - 1]![0])) throw new ConfigError(`efficiency curve point ${i}: loads must increase`);
  }
}

/** Efficiency at `load` (fraction of rated, clamped to the curve's ends). */
export function efficiencyAt(curve: EfficiencyCurve, load: number): number {
  const x = Math.abs(load);
  if (x <= curve[0]![0]) return curve[0]![1];
  for (let i = 1; i < curve.length; i++) {
    const [x1, e1] = curve[i]!;
    if (x <= x1) {
      const [x0, e0] = curve[i - 1]!;
      return e0 + ((e1 - e0) * (x - x0)) / (x1 - x0);
    }
  }
  return curve[curve.length - 1]![1];
}
