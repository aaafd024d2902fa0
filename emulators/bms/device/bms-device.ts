import type { Clock } from '../../../core/clock';
import { BmsLogic, type BmsLogicOptions } from '../logic/bms-logic';
import { Measurements } from '../logic/measurements';
import { SocEstimator, reportedSoc, socWindow, type SocWindow } from '../logic/soc-estimator';
import { agePack, type AgingResult, type AgingSegment } from '../pack/aging';
import { ageUnderDuty, type DutyAgingResult, type DutyProfile } from '../pack/duty';
import { PackModel, type PackModelOptions } from '../pack/pack-model';
import type { PackProfile } from '../pack/profile-types';
import type { FaultHandle, FaultSpec } from './fault-spec';
import { FaultInjector, HEALTHY_INSULATION_KOHM } from './fault-injector';
import { Sensors } from './sensors';
import { copySnapshot, emptySnapshot, type BmsSnapshot } from './snapshot';

/** A current demand over time: seconds of device time -> amps (+ charge). */
export type CurrentSource = (timeS: number) => number;

export interface BmsDeviceOptions extends PackModelOptions, BmsLogicOptions {
  /** Time source for `heartbeat()` without an argument and for `timeMs`; default: the sum of step dt. */
  clock?: Clock;
  /**
   * What happens to a current above the limits: 'pass' (default; it flows and the BMS alarms on over-current as
   * a real one would) or 'clamp' (the device holds it within the limits, counting each clamped step).
   */
  currentPolicy?: 'pass' | 'clamp';
  /**
   * Usage history to age the pack by at construction (BLAST-Lite laws, pack/aging.ts), after `soh` /
   * `resistanceFactor` set its starting point: e.g. a Leaf pack retired at 70 % plus a year on a shelf.
   */
  agingHistory?: readonly AgingSegment[];
}

/**
 * One emulated second-life battery: pack model + sensors + BMS logic, behind the Device contract (DESIGN.md):
 * `step(dtSeconds)` advances physics and logic; `snapshot()` is what protocol profiles publish. The inverter's
 * battery port drives it with `setCurrent` (or a `CurrentSource`); while the contactor is open no current
 * flows whatever is asked (counted as refused). It also implements the inverter's `BatteryPort` shape
 * (emulators/inverter/battery-port.ts): voltage(), chargeCurrentLimit(), dischargeCurrentLimit(),
 * contactorClosed(), setCurrent(), soc(), capacityAh().
 *
 * Time comes only from the step dt (and `clock.now()` for heartbeats when a clock is given). Deterministic for
 * a seed. `step` allocates nothing on the fault-free path.
 */
export class BmsDevice {
  readonly pack: PackModel;
  readonly logic: BmsLogic;
  readonly sensors: Sensors;
  readonly profile: PackProfile;
  private readonly meas = new Measurements();
  private readonly socEstimator: SocEstimator;
  /** The SOC span the BMS reports as 0..100 % (see `socWindow`). */
  readonly socWindow: SocWindow;
  private readonly snap: BmsSnapshot = emptySnapshot();
  /** Active faults and their effects. */
  readonly faults: FaultInjector;
  private frozen: BmsSnapshot | undefined;
  private requestedA = 0;
  private source: CurrentSource | null = null;
  private readonly policy: 'pass' | 'clamp';
  private readonly clock: Clock | undefined;
  private timeMsOwn: number;
  private readonly counters = emptySnapshot().counters;
  private refused = 0;
  private clamped = 0;
  /** Insulation resistance of a healthy pack, kOhm. */
  static readonly HEALTHY_INSULATION_KOHM = HEALTHY_INSULATION_KOHM;

