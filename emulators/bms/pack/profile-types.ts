/**
 * A second-life pack profile (data/packs/*.json), validated by `parsePackProfile`. Cell values are for ONE
 * cell; the model combines the `parallel` cells of a group into one equivalent series element (capacities add,
 * resistances in parallel). Every number in a fixture must have an entry in `sources` (see profile-schema.ts).
 */
export interface PackProfile {
  id: string;
  name: string;
  chemistry: 'LMO' | 'NMC' | 'NCA' | 'LFP';
  description?: string;
  topology: {
    /** Series elements (cell groups) in the string. */
    series: number;
    /** Cells in parallel in each group. */
    parallel: number;
    /** Series elements per module (thermal lump); `series` must be a multiple of it. */
    seriesPerModule: number;
  };
  cell: {
    capacityAh: number;
    /** OCV table at 25 degC, SOC 0..1 increasing. */
    ocv: { soc: number[]; volts: number[] };
    /** Ohmic resistance at `referenceTempC`, ohms. */
    r0Ohm: number;
    /** RC pairs: resistance (ohm) and time constant (s). One or two. */
    rc: Array<{ rOhm: number; tauS: number }>;
    /** Arrhenius activation energy of all resistances, J/mol (below `referenceTempC`, and above it unless the next is given). */
    activationEnergyJPerMol: number;
    /**
     * Activation energy above `referenceTempC`, J/mol: measured resistance flattens when warm (Leaf R0 1.57 mOhm at
     * 25 degC, 1.42 at 40: about 5 kJ/mol, where 10->25 degC gives 19.5). The factor is continuous at the reference.
     */
    activationEnergyAboveRefJPerMol?: number;
    referenceTempC: number;
    massKg: number;
    specificHeatJPerKgK: number;
    /** Fraction of capacity lost per day at rest (self-discharge). */
    selfDischargePerDay: number;
    coulombicEfficiencyCharge: number;
    coulombicEfficiencyDischarge: number;
  };
  thermal: {
    /** Heat transfer to ambient per cell (h * A), W/K; a module's is this times its cell count. */
    hAPerCellWPerK: number;
    /** Extra thermal mass per module (housing, busbars), J/K. */
    moduleExtraHeatCapacityJPerK: number;
    ambientC: number;
  };
  spread: {
    /** Relative standard deviation of cell capacity. */
    capacitySigma: number;
    /** Relative standard deviation of cell resistance. */
    resistanceSigma: number;
    /** Relative standard deviation of self-discharge rate. */
    selfDischargeSigma: number;
    /** Weak cells: how many, and their capacity / resistance / self-discharge / aging-rate factors. */
    weakCells: number;
    weakCapacityFactor: number;
    weakResistanceFactor: number;
    weakSelfDischargeFactor: number;
    weakAgingFactor: number;
    /** Initial SOC spread (standard deviation, absolute). */
    socSigma: number;
  };
  aging: {
    /** BLAST-Lite model form used by `agePack`. */
    model: 'lmo-gr-nissan-leaf-2nd-life' | 'nmc111-gr-sanyo-2ah' | 'lfp-gr-250ah-prismatic';
    /** State of health (capacity relative to nameplate) when the profile is loaded. */
    soh: number;
    /** Resistance relative to fresh when loaded. */
    resistanceFactor: number;
    /** For models without a resistance law: relative resistance gain per unit relative capacity lost. */
    resistanceGainPerCapacityLoss: number;
    /**
     * The maker's cycle life in place of the model's cycle term: `loss` of nameplate capacity after `efc` full
     * cycles, as loss x (EFC / efc)^exponent (e.g. Samsung SDI 94 Ah: 20 % after 4,600 cycles at 25 degC, linear).
     */
    cycleFade?: { loss: number; efc: number; exponent: number };
  };
  bms: BmsProfile;
  /** Citation per number: key = dotted path or a prefix of it (`cell.ocv`, `bms.derating`), value = source. */
  sources: Record<string, string>;
}

/** Warning and alarm levels with their clear points (hysteresis). For a "high" monitor set > clear. */
export interface LevelThresholds {
  warn: number;
  warnClear: number;
  alarm: number;
  alarmClear: number;
}

/** Piecewise-linear derating curve: [x, fraction] points, x increasing; clamped at the ends. */
export type CurvePoints = Array<[number, number]>;

export interface BmsProfile {
  cellVoltageHigh: LevelThresholds;
  cellVoltageLow: LevelThresholds;
  cellTempHigh: LevelThresholds;
  cellTempLow: LevelThresholds;
  /** Current magnitudes, A (charge and discharge separately). */
  chargeCurrentHigh: LevelThresholds;
  dischargeCurrentHigh: LevelThresholds;
  /** Seconds a condition must persist before an alarm sets (0: immediate). */
  alarmDelayS: number;
  /** Max continuous currents before derating, A. */
  maxChargeA: number;
  maxDischargeA: number;
  /** Per-cell voltage setpoints reported as pack limits (times `series`). */
  chargeVoltagePerCell: number;
  dischargeVoltagePerCell: number;
  derating: {
    chargeVsTemp: CurvePoints;
    dischargeVsTemp: CurvePoints;
    chargeVsMaxCellV: CurvePoints;
    dischargeVsMinCellV: CurvePoints;
    chargeVsSoc: CurvePoints;
    dischargeVsSoc: CurvePoints;
  };
  /** Warning when max - min cell voltage exceeds this, V. */
  maxCellDeviationV: number;
  /** Warning when max - min temperature exceeds this, K. */
  maxTempSpreadK: number;
  insulation: { warnKOhm: number; alarmKOhm: number };
  balancing: {
    /** Bleed a cell when it is this much above the lowest cell, V. */
    thresholdV: number;
    /** Only when the highest cell is above this voltage. */
    minCellV: number;
    bleedOhm: number;
    /** Only while charging or at rest (|I| below 1 A), not while discharging. */
    notWhileDischarging: boolean;
    /** Decision period, s. */
    periodS: number;
  };
  contactor: { prechargeS: number };
  heartbeat: { timeoutS: number; reaction: HeartbeatReaction };
}

/** What the BMS does when the inverter's heartbeat is lost. */
export type HeartbeatReaction = 'open-contactors' | 'zero-limits' | 'none';
