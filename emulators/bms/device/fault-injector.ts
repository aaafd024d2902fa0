import { ConfigError } from '../../../core/errors';
import type { BmsLogic } from '../logic/bms-logic';
import type { PackModel } from '../pack/pack-model';
import type { FaultHandle, FaultSpec } from './fault-spec';
import type { Sensors, SensorOverride } from './sensors';
import { emptySnapshot, type BmsSnapshot, type NumericSnapshotField } from './snapshot';

/** What faults act on. */
export interface FaultTargets {
  pack: PackModel;
  sensors: Sensors;
  logic: BmsLogic;
}

interface ActiveFault {
  handle: FaultHandle;
  undo: () => void;
}

const WRONG_VALUE_FIELDS = new Set<string>(
  Object.entries(emptySnapshot())
    .filter(([, v]) => typeof v === 'number')
    .map(([k]) => k),
);

/** Insulation resistance of a healthy pack, kOhm. */
export const HEALTHY_INSULATION_KOHM = 10_000;

/**
 * Applies and undoes declarative faults (`FaultSpec`) on a pack, its sensors and its BMS logic, and holds the
 * effects the device reads every step (extra current, self-heating, insulation, corrupted fields, comms flags).
 * Validation happens before anything changes: a bad spec throws `ConfigError` and leaves no trace.
 */
export class FaultInjector {
  /** Current the load draws beyond the command (overcurrent faults), A. */
  extraA = 0;
  private commsLossCount = 0;
  private staleCount = 0;
  private frozenCounterCount = 0;
  private readonly active = new Map<number, ActiveFault>();
  private nextId = 1;
  private readonly staticHeatW: Float64Array;
  private readonly selfHeating: Array<{ module: number; watts: number; t0: number; doublingK: number; maxW: number }> = [];
  private readonly insulationFaults = new Map<number, number>();
  private readonly wrongValues = new Map<number, { field: NumericSnapshotField; factor: number; offset: number }>();

  constructor(private readonly t: FaultTargets) {
    this.staticHeatW = new Float64Array(t.pack.moduleCount);
  }

  get commsLost(): boolean {
    return this.commsLossCount > 0;
  }
  get stale(): boolean {
    return this.staleCount > 0;
  }
  get countersFrozen(): boolean {
    return this.frozenCounterCount > 0;
  }

  /** Lowest insulation resistance among active insulation faults, or the healthy value. */
  insulationKOhm(): number {
    let r = HEALTHY_INSULATION_KOHM;
    for (const k of this.insulationFaults.values()) r = Math.min(r, k);
    return r;
  }

  /** Before each model step: temperature-dependent heat of self-heating elements. */
  preStep(): void {
    if (this.selfHeating.length > 0) this.updateSelfHeating();
  }

  /** After the snapshot is filled: apply 'wrong-value' faults to it. */
  corrupt(s: BmsSnapshot): void {
    if (this.wrongValues.size === 0) return;
    for (const w of this.wrongValues.values()) s[w.field] = s[w.field] * w.factor + w.offset;
  }

  /** Active faults (handles). */
  handles(): FaultHandle[] {
    return [...this.active.values()].map((f) => f.handle);
  }

  /** Apply a fault; `onChange` runs after a `clear()` undid it. Throws `ConfigError` for a bad spec. */
  inject(spec: FaultSpec, onChange: () => void): FaultHandle {
    const undo = this.apply(spec);
    const id = this.nextId++;
    let live = true;
    const handle: FaultHandle = {
      id,
      spec: Object.freeze({ ...spec }) as FaultSpec,
      get active() {
        return live;
      },
      clear: () => {
        if (!live) return;
        live = false;
        this.active.delete(id);
        undo();
        onChange();
      },
    };
    this.active.set(id, { handle, undo });
    return handle;
  }

  private updateSelfHeating(): void {
    const { pack } = this.t;
    const ext = pack.extHeatW;
    ext.set(this.staticHeatW);
    for (const h of this.selfHeating) {
      const temp = pack.tempC[h.module]!;
      ext[h.module]! += Math.min(h.maxW, h.watts * Math.pow(2, (temp - h.t0) / h.doublingK));
    }
  }

  private apply(spec: FaultSpec): () => void {
    const { pack, sensors, logic } = this.t;
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
      sensors.overrides.push(o);
      return () => {
        const k = sensors.overrides.indexOf(o);
        if (k >= 0) sensors.overrides.splice(k, 1);
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
        const value = spec.value !== undefined ? finite(spec.value, 'value') : sensors.trueReading(spec.sensor, index);
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
        const h = { module, watts, t0: pack.tempC[module]!, doublingK, maxW: spec.maxWatts ?? 5000 };
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
        const key = this.nextId;
        this.insulationFaults.set(key, k);
        return () => this.insulationFaults.delete(key);
      }
      case 'contactor-welded':
        logic.contactor.weldedPhysical = true;
        return () => {
          logic.contactor.weldedPhysical = false;
        };
      case 'contactor-fails-to-close':
        logic.contactor.failsToClosePhysical = true;
        return () => {
          logic.contactor.failsToClosePhysical = false;
        };
      case 'internal-fault':
        logic.internalFault = true;
        return () => {
          logic.internalFault = this.countActive('internal-fault') > 0;
        };
      case 'internal-comms':
        logic.internalComms = true;
        return () => {
          logic.internalComms = this.countActive('internal-comms') > 0;
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
        };
      case 'frozen-counters':
        this.frozenCounterCount++;
        return () => {
          this.frozenCounterCount--;
        };
      case 'wrong-value': {
        if (!WRONG_VALUE_FIELDS.has(spec.field)) bad(`field '${String(spec.field)}' is not a numeric snapshot field`);
        const factor = spec.factor !== undefined ? finite(spec.factor, 'factor') : 1;
        const offset = spec.offset !== undefined ? finite(spec.offset, 'offset') : 0;
        const key = this.nextId;
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
        // The kinds a bench takes, with their parameters, are declared in ../faults.ts (BMS_FAULTS), checked there first.
        return bad('unknown fault kind');
    }
  }

  private countActive(kind: FaultSpec['kind']): number {
    let n = 0;
    for (const f of this.active.values()) if (f.handle.spec.kind === kind) n++;
    return n;
  }
}