  constructor(profile: PackProfile, options: BmsDeviceOptions = {}) {
    this.profile = profile;
    this.pack = new PackModel(profile, options);
    this.clock = options.clock;
    this.timeMsOwn = options.clock ? options.clock.now() : 0;
    this.logic = new BmsLogic(profile.bms, profile.topology.series, { ...options, startMs: this.timeMsOwn });
    this.sensors = new Sensors(this.pack, options.seed ?? 1);
    this.policy = options.currentPolicy ?? 'pass';
    this.faults = new FaultInjector({ pack: this.pack, sensors: this.sensors, logic: this.logic });
    if (options.agingHistory && options.agingHistory.length > 0) agePack(this.pack, options.agingHistory);
    this.meas.insulationKOhm = BmsDevice.HEALTHY_INSULATION_KOHM;
    this.socEstimator = new SocEstimator(this.pack.stringSoc());
    this.socWindow = socWindow(profile.cell.ocv, profile.bms.dischargeVoltagePerCell, profile.bms.chargeVoltagePerCell);
    this.evaluate(0);
  }

  /** Device time, ms. */
  get timeMs(): number {
    return this.clock ? this.clock.now() : this.timeMsOwn;
  }

  // ---------------------------------------------------------------- inputs

  /** Current the inverter/load asks for from now on, amps (+ charge). Replaces any current source. */
  setCurrent(amps: number): void {
    this.requestedA = Number.isFinite(amps) ? amps : 0;
    this.source = null;
  }

  /** Drive the current from a function of device time (a load profile); `null` returns to `setCurrent`. */
  setCurrentSource(source: CurrentSource | null): void {
    this.source = source;
  }

  /** The inverter's/controller's heartbeat arrived (LV CAN 0x305). Default time: the device's. */
  heartbeat(nowMs: number = this.timeMs): void {
    this.logic.heartbeat(nowMs);
  }

  /**
   * A heartbeat watchdog armed at start that has not heard a beat yet starts its grace period again at `nowMs` (a
   * scenario's t=0: the controller's start-up time is not counted against it). No effect once a beat has come.
   */
  restartHeartbeatGrace(nowMs: number = this.timeMs): void {
    this.logic.watchdog.restartGrace(nowMs);
  }

  /** Ask the BMS to close (default at start when `autoClose`) or open its contactors. */
  requestContactors(closed: boolean): void {
    this.logic.closeRequested = closed;
  }

  /** Clear latched faults whose cause has gone. */
  resetFaults(): void {
    this.logic.resetFaults();
  }

  /** Re-anchor the BMS's SOC estimate to the pack (after editing `pack` state directly in a test or scenario). */
  resyncSoc(): void {
    this.socEstimator.reset(this.pack.stringSoc());
    this.evaluate(0);
  }

  /** Age the pack by a usage history (BLAST-Lite laws; see pack/aging.ts). */
  age(history: readonly AgingSegment[]): AgingResult {
    const r = agePack(this.pack, history);
    this.socEstimator.reset(this.pack.stringSoc());
    this.evaluate(0);
    return r;
  }

  /** Age the pack by `days` of a duty profile at once (pack/duty.ts); SOC and temperatures stay where they were. */
  ageUnderDuty(duty: DutyProfile, days: number): DutyAgingResult {
    const r = ageUnderDuty(this.pack, duty, days);
    this.socEstimator.reset(this.pack.stringSoc());
    this.evaluate(0);
    return r;
  }

  // ---------------------------------------------------------------- stepping

  /** Advance `dtSeconds` (> 0): current from the source, pack physics, sensors, BMS logic, snapshot. */
  step(dtSeconds: number): void {
    if (!(dtSeconds > 0) || !Number.isFinite(dtSeconds)) return;
    if (!this.clock) this.timeMsOwn += dtSeconds * 1000;
    const pack = this.pack;
    this.faults.preStep();
    let asked = this.source ? this.source(pack.timeS) : this.requestedA;
    if (!Number.isFinite(asked)) asked = 0;
    const logic = this.logic;
    if (this.policy === 'clamp') {
      const c = Math.min(logic.chargeCurrentLimit, Math.max(-logic.dischargeCurrentLimit, asked));
      if (c !== asked) this.clamped++;
      asked = c;
    }
    asked += this.faults.extraA;
    let amps = 0;
    if (logic.contactor.conducting) amps = asked;
    else if (asked !== 0) this.refused++;
    pack.step(dtSeconds, amps);
    this.evaluate(dtSeconds);
  }

