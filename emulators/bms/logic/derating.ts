import type { CurvePoints } from '../pack/profile-types';

/**
 * A piecewise-linear derating curve (PACKS.md 6.3 form: fraction of the max current vs temperature, cell
 * voltage or SOC; linear between points, held at the end values outside). Compiled to typed arrays.
 */
export class DeratingCurve {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;

  constructor(points: CurvePoints) {
    this.xs = Float64Array.from(points, (p) => p[0]);
    this.ys = Float64Array.from(points, (p) => p[1]);
  }

  at(x: number): number {
    const xs = this.xs;
    const ys = this.ys;
    const n = xs.length;
    if (!(x > xs[0]!)) return x !== x ? 0 : ys[0]!; // NaN (failed sensor) derates to 0
    if (x >= xs[n - 1]!) return ys[n - 1]!;
    let i = 1;
    while (x > xs[i]!) i++;
    const x0 = xs[i - 1]!;
    return ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (x - x0)) / (xs[i]! - x0);
  }
}
