import type { Clock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import { BmsLogic, type BmsLogicOptions } from '../logic/bms-logic';
import { Measurements } from '../logic/measurements';
import { SocEstimator } from '../logic/soc-estimator';
import { agePack, type AgingResult, type AgingSegment } from '../pack/aging';
import { PackModel, type PackModelOptions } from '../pack/pack-model';
import type { PackProfile } from '../pack/profile-types';
import type { FaultHandle, FaultSpec } from './fault-spec';
import { Sensors, type SensorOverride } from './sensors';
import { copySnapshot, emptySnapshot, type BmsSnapshot, type NumericSnapshotField } from './snapshot';

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

interface ActiveFault {
  handle: FaultHandle;
  undo: () => void;
}

const WRONG_VALUE_FIELDS = new Set<string>(Object.keys(emptySnapshot()).filter((k) => typeof (emptySnapshot() as unknown as Record<string, unknown>)[k] === 'number'));

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
  private readonly snap: BmsSnapshot = emptySnapshot();
  private frozen: BmsSnapshot | undefined;
  private staleCount = 0;
  private frozenCounters = 0;
  private commsLossCount = 0;
  private requestedA = 0;
  private source: CurrentSource | null = null;
  private extraA = 0;
  private readonly policy: 'pass' | 'clamp';
  private readonly clock: Clock | undefined;
  private timeMsOwn: number;
  private readonly faults = new Map<number, ActiveFault>();
  private nextFaultId = 1;
  private readonly staticHeatW: Float64Array;
  private readonly selfHeating: Array<{ cell: number; module: number; watts: number; t0: number; doublingK: number; maxW: number }> = [];
  private readonly insulationFaults = new Map<number, number>();
  private readonly wrongValues = new Map<number, { field: NumericSnapshotField; factor: number; offset: number }>();
  private readonly counters = emptySnapshot().counters;
  private refused = 0;
  private clamped = 0;
  /** Insulation resistance of a healthy pack, kOhm. */
  static readonly HEALTHY_INSULATION_KOHM = 10_000;

  constructor(profile: PackProfile, options: BmsDeviceOptions = {}) {
    this.profile = profile;
    this.pack = new PackModel(profile, options);
    this.clock = options.clock;
    this.timeMsOwn = options.clock ? options.clock.now() : 0;
    this.logic = new BmsLogic(profile.bms, profile.topology.series, { ...options, startMs: this.timeMsOwn });
    this.sensors = new Sensors(this.pack, options.seed ?? 1);
    this.policy = options.currentPolicy ?? 'pass';
    this.staticHeatW = new Float64Array(this.pack.moduleCount);
    if (options.agingHistory && options.agingHistory.length > 0) agePack(this.pack, options.agingHistory);
    this.meas.insulationKOhm = BmsDevice.HEALTHY_INSULATION_KOHM;
    this.socEstimator = new SocEstimator(this.pack.stringSoc());
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

  // ---------------------------------------------------------------- stepping

  /** Advance `dtSeconds` (> 0): current from the source, pack physics, sensors, BMS logic, snapshot. */
  step(dtSeconds: number): void {
    if (!(dtSeconds > 0) || !Number.isFinite(dtSeconds)) return;
    if (!this.clock) this.timeMsOwn += dtSeconds * 1000;
    const pack = this.pack;
    if (this.selfHeating.length > 0) this.updateSelfHeating();
    let asked = this.source ? this.source(pack.timeS) : this.requestedA;
    if (!Number.isFinite(asked)) asked = 0;
    const logic = this.logic;
    if (this.policy === 'clamp') {
      const c = Math.min(logic.chargeCurrentLimit, Math.max(-logic.dischargeCurrentLimit, asked));
      if (c !== asked) this.clamped++;
      asked = c;
    }
    asked += this.extraA;
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
    m.soc = dt > 0 ? this.socEstimator.update(dt, m.current, usableAs, pack.stringSoc()) : this.socEstimator.soc;
    m.insulationKOhm = this.insulationKOhm();
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
    s.commsLost = this.commsLossCount > 0;
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
    if (this.frozenCounters === 0) {
      const o = s.counters;
      o.steps = c.steps;
      o.heartbeats = c.heartbeats;
      o.heartbeatLosses = c.heartbeatLosses;
      o.contactorCycles = c.contactorCycles;
      o.alarmEvents = c.alarmEvents;
      o.refusedCurrentSteps = c.refusedCurrentSteps;
      o.clampedCurrentSteps = c.clampedCurrentSteps;
    }
    if (this.wrongValues.size > 0) {
      for (const w of this.wrongValues.values()) s[w.field] = s[w.field] * w.factor + w.offset;
    }
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
    return this.staleCount > 0 && this.frozen ? this.frozen : this.snap;
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

  private insulationKOhm(): number {
    let r = BmsDevice.HEALTHY_INSULATION_KOHM;
    for (const k of this.insulationFaults.values()) r = Math.min(r, k);
    return r;
  }

  private updateSelfHeating(): void {
    const ext = this.pack.extHeatW;
    ext.set(this.staticHeatW);
    for (const h of this.selfHeating) {
      const t = this.pack.tempC[h.module]!;
      ext[h.module]! += Math.min(h.maxW, h.watts * Math.pow(2, (t - h.t0) / h.doublingK));
    }
  }

  /** Active faults (handles). */
  activeFaults(): FaultHandle[] {
    return [...this.faults.values()].map((f) => f.handle);
  }

  /**
   * Inject a fault or degradation step. Throws `ConfigError` naming the problem for an unknown kind or an
   * out-of-range index/value (nothing changes then). Returns a handle whose `clear()` undoes it.
   */
  injectFault(spec: FaultSpec): FaultHandle {
    const undo = this.applyFault(spec);
    const id = this.nextFaultId++;
    let active = true;
    const handle: FaultHandle = {
      id,
      spec: Object.freeze({ ...spec }) as FaultSpec,
      get active() {
        return active;
      },
      clear: () => {
        if (!active) return;
        active = false;
        this.faults.delete(id);
        undo();
        this.evaluate(0);
      },
    };
    this.faults.set(id, { handle, undo });
    this.evaluate(0);
    if (spec.kind === 'stale-data') this.frozen ??= copySnapshot(this.snap);
    return handle;
  }

  private applyFault(spec: FaultSpec): () => void {
    const pack = this.pack;
    const bad = (msg: string): never => {
      throw new ConfigError(`fault '${(spec as { kind: string }).kind}': ${msg}`);
    };
    const cellIndex = (i: number | undefined, what = 'cell'): number => {
      if (i === undefined) return -1;
      if (!Number.isInteger(i) || i < 0 || i >= pack.series) bad(`${what} ${i} is not 0..${pack.series - 1}`);
      return i;
    };
    const moduleIndex = (i: number | undefined): number => {
      if (i === undefined) return -1;
      if (!Number.isInteger(i) || i < 0 || i >= pack.moduleCount) bad(`module ${i} is not 0..${pack.moduleCount - 1}`);
      return i;
    };
    const finite = (x: unknown, what: string): number => {
      if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${what} must be a finite number`);
      return x as number;
    };
    const sensorIndex = (sensor: string, i: number | undefined): number => {
      if (sensor === 'cell-voltage') return cellIndex(i, 'index');
      if (sensor === 'temperature') return moduleIndex(i);
      if (sensor === 'current' || sensor === 'pack-voltage') return -1;
      return bad(`unknown sensor '${sensor}' (cell-voltage, temperature, current, pack-voltage)`);
    };
    const addOverride = (o: SensorOverride): (() => void) => {
      this.sensors.overrides.push(o);
      return () => {
        const k = this.sensors.overrides.indexOf(o);
        if (k >= 0) this.sensors.overrides.splice(k, 1);
      };
    };
    switch (spec.kind) {
      case 'cell-drift': {
        const i = cellIndex(spec.cell);
        if (i < 0) bad('cell is required');
        const rate = finite(spec.socPerHour, 'socPerHour');
        if (spec.direction !== 'up' && spec.direction !== 'down') bad(`direction must be 'up' or 'down'`);
        const amps = ((spec.direction === 'down' ? 1 : -1) * rate * pack.capAs[i]!) / 3600;
        pack.leakA[i]! += amps;
        return () => {
          pack.leakA[i]! -= amps;
        };
      }
      case 'sensor-stuck': {
        const index = sensorIndex(spec.sensor, spec.index);
        const value = spec.value !== undefined ? finite(spec.value, 'value') : this.sensors.trueReading(spec.sensor, index);
        return addOverride({ sensor: spec.sensor, index, mode: 'stuck', value });
      }
      case 'sensor-offset':
        return addOverride({ sensor: spec.sensor, index: sensorIndex(spec.sensor, spec.index), mode: 'offset', value: finite(spec.offset, 'offset') });
      case 'sensor-noise': {
        const sigma = finite(spec.sigma, 'sigma');
        if (sigma < 0) bad('sigma must be >= 0');
        return addOverride({ sensor: spec.sensor, index: sensorIndex(spec.sensor, spec.index), mode: 'noise', value: sigma });
      }
      case 'open-wire': {
        if (spec.sensor !== 'cell-voltage' && spec.sensor !== 'temperature') bad(`sensor must be cell-voltage or temperature`);
        const index = sensorIndex(spec.sensor, spec.index);
        if (index < 0) bad('index is required');
        return addOverride({ sensor: spec.sensor, index, mode: 'open-wire', value: 0 });
      }
      case 'external-heat': {
        const m = moduleIndex(spec.module);
        if (m < 0) bad('module is required');
        const w = finite(spec.watts, 'watts');
        this.staticHeatW[m]! += w;
        pack.extHeatW[m]! += w;
        return () => {
          this.staticHeatW[m]! -= w;
          pack.extHeatW[m]! -= w;
        };
      }
      case 'self-heating': {
        const i = cellIndex(spec.cell);
        if (i < 0) bad('cell is required');
        const watts = finite(spec.watts, 'watts');
        const doublingK = spec.doublingK !== undefined ? finite(spec.doublingK, 'doublingK') : 10;
        if (!(doublingK > 0)) bad('doublingK must be > 0');
        const module = pack.moduleOf[i]!;
        const h = { cell: i, module, watts, t0: pack.tempC[module]!, doublingK, maxW: spec.maxWatts ?? 5000 };
        this.selfHeating.push(h);
        this.updateSelfHeating();
        return () => {
          this.selfHeating.splice(this.selfHeating.indexOf(h), 1);
          this.updateSelfHeating();
        };
      }
      case 'overcurrent': {
        const a = finite(spec.extraA, 'extraA');
        this.extraA += a;
        return () => {
          this.extraA -= a;
        };
      }
      case 'insulation': {
        const k = finite(spec.kOhm, 'kOhm');
        if (k < 0) bad('kOhm must be >= 0');
        const key = this.nextFaultId;
        this.insulationFaults.set(key, k);
        return () => this.insulationFaults.delete(key);
      }
      case 'contactor-welded':
        this.logic.contactor.weldedPhysical = true;
        return () => {
          this.logic.contactor.weldedPhysical = false;
        };
      case 'contactor-fails-to-close':
        this.logic.contactor.failsToClosePhysical = true;
        return () => {
          this.logic.contactor.failsToClosePhysical = false;
        };
      case 'internal-fault':
        this.logic.internalFault = true;
        return () => {
          this.logic.internalFault = this.countActive('internal-fault') > 0;
        };
      case 'internal-comms':
        this.logic.internalComms = true;
        return () => {
          this.logic.internalComms = this.countActive('internal-comms') > 0;
        };
      case 'comms-loss':
        this.commsLossCount++;
        return () => {
          this.commsLossCount--;
        };
      case 'stale-data':
        this.staleCount++;
        return () => {
          this.staleCount--;
          if (this.staleCount === 0) this.frozen = undefined;
        };
      case 'frozen-counters':
        this.frozenCounters++;
        return () => {
          this.frozenCounters--;
        };
      case 'wrong-value': {
        if (!WRONG_VALUE_FIELDS.has(spec.field)) bad(`field '${String(spec.field)}' is not a numeric snapshot field`);
        const factor = spec.factor !== undefined ? finite(spec.factor, 'factor') : 1;
        const offset = spec.offset !== undefined ? finite(spec.offset, 'offset') : 0;
        const key = this.nextFaultId;
        this.wrongValues.set(key, { field: spec.field, factor, offset });
        return () => this.wrongValues.delete(key);
      }
      case 'soh-step':
      case 'resistance-step': {
        const factor = finite(spec.factor, 'factor');
        if (!(factor > 0)) bad('factor must be > 0');
        const i = cellIndex(spec.cell);
        const arr = spec.kind === 'soh-step' ? pack.capFade : pack.resGrowth;
        const from = i < 0 ? 0 : i;
        const to = i < 0 ? pack.series : i + 1;
        for (let k = from; k < to; k++) arr[k]! *= factor;
        pack.refresh();
        pack.updateCharge();
        return () => {
          for (let k = from; k < to; k++) arr[k]! /= factor;
          pack.refresh();
          pack.updateCharge();
        };
      }
      default:
        return bad(`unknown fault kind (known: cell-drift, sensor-stuck, sensor-offset, sensor-noise, open-wire, external-heat, self-heating, overcurrent, insulation, contactor-welded, contactor-fails-to-close, internal-fault, internal-comms, comms-loss, stale-data, frozen-counters, wrong-value, soh-step, resistance-step)`);
    }
  }

  private countActive(kind: FaultSpec['kind']): number {
    let n = 0;
    for (const f of this.faults.values()) if (f.handle.spec.kind === kind) n++;
    return n;
  }
}