  private evaluate(dt: number): void {
    const m = this.meas;
    const pack = this.pack;
    this.sensors.measure(m);
    const usableAs = Math.max(0, pack.dischargeableAs) + Math.max(0, pack.chargeableAs);
    const est = this.socEstimator;
    if (dt > 0) est.update(dt, m.current, usableAs, pack.stringSoc());
    // End of charge / cut-off: a BMS re-anchors its estimate when its highest cell reaches the charge voltage (it
    // then reports 100 %) or its lowest the cut-off (0 %), whatever coulomb counting said.
    // Also when the current has tapered to the tail (C/20 of the BMS's maximum) within 10 mV of it, as a CV charge
    // ends [assumed: the generic C/20 termination; the profiles' taper never quite reaches its end point].
    const bms = this.profile.bms;
    const full = m.cellVMax >= bms.chargeVoltagePerCell || (m.cellVMax >= bms.chargeVoltagePerCell - 0.01 && m.current <= 0.05 * bms.maxChargeA);
    const empty = m.cellVMin <= bms.dischargeVoltagePerCell || (m.cellVMin <= bms.dischargeVoltagePerCell + 0.01 && -m.current <= 0.05 * bms.maxDischargeA);
    if (dt > 0 && m.current >= -0.05 && full && est.soc < this.socWindow.hi) est.reset(this.socWindow.hi);
    else if (dt > 0 && m.current <= 0.05 && m.cellVMin > 0 && empty && est.soc > this.socWindow.lo) est.reset(this.socWindow.lo);
    m.soc = reportedSoc(est.soc, this.socWindow);
    m.insulationKOhm = this.faults.insulationKOhm();
    this.logic.update(dt, this.timeMs, m);
    if (dt > 0 && this.logic.balanceDue(dt)) this.logic.balance(m, this.sensors.cellVoltages(), pack.bleedA);
    this.publish(dt);
  }

