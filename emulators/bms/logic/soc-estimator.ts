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

  /** Re-anchor at once (power-up, external state change). */
  reset(soc: number): void {
    this.soc = soc;
    this.restedS = 0;
  }
}
