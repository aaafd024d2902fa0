/**
 * Grid protection of a grid-following inverter: trips when voltage or frequency leave their band for longer than
 * the trip delay, or when the grid is lost (anti-islanding), and reconnects only after the grid has been back in
 * band without interruption for the reconnect delay.
 */
import { ConfigError } from '../../core/errors';

/** SunSpec 101 Evt1 bit numbers used by protection and faults. */
export const EVT = {
  GROUND_FAULT: 0,
  DC_OVER_VOLT: 1,
  AC_DISCONNECT: 2,
  DC_DISCONNECT: 3,
  GRID_DISCONNECT: 4,
  CABINET_OPEN: 5,
  MANUAL_SHUTDOWN: 6,
  OVER_TEMP: 7,
  OVER_FREQUENCY: 8,
  UNDER_FREQUENCY: 9,
  AC_OVER_VOLT: 10,
  AC_UNDER_VOLT: 11,
  BLOWN_STRING_FUSE: 12,
  UNDER_TEMP: 13,
  MEMORY_LOSS: 14,
  HW_TEST_FAILURE: 15,
} as const;
export type EvtName = keyof typeof EVT;

export interface GridLimits {
  nominalV: number;
  nominalHz: number;
  /** Band, per unit of nominal voltage (default 0.88-1.10). */
  vMinPu?: number;
  vMaxPu?: number;
  /** Band, Hz offsets from nominal (default -2.5 / +1.5, EN 50549-like at 50 Hz). */
  fMinOffset?: number;
  fMaxOffset?: number;
  /** Time out of band before tripping, s (default 0.2). */
  tripDelayS?: number;
  /** Time back in band before reconnecting, s (default 60). */
  reconnectDelayS?: number;
}

export class GridProtection {
  private readonly vMin: number;
  private readonly vMax: number;
  private readonly fMin: number;
  private readonly fMax: number;
  readonly tripDelayS: number;
  readonly reconnectDelayS: number;
  private outFor = 0;
  private okFor = 0;
  private tripReasons = 0;
  private pendingReasons = 0;

  constructor(l: GridLimits) {
    this.vMin = l.nominalV * (l.vMinPu ?? 0.88);
    this.vMax = l.nominalV * (l.vMaxPu ?? 1.1);
    this.fMin = l.nominalHz + (l.fMinOffset ?? -2.5);
    this.fMax = l.nominalHz + (l.fMaxOffset ?? 1.5);
    this.tripDelayS = l.tripDelayS ?? 0.2;
    this.reconnectDelayS = l.reconnectDelayS ?? 60;
    if (!(this.vMin < l.nominalV && l.nominalV < this.vMax)) throw new ConfigError('grid limits: the voltage band must contain the nominal voltage');
    if (!(this.fMin < l.nominalHz && l.nominalHz < this.fMax)) throw new ConfigError('grid limits: the frequency band must contain the nominal frequency');
  }

  /** Evt1 bits describing what is wrong with the grid now (0 = in band). */
  assess(volts: number, hz: number, islanded: boolean): number {
    if (islanded || volts < this.vMin * 0.5) return (1 << EVT.GRID_DISCONNECT) | (1 << EVT.AC_DISCONNECT);
    let bits = 0;
    if (volts > this.vMax) bits |= 1 << EVT.AC_OVER_VOLT;
    if (volts < this.vMin) bits |= 1 << EVT.AC_UNDER_VOLT;
    if (hz > this.fMax) bits |= 1 << EVT.OVER_FREQUENCY;
    if (hz < this.fMin) bits |= 1 << EVT.UNDER_FREQUENCY;
    return bits;
  }

  /** Advance by `dt` seconds with the grid as measured. */
  step(dt: number, volts: number, hz: number, islanded: boolean): void {
    const bits = this.assess(volts, hz, islanded);
    if (bits !== 0) {
      this.okFor = 0;
      this.outFor += dt;
      this.pendingReasons |= bits;
      if (this.tripReasons === 0 && this.outFor >= this.tripDelayS - 1e-9) this.tripReasons = this.pendingReasons;
      else if (this.tripReasons !== 0) this.tripReasons |= bits;
      return;
    }
    this.outFor = 0;
    this.pendingReasons = 0;
    if (this.tripReasons !== 0) {
      this.okFor += dt;
      if (this.okFor >= this.reconnectDelayS - 1e-9) {
        this.tripReasons = 0;
        this.okFor = 0;
      }
    }
  }

  get tripped(): boolean {
    return this.tripReasons !== 0;
  }

  /** Evt1 bits of the trip in force (0 when not tripped). */
  get reasons(): number {
    return this.tripReasons;
  }

  /** Seconds left before reconnecting (0 if not tripped or grid still out of band). */
  get reconnectRemainingS(): number {
    return this.tripped && this.outFor === 0 ? Math.max(0, this.reconnectDelayS - this.okFor) : 0;
  }
}
