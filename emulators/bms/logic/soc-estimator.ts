/**
 * The BMS's SOC estimate: coulomb counting on the measured current, re-anchored to the OCV-based SOC after the
 * pack has rested (|I| below `restA` for `restS` seconds), as BMSs do. So a current-sensor offset or noise makes
 * the reported SOC drift until the next long rest, and coulombic losses show as a small drift too.
 */
export class SocEstimator {
  soc: number;
  private restedS = 0;

  constructor(
    initialSoc: number,
    private readonly restA = 0.5,
    private readonly restS = 1800,
  ) {
    this.soc = initialSoc;
  }

  /**
   * `currentA` measured (+ charge), `capacityAs` the usable capacity, `restSoc` the SOC read from OCV at rest
   * (used only once the rest is long enough). Returns the estimate, 0..1.
   */
  update(dt: number, currentA: number, capacityAs: number, restSoc: number): number {
    if (capacityAs > 0 && Number.isFinite(currentA)) this.soc += (currentA * dt) / capacityAs;
    if (Math.abs(currentA) < this.restA) {
      this.restedS += dt;
      if (this.restedS >= this.restS) this.soc = restSoc;
    } else {
      this.restedS = 0;
    }
    if (this.soc < 0) this.soc = 0;
    else if (this.soc > 1) this.soc = 1;
    return this.soc;
  }

  /** Re-anchor at once (power-up, external state change, the BMS declaring full or empty). */
  reset(soc: number): void {
    this.soc = soc;
    this.restedS = 0;
  }
}

/**
 * The SOC span a BMS calls 0..100 %: from the SOC whose open-circuit voltage is the discharge cut-off per cell to
 * the one at the end-of-charge voltage. A BMS reports 100 % when it declares the pack full (it stops charging at
 * its charge voltage, well before the cell's OCV-table end on NMC/LMO) and 0 % at its cut-off, not at the
 * chemistry's limits.
 */
export interface SocWindow {
  /** Cell SOC (0..1 on the OCV table) reported as 0 % and as 100 %. */
  lo: number;
  hi: number;
}

/** The window from an increasing OCV table and the BMS's per-cell cut-off and end-of-charge voltages. */
export function socWindow(ocv: { soc: readonly number[]; volts: readonly number[] }, dischargeV: number, chargeV: number): SocWindow {
  const socAt = (v: number): number => {
    const x = ocv.soc;
    const y = ocv.volts;
    if (v <= y[0]!) return x[0]!;
    for (let i = 1; i < y.length; i++) {
      if (v <= y[i]!) return x[i - 1]! + ((x[i]! - x[i - 1]!) * (v - y[i - 1]!)) / (y[i]! - y[i - 1]!);
    }
    return x[x.length - 1]!;
  };
  const lo = socAt(dischargeV);
  const hi = socAt(chargeV);
  return hi - lo > 0.05 ? { lo, hi } : { lo: 0, hi: 1 };
}

/** Cell SOC (0..1) to the SOC the BMS reports (0..1 of its window, clamped). */
export function reportedSoc(cellSoc: number, w: SocWindow): number {
  const r = (cellSoc - w.lo) / (w.hi - w.lo);
  return r < 0 ? 0 : r > 1 ? 1 : r;
}
