/**
 * Watchdog on the inverter's or controller's heartbeat (LV CAN 0x305 every 1 s; lost after 3 s of silence per
 * PROTOCOLS.md). Times are milliseconds on the device's clock. Until the first beat the watchdog is not armed
 * (a battery powers up before its inverter) unless `armAtStart`.
 */
export class HeartbeatWatchdog {
  private lastBeatMs: number | undefined;
  lost = false;
  /** Beats received. */
  beats = 0;
  /** Times the heartbeat was declared lost. */
  losses = 0;

  constructor(
    readonly timeoutMs: number,
    armAtStart = false,
    startMs = 0,
  ) {
    if (armAtStart) this.lastBeatMs = startMs;
  }

  /**
   * Armed at start and no beat yet: the grace period starts again at `nowMs` (a scenario's t=0). Otherwise nothing
   * changes (a watchdog armed at the first beat is not running; one that heard beats judges the real last beat).
   */
  restartGrace(nowMs: number): void {
    if (this.beats === 0 && this.lastBeatMs !== undefined) this.lastBeatMs = nowMs;
  }

  beat(nowMs: number): void {
    this.lastBeatMs = nowMs;
    this.beats++;
    this.lost = false;
  }

  /** Re-evaluate at `nowMs`; returns `lost`. */
  check(nowMs: number): boolean {
    if (this.lastBeatMs === undefined) return false;
    const lostNow = nowMs - this.lastBeatMs > this.timeoutMs;
    if (lostNow && !this.lost) this.losses++;
    this.lost = lostNow;
    return lostNow;
  }
}
