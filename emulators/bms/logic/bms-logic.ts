import type { BmsProfile, HeartbeatReaction } from '../pack/profile-types';
import { Contactor, type ContactorState } from './contactor';
import { DeratingCurve } from './derating';
import { BmsFlag } from './flags';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { LevelMonitor } from './level-monitor';
import type { Measurements } from './measurements';

/** Options beyond the profile. */
export interface BmsLogicOptions {
  /** Alarm bits that latch until `resetFaults()` (default: all except HeartbeatLost). */
  latching?: number;
  /** Arm the heartbeat watchdog at start instead of at the first beat (default false). */
  armHeartbeatAtStart?: boolean;
  /** Close the contactors by itself when nothing forbids it (default true: LV batteries close at power-up). */
  autoClose?: boolean;
  startMs?: number;
  /** Override the profile's `heartbeat.reaction`. */
  heartbeatReaction?: HeartbeatReaction;
}

/**
 * The BMS decisions, evaluated once per step from measurements: warning/alarm levels with hysteresis, latched
 * faults, the contactor state machine, the heartbeat watchdog and its reaction, current and voltage limits
 * derated by temperature, SOC and cell voltage (PACKS.md 6.3), and passive balancing.
 *
 * Contract: `update` never throws; NaN readings derate limits to 0 and are caught by the sensor check.
 * Limits are magnitudes >= 0; they are 0 whenever the contactor is not closed or any latched fault is present.
 */
export class BmsLogic {
  readonly contactor: Contactor;
  readonly watchdog: HeartbeatWatchdog;
  closeRequested: boolean;
  /** Set by fault hooks. */
  internalFault = false;
  internalComms = false;
  warnings = 0;
  alarms = 0;
  /** Alarms that happened since the last reset and still block the contactor. */
  latched = 0;
  alarmEvents = 0;
  chargeCurrentLimit = 0;
  dischargeCurrentLimit = 0;
  readonly chargeVoltageLimit: number;
  readonly dischargeVoltageLimit: number;
  chargeEnable = false;
  dischargeEnable = false;
  forceCharge1 = false;
  forceCharge2 = false;
  /** Elements bleeding now. */
  balancingCount = 0;

  private readonly vHigh: LevelMonitor;
  private readonly vLow: LevelMonitor;
  private readonly tHigh: LevelMonitor;
  private readonly tLow: LevelMonitor;
  private readonly iChg: LevelMonitor;
  private readonly iDis: LevelMonitor;
  private readonly curves: Record<keyof BmsProfile['derating'], DeratingCurve>;
  private readonly latching: number;
  /** What a lost heartbeat does (profile value unless overridden). */
  readonly heartbeatReaction: HeartbeatReaction;
  private balanceTimerS = 0;

  constructor(
    readonly profile: BmsProfile,
    readonly series: number,
    options: BmsLogicOptions = {},
  ) {
    const d = profile.alarmDelayS;
    this.vHigh = new LevelMonitor(profile.cellVoltageHigh, true, d);
    this.vLow = new LevelMonitor(profile.cellVoltageLow, false, d);
    this.tHigh = new LevelMonitor(profile.cellTempHigh, true, d);
    this.tLow = new LevelMonitor(profile.cellTempLow, false, d);
    this.iChg = new LevelMonitor(profile.chargeCurrentHigh, true, d);
    this.iDis = new LevelMonitor(profile.dischargeCurrentHigh, true, d);
    const dr = profile.derating;
    this.curves = {
      chargeVsTemp: new DeratingCurve(dr.chargeVsTemp),
      dischargeVsTemp: new DeratingCurve(dr.dischargeVsTemp),
      chargeVsMaxCellV: new DeratingCurve(dr.chargeVsMaxCellV),
      dischargeVsMinCellV: new DeratingCurve(dr.dischargeVsMinCellV),
      chargeVsSoc: new DeratingCurve(dr.chargeVsSoc),
      dischargeVsSoc: new DeratingCurve(dr.dischargeVsSoc),
    };
    this.contactor = new Contactor(profile.contactor.prechargeS);
    this.watchdog = new HeartbeatWatchdog(profile.heartbeat.timeoutS * 1000, options.armHeartbeatAtStart ?? false, options.startMs ?? 0);
    this.latching = options.latching ?? ~BmsFlag.HeartbeatLost;
    this.closeRequested = options.autoClose ?? true;
    this.heartbeatReaction = options.heartbeatReaction ?? profile.heartbeat.reaction;
    this.chargeVoltageLimit = profile.chargeVoltagePerCell * series;
    this.dischargeVoltageLimit = profile.dischargeVoltagePerCell * series;
  }

  get contactorState(): ContactorState {
    return this.contactor.state;
  }

  /** Heartbeat from the inverter/controller at `nowMs` (device clock). */
  heartbeat(nowMs: number): void {
    this.watchdog.beat(nowMs);
  }

