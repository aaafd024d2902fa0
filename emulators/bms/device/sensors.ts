import type { Measurements } from '../logic/measurements';
import type { PackModel } from '../pack/pack-model';
import { SeededRandom } from '../../../core/random';

export type SensorKind = 'cell-voltage' | 'temperature' | 'current' | 'pack-voltage';
export type SensorMode = 'stuck' | 'offset' | 'noise' | 'open-wire';

/** One active sensor fault. `index` is the element (cell voltage) or module (temperature); -1 = every sensor. */
export interface SensorOverride {
  sensor: SensorKind;
  index: number;
  mode: SensorMode;
  /** stuck: the value held; offset: added; noise: standard deviation; open-wire: unused. */
  value: number;
}

/** Reading of a temperature sensor whose wire is open (an NTC reads as very cold). */
export const OPEN_NTC_C = -55;

/**
 * The BMS's view of the pack through its sensors. Without overrides the readings are the true values (fast path,
 * no copies). With overrides every reading is copied and patched, and a plausibility check sets `sensorFault`
 * (cell voltage outside 0.5..5.5 V, temperature outside -50..150 degC) as a real BMS's open-wire check would.
 * Noise is drawn from a seeded PRNG, so runs repeat exactly.
 */
export class Sensors {
  readonly overrides: SensorOverride[] = [];
  readonly cellV: Float64Array;
  readonly tempC: Float64Array;
  private cellVFresh = false;
  private readonly rng: SeededRandom;

  constructor(
    private readonly pack: PackModel,
    seed: number,
  ) {
    this.cellV = new Float64Array(pack.series);
    this.tempC = new Float64Array(pack.moduleCount);
    this.rng = new SeededRandom((seed ^ 0x5e5e0) >>> 0);
  }

  /** Measured cell voltages (valid after `measure`; filled on demand on the fast path). */
  cellVoltages(): Float64Array {
    if (!this.cellVFresh) {
      this.cellV.set(this.pack.vCell);
      this.cellVFresh = true;
    }
    return this.cellV;
  }

  /** Current true reading of one sensor (for 'stuck' faults that hold the value at injection time). */
  trueReading(sensor: SensorKind, index: number): number {
    const p = this.pack;
    switch (sensor) {
      case 'cell-voltage':
        return p.vCell[Math.max(0, index)]!;
      case 'temperature':
        return p.tempC[Math.max(0, index)]!;
      case 'current':
        return p.current;
      case 'pack-voltage':
        return p.packVoltage;
    }
  }

  measure(m: Measurements): void {
    const p = this.pack;
    if (this.overrides.length === 0) {
      m.cellVMin = p.minCellV;
      m.cellVMax = p.maxCellV;
      m.cellVMinId = p.minCellIdx;
      m.cellVMaxId = p.maxCellIdx;
      m.tempMin = p.minTempC;
      m.tempMax = p.maxTempC;
      m.tempMinId = p.minTempIdx;
      m.tempMaxId = p.maxTempIdx;
      m.current = p.current;
      m.packVoltage = p.packVoltage;
      m.sensorFault = false;
      this.cellVFresh = false;
      return;
    }
    const v = this.cellV;
    const t = this.tempC;
    v.set(p.vCell);
    t.set(p.tempC);
    this.cellVFresh = true;
    let current = p.current;
    let packV = p.packVoltage;
    for (const o of this.overrides) {
      if (o.sensor === 'cell-voltage') {
        if (o.mode === 'open-wire') {
          const i = o.index;
          const j = i + 1 < v.length ? i + 1 : i - 1;
          // the broken sense line merges two cells: one reads both, the other nothing
          if (j >= 0) v[j] = v[j]! + v[i]!;
          v[i] = 0;
        } else this.patch(v, o);
      } else if (o.sensor === 'temperature') {
        if (o.mode === 'open-wire') {
          if (o.index < 0) t.fill(OPEN_NTC_C);
          else t[o.index] = OPEN_NTC_C;
        } else this.patch(t, o);
      } else if (o.sensor === 'current') current = this.apply(current, o);
      else packV = this.apply(packV, o);
    }
    let lo = Infinity;
    let hi = -Infinity;
    let bad = false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!(x >= 0.5 && x <= 5.5)) bad = true;
      if (x < lo) {
        lo = x;
        m.cellVMinId = i;
      }
      if (x > hi) {
        hi = x;
        m.cellVMaxId = i;
      }
    }
    m.cellVMin = lo;
    m.cellVMax = hi;
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      if (!(x >= -50 && x <= 150)) bad = true;
      if (x < lo) {
        lo = x;
        m.tempMinId = i;
      }
      if (x > hi) {
        hi = x;
        m.tempMaxId = i;
      }
    }
    m.tempMin = lo;
    m.tempMax = hi;
    m.current = current;
    m.packVoltage = packV;
    m.sensorFault = bad;
  }

  private patch(arr: Float64Array, o: SensorOverride): void {
    if (o.index >= 0) arr[o.index] = this.apply(arr[o.index]!, o);
    else for (let i = 0; i < arr.length; i++) arr[i] = this.apply(arr[i]!, o);
  }

  private apply(x: number, o: SensorOverride): number {
    switch (o.mode) {
      case 'stuck':
        return o.value;
      case 'offset':
        return x + o.value;
      case 'noise':
        return x + o.value * this.rng.gaussian();
      case 'open-wire':
        return 0;
    }
  }
}
