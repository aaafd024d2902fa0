/**
 * One MPPT tracker. After the MPP moves up (irradiance rises, tracking restarts) the operating power approaches it
 * exponentially, reaching 95 % in `settleS`; when the MPP falls, the string current falls with the light at once.
 * When the inverter needs less than the tracked power it moves off the MPP (curtailment) and the string runs at the
 * power asked for, at a voltage above Vmp.
 */
export class MpptTracker {
  private tracked = 0;
  private readonly tau: number;

  constructor(settleS = 3) {
    this.tau = Math.max(settleS, 1e-3) / 3;
  }

  /** Restart tracking from zero (wake-up, reconnect). */
  reset(): void {
    this.tracked = 0;
  }

  /** Advance by `dt` toward an MPP of `mppW`; returns the power available at the tracked point. */
  step(dt: number, mppW: number): number {
    if (mppW <= this.tracked) this.tracked = mppW;
    else this.tracked += (mppW - this.tracked) * (1 - Math.exp(-dt / this.tau));
    return this.tracked;
  }

  get available(): number {
    return this.tracked;
  }
}