  private publish(dt: number): void {
    const s = this.snap;
    const p = this.pack;
    const m = this.meas;
    const l = this.logic;
    s.timeMs = this.timeMs;
    s.seriesCells = this.profile.topology.series;
    s.parallelCells = this.profile.topology.parallel;
    s.modules = p.moduleCount;
    s.nominalAh = p.nominalGroupAh;
    s.chargeVoltageLimit = l.chargeVoltageLimit;
    s.dischargeVoltageLimit = l.dischargeVoltageLimit;
    s.packVoltage = m.packVoltage;
    s.current = m.current;
    s.soc = m.soc;
    s.soh = p.soh();
    s.remainingAh = Math.max(0, p.dischargeableAs) / 3600;
    s.fullChargeAh = (Math.max(0, p.dischargeableAs) + Math.max(0, p.chargeableAs)) / 3600;
    s.cellVMin = m.cellVMin;
    s.cellVMax = m.cellVMax;
    s.cellVMinId = m.cellVMinId;
    s.cellVMaxId = m.cellVMaxId;
    s.cellTMin = m.tempMin;
    s.cellTMax = m.tempMax;
    s.cellTMinId = m.tempMinId;
    s.cellTMaxId = m.tempMaxId;
    let tSum = 0;
    const temps = this.sensors.overrides.length > 0 ? this.sensors.tempC : p.tempC;
    for (let i = 0; i < temps.length; i++) tSum += temps[i]!;
    s.tempAvg = tSum / temps.length;
    s.chargeCurrentLimit = l.chargeCurrentLimit;
    s.dischargeCurrentLimit = l.dischargeCurrentLimit;
    s.warnings = l.warnings;
    s.alarms = l.alarms;
    s.latched = l.latched;
    s.chargeEnable = l.chargeEnable;
    s.dischargeEnable = l.dischargeEnable;
    s.forceCharge1 = l.forceCharge1;
    s.forceCharge2 = l.forceCharge2;
    s.contactor = l.contactor.state;
    s.insulationKOhm = m.insulationKOhm;
    s.heartbeatLost = l.watchdog.lost;
    s.commsLost = this.faults.commsLost;
    s.balancingCells = l.balancingCount;
    s.energyInWh = p.energyInJ / 3600;
    s.energyOutWh = p.energyOutJ / 3600;
    s.ahCharged = p.ahCharged;
    s.ahDischarged = p.ahDischarged;
    s.cycles = p.efc();
    const c = this.counters;
    if (dt > 0) c.steps++;
    c.heartbeats = l.watchdog.beats;
    c.heartbeatLosses = l.watchdog.losses;
    c.contactorCycles = l.contactor.cycles;
    c.alarmEvents = l.alarmEvents;
    c.refusedCurrentSteps = this.refused;
    c.clampedCurrentSteps = this.clamped;
    if (!this.faults.countersFrozen) {
      const o = s.counters;
      o.steps = c.steps;
      o.heartbeats = c.heartbeats;
      o.heartbeatLosses = c.heartbeatLosses;
      o.contactorCycles = c.contactorCycles;
      o.alarmEvents = c.alarmEvents;
      o.refusedCurrentSteps = c.refusedCurrentSteps;
      o.clampedCurrentSteps = c.clampedCurrentSteps;
    }
    this.faults.corrupt(s);
  }

  /**
   * Cell (series element) voltages as the BMS measures them, V, index = element. A view valid until the next
   * `step` (copy to keep). For detail registers (SunSpec 803/804/805) and cell-level CAN frames.
   */
  measuredCellVoltages(): Readonly<Float64Array> {
    return this.sensors.cellVoltages();
  }

  /** Module temperatures as measured, degC, index = module. A view valid until the next `step`. */
  measuredTemperatures(): Readonly<Float64Array> {
    return this.sensors.overrides.length > 0 ? this.sensors.tempC : this.pack.tempC;
  }

  /** What profiles publish (see `BmsSnapshot` for the contract). */
  snapshot(): Readonly<BmsSnapshot> {
    return this.faults.stale && this.frozen ? this.frozen : this.snap;
  }

  // ---------------------------------------------------------------- BatteryPort

  /** Physical terminal voltage behind the contactor (not the BMS's possibly faulty report). */
  voltage(): number {
    return this.logic.contactor.conducting ? this.pack.packVoltage : 0;
  }
  chargeCurrentLimit(): number {
    return this.snap.chargeCurrentLimit;
  }
  dischargeCurrentLimit(): number {
    return this.snap.dischargeCurrentLimit;
  }
  contactorClosed(): boolean {
    return this.logic.contactor.conducting;
  }
  /** SOC in percent (BatteryPort). */
  soc(): number {
    return this.snap.soc * 100;
  }
  capacityAh(): number {
    return this.snap.fullChargeAh;
  }

  // ---------------------------------------------------------------- faults

  /** Active faults (handles). */
  activeFaults(): FaultHandle[] {
    return this.faults.handles();
  }

  /**
   * Inject a fault or degradation step. Throws `ConfigError` naming the problem for an unknown kind or an
   * out-of-range index/value (nothing changes then). Returns a handle whose `clear()` undoes it.
   */
  injectFault(spec: FaultSpec): FaultHandle {
    const handle = this.faults.inject(spec, () => {
      if (!this.faults.stale) this.frozen = undefined;
      this.evaluate(0);
    });
    this.evaluate(0);
    if (spec.kind === 'stale-data') this.frozen ??= copySnapshot(this.snap);
    return handle;
  }
}
