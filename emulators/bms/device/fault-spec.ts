import type { SensorKind } from './sensors';
import type { NumericSnapshotField } from './snapshot';

/**
 * Faults and degradation steps a scenario can inject (declarative: plain data, YAML-friendly). Indices are
 * 0-based: `cell` = series element, `module` = thermal module. Every kind is undone by the handle's `clear()`
 * (SOH and resistance steps too: clear restores the previous value, which keeps scenario steps reversible).
 */
export type FaultSpec =
  /** One element drifts: an internal leak (down) or charge injection (up) of `socPerHour` of its capacity. */
  | { kind: 'cell-drift'; cell: number; direction: 'up' | 'down'; socPerHour: number }
  /**
   * Sensor holds `value` (default: its reading at injection). `index` omitted = every sensor of that kind, all
   * holding `value` (default: sensor 0's reading). Offsets and noise take `index` the same way.
   */
  | { kind: 'sensor-stuck'; sensor: SensorKind; index?: number; value?: number }
  | { kind: 'sensor-offset'; sensor: SensorKind; index?: number; offset: number }
  | { kind: 'sensor-noise'; sensor: SensorKind; index?: number; sigma: number }
  /** Broken sense wire: cell voltage (this reads 0, a neighbour reads both) or temperature (reads -55 degC). */
  | { kind: 'open-wire'; sensor: 'cell-voltage' | 'temperature'; index: number }
  /** External heat into a module (hot spot, failed cooling): overtemperature. */
  | { kind: 'external-heat'; module: number; watts: number }
  /**
   * Thermal-runaway precursor: an element produces exothermic heat q = watts * 2^((T - T0)/doublingK), T0 the
   * module temperature at injection, capped at `maxWatts` (default 5000).
   */
  | { kind: 'self-heating'; cell: number; watts: number; doublingK?: number; maxWatts?: number }
  /** The load draws `extraA` more than commanded (+ charge, - discharge), past any clamping. */
  | { kind: 'overcurrent'; extraA: number }
  | { kind: 'insulation'; kOhm: number }
  | { kind: 'contactor-welded' }
  | { kind: 'contactor-fails-to-close' }
  | { kind: 'internal-fault' }
  | { kind: 'internal-comms' }
  /** Profiles stop sending (snapshot.commsLost). */
  | { kind: 'comms-loss' }
  /** The snapshot freezes at injection (every field, counters included). */
  | { kind: 'stale-data' }
  /** Only the counters freeze. */
  | { kind: 'frozen-counters' }
  /** A published field is wrong: value * factor + offset (scale error). */
  | { kind: 'wrong-value'; field: NumericSnapshotField; factor?: number; offset?: number }
  /** Capacity of one element (or all) multiplied by `factor`. */
  | { kind: 'soh-step'; factor: number; cell?: number }
  /** Resistance of one element (or all) multiplied by `factor`. */
  | { kind: 'resistance-step'; factor: number; cell?: number };

export type FaultKind = FaultSpec['kind'];

/** Returned by `injectFault`. */
export interface FaultHandle {
  readonly id: number;
  readonly spec: Readonly<FaultSpec>;
  readonly active: boolean;
  /** Undo the fault. Idempotent. */
  clear(): void;
}
