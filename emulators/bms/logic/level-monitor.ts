import type { LevelThresholds } from '../pack/profile-types';

/**
 * Warning and alarm on one measured quantity, with hysteresis: for a "high" monitor the warning sets at
 * value >= warn and clears below warnClear; the alarm sets once value >= alarm has lasted `delayS` seconds and
 * clears below alarmClear. A "low" monitor mirrors this. NaN readings count as neither (the sensor check
 * flags them).
 */
export class LevelMonitor {
  warning = false;
  alarm = false;
  private pendingS = 0;

  constructor(
    private readonly t: LevelThresholds,
    private readonly high: boolean,
    private readonly delayS = 0,
  ) {}

  update(value: number, dt: number): void {
    const t = this.t;
    const beyond = (x: number): boolean => (this.high ? value >= x : value <= x);
    const inside = (x: number): boolean => (this.high ? value < x : value > x);
    if (this.warning ? inside(t.warnClear) : beyond(t.warn)) this.warning = !this.warning;
    if (this.alarm) {
      if (inside(t.alarmClear)) this.alarm = false;
      this.pendingS = 0;
    } else if (beyond(t.alarm)) {
      this.pendingS += dt;
      if (this.pendingS >= this.delayS) this.alarm = true;
    } else {
      this.pendingS = 0;
    }
  }

  reset(): void {
    this.warning = false;
    this.alarm = false;
    this.pendingS = 0;
  }
}