  /** One evaluation. `dt` seconds since the last, `nowMs` the device time. */
  update(dt: number, nowMs: number, m: Measurements): void {
    const p = this.profile;
    this.vHigh.update(m.cellVMax, dt);
    this.vLow.update(m.cellVMin, dt);
    this.tHigh.update(m.tempMax, dt);
    this.tLow.update(m.tempMin, dt);
    this.iChg.update(m.current > 0 ? m.current : 0, dt);
    this.iDis.update(m.current < 0 ? -m.current : 0, dt);
    const hbLost = this.watchdog.check(nowMs);
    const reaction = this.heartbeatReaction;

    let w = 0;
    let a = 0;
    if (this.vHigh.warning) w |= BmsFlag.CellOverVoltage;
    if (this.vLow.warning) w |= BmsFlag.CellUnderVoltage;
    if (this.tHigh.warning) w |= BmsFlag.OverTemperature;
    if (this.tLow.warning) w |= BmsFlag.UnderTemperature;
    if (this.iChg.warning) w |= BmsFlag.ChargeOverCurrent;
    if (this.iDis.warning) w |= BmsFlag.DischargeOverCurrent;
    if (m.cellVMax - m.cellVMin > p.maxCellDeviationV) w |= BmsFlag.CellImbalance;
    if (m.tempMax - m.tempMin > p.maxTempSpreadK) w |= BmsFlag.TemperatureSpread;
    if (m.insulationKOhm < p.insulation.warnKOhm) w |= BmsFlag.Insulation;
    if (this.internalComms) w |= BmsFlag.InternalComms;
    if (hbLost) w |= BmsFlag.HeartbeatLost;
    if (this.vHigh.alarm) a |= BmsFlag.CellOverVoltage;
    if (this.vLow.alarm) a |= BmsFlag.CellUnderVoltage;
    if (this.tHigh.alarm) a |= BmsFlag.OverTemperature;
    if (this.tLow.alarm) a |= BmsFlag.UnderTemperature;
    if (this.iChg.alarm) a |= BmsFlag.ChargeOverCurrent;
    if (this.iDis.alarm) a |= BmsFlag.DischargeOverCurrent;
    if (m.insulationKOhm < p.insulation.alarmKOhm) a |= BmsFlag.Insulation;
    if (this.internalFault) a |= BmsFlag.InternalFault;
    if (m.sensorFault) a |= BmsFlag.SensorFault;
    if (this.contactor.faulted) a |= BmsFlag.ContactorFault;
    if (hbLost && reaction === 'open-contactors') a |= BmsFlag.HeartbeatLost;
    if ((a & ~this.alarms) !== 0) this.alarmEvents++;
    this.warnings = w | a;
    this.alarms = a;
    this.latched |= a & this.latching;

    const wantClosed = this.closeRequested && this.latched === 0 && (a & ~this.latching) === 0;
    this.contactor.step(dt, wantClosed);

    let chg = 0;
    let dis = 0;
    const usable = this.contactor.state === 'closed' && this.latched === 0 && !(hbLost && reaction !== 'none');
    if (usable) {
      const c = this.curves;
      chg =
        p.maxChargeA *
        Math.min(
          c.chargeVsTemp.at(m.tempMin),
          c.chargeVsTemp.at(m.tempMax),
          c.chargeVsMaxCellV.at(m.cellVMax),
          c.chargeVsSoc.at(m.soc),
        );
      dis =
        p.maxDischargeA *
        Math.min(
          c.dischargeVsTemp.at(m.tempMin),
          c.dischargeVsTemp.at(m.tempMax),
          c.dischargeVsMinCellV.at(m.cellVMin),
          c.dischargeVsSoc.at(m.soc),
        );
      if (a & BmsFlag.CellOverVoltage) chg = 0;
      if (a & BmsFlag.CellUnderVoltage) dis = 0;
    }
    this.chargeCurrentLimit = chg;
    this.dischargeCurrentLimit = dis;
    this.chargeEnable = chg > 0;
    this.dischargeEnable = dis > 0;
    const low = p.cellVoltageLow;
    this.forceCharge1 = m.cellVMin <= low.warn;
    this.forceCharge2 = m.cellVMin <= (low.warn + low.alarm) / 2;
  }

  /**
   * Passive balancing decision every `balancing.periodS`: bleed each element whose measured voltage is more than
   * `thresholdV` above the lowest, when the highest is above `minCellV` and (if configured) not discharging.
   * Writes bleed currents (V / bleedOhm) into `bleedA`. Call when `balanceDue` says so.
   */
  balance(m: Measurements, cellV: Float64Array, bleedA: Float64Array): void {
    const b = this.profile.balancing;
    const allowed =
      m.cellVMax >= b.minCellV && !(b.notWhileDischarging && m.current < -1) && (this.alarms & BmsFlag.SensorFault) === 0;
    let count = 0;
    const limit = m.cellVMin + b.thresholdV;
    for (let i = 0; i < bleedA.length; i++) {
      const v = cellV[i]!;
      if (allowed && v > limit) {
        bleedA[i] = v / b.bleedOhm;
        count++;
      } else {
        bleedA[i] = 0;
      }
    }
    this.balancingCount = count;
  }

  /** Advance the balancing timer by `dt`; true when a balancing decision is due (every `balancing.periodS`). */
  balanceDue(dt: number): boolean {
    this.balanceTimerS += dt;
    const period = this.profile.balancing.periodS;
    if (this.balanceTimerS + 1e-9 < period) return false;
    this.balanceTimerS -= period * Math.floor((this.balanceTimerS + 1e-9) / period);
    return true;
  }

  /** Clear latched faults whose cause has gone (active alarms stay latched); lets the contactor close again. */
  resetFaults(): void {
    this.contactor.reset();
    this.latched = this.alarms & this.latching & ~BmsFlag.ContactorFault;
    if (this.contactor.faulted) this.latched |= BmsFlag.ContactorFault;
  }
}
