import type { ContactorState } from '../logic/contactor';

/** Counters a profile may publish; frozen by the 'frozen-counters' fault. */
export interface BmsCounters {
  /** Steps evaluated. */
  steps: number;
  heartbeats: number;
  heartbeatLosses: number;
  contactorCycles: number;
  alarmEvents: number;
  /** Steps where a current was asked for while the contactor was open (refused). */
  refusedCurrentSteps: number;
  /** Steps where the current was clamped to the limits ('clamp' policy). */
  clampedCurrentSteps: number;
}

/**
 * The state protocol profiles map to frames and registers (DESIGN.md "Device"). Units: V, A (+ = charge), degC,
 * Wh, Ah; `soc` and `soh` are 0..1. Cell ids are 0-based element indices, temperature ids 0-based module indices.
 *
 * Contract: `BmsDevice.snapshot()` returns the same object every call, updated in place by `step` (read it,
 * do not keep references across steps; copy with `{ ...s, counters: { ...s.counters } }` to keep one). While a
 * 'stale-data' fault is active it returns a frozen copy taken at injection. Profiles must stop sending while
 * `commsLost` is true.
 */
export interface BmsSnapshot {
  timeMs: number;
  packVoltage: number;
  current: number;
  soc: number;
  soh: number;
  /** Usable charge now and at full, of the string (weakest element), Ah. */
  remainingAh: number;
  fullChargeAh: number;
  nominalAh: number;
  cellVMin: number;
  cellVMax: number;
  cellVMinId: number;
  cellVMaxId: number;
  cellTMin: number;
  cellTMax: number;
  cellTMinId: number;
  cellTMaxId: number;
  /** Mean module temperature. */
  tempAvg: number;
  chargeVoltageLimit: number;
  dischargeVoltageLimit: number;
  chargeCurrentLimit: number;
  dischargeCurrentLimit: number;
  /** `BmsFlag` bitmasks. `warnings` includes every active alarm bit. */
  warnings: number;
  alarms: number;
  latched: number;
  chargeEnable: boolean;
  dischargeEnable: boolean;
  forceCharge1: boolean;
  forceCharge2: boolean;
  contactor: ContactorState;
  insulationKOhm: number;
  heartbeatLost: boolean;
  /** Profiles stop sending while true ('comms-loss' fault). */
  commsLost: boolean;
  balancingCells: number;
  energyInWh: number;
  energyOutWh: number;
  ahCharged: number;
  ahDischarged: number;
  /** Equivalent full cycles since the device was built. */
  cycles: number;
  seriesCells: number;
  parallelCells: number;
  modules: number;
  counters: BmsCounters;
}

/** Numeric snapshot fields a 'wrong-value' fault can corrupt. */
export type NumericSnapshotField = {
  [K in keyof BmsSnapshot]: BmsSnapshot[K] extends number ? K : never;
}[keyof BmsSnapshot];

export function emptySnapshot(): BmsSnapshot {
  return {
    timeMs: 0,
    packVoltage: 0,
    current: 0,
    soc: 0,
    soh: 0,
    remainingAh: 0,
    fullChargeAh: 0,
    nominalAh: 0,
    cellVMin: 0,
    cellVMax: 0,
    cellVMinId: 0,
    cellVMaxId: 0,
    cellTMin: 0,
    cellTMax: 0,
    cellTMinId: 0,
    cellTMaxId: 0,
    tempAvg: 0,
    chargeVoltageLimit: 0,
    dischargeVoltageLimit: 0,
    chargeCurrentLimit: 0,
    dischargeCurrentLimit: 0,
    warnings: 0,
    alarms: 0,
    latched: 0,
    chargeEnable: false,
    dischargeEnable: false,
    forceCharge1: false,
    forceCharge2: false,
    contactor: 'open',
    insulationKOhm: 0,
    heartbeatLost: false,
    commsLost: false,
    balancingCells: 0,
    energyInWh: 0,
    energyOutWh: 0,
    ahCharged: 0,
    ahDischarged: 0,
    cycles: 0,
    seriesCells: 0,
    parallelCells: 0,
    modules: 0,
    counters: {
      steps: 0,
      heartbeats: 0,
      heartbeatLosses: 0,
      contactorCycles: 0,
      alarmEvents: 0,
      refusedCurrentSteps: 0,
      clampedCurrentSteps: 0,
    },
  };
}

export function copySnapshot(s: BmsSnapshot): BmsSnapshot {
  return { ...s, counters: { ...s.counters } };
}
