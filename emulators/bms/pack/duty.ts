import { ConfigError } from '../../../core/errors';
import { addCheckedAgingPiece, applyAgingIntegrals, emptyAgingIntegrals, saveAging, type AgingIntegrals, type AgingResult } from './aging';
import type { PackModel } from './pack-model';

/**
 * Duty profiles: how a site uses its packs day after day, for aging a pack by years without the controller in the
 * loop (scenario step `age`, docs/aging.md). A duty day is `cyclesPerDay` equal periods; each period starts at
 * rest at `socLow`, charges at `cRate` (of the nameplate group capacity) to `socHigh`, rests, and from mid-period
 * discharges at `cRate` back to `socLow`, then rests. `ambientC` is the air around the pack (the thermal model
 * adds the pack's own heat).
 */
export interface DutyProfile {
  readonly name: string;
  readonly description: string;
  readonly cyclesPerDay: number;
  readonly socLow: number;
  readonly socHigh: number;
  /** Charge and discharge current as a fraction of the nameplate group capacity per hour. */
  readonly cRate: number;
  readonly ambientC: number;
}

/** The built-in duty profiles (names are what a scenario's `age.duty` takes). */
export const DUTY_PROFILES: Readonly<Record<string, DutyProfile>> = {
  'solar-self-consumption': {
    name: 'solar-self-consumption',
    description: 'one cycle a day, charged from PV by day and emptied in the evening, 20-90 % SOC at 0.25 C, 25 degC',
    cyclesPerDay: 1,
    socLow: 0.2,
    socHigh: 0.9,
    cRate: 0.25,
    ambientC: 25,
  },
  'solar-hot-garage': {
    name: 'solar-hot-garage',
    description: 'as solar-self-consumption but in a 35 degC garage',
    cyclesPerDay: 1,
    socLow: 0.2,
    socHigh: 0.9,
    cRate: 0.25,
    ambientC: 35,
  },
  'peak-shaving': {
    name: 'peak-shaving',
    description: 'two shallow cycles a day (morning and evening peaks), 40-80 % SOC at 0.5 C, 25 degC',
    cyclesPerDay: 2,
    socLow: 0.4,
    socHigh: 0.8,
    cRate: 0.5,
    ambientC: 25,
  },
  'full-daily': {
    name: 'full-daily',
    description: 'one deep cycle a day, 5-95 % SOC at 0.5 C, 25 degC (hard use)',
    cyclesPerDay: 1,
    socLow: 0.05,
    socHigh: 0.95,
    cRate: 0.5,
    ambientC: 25,
  },
  'backup-standby': {
    name: 'backup-standby',
    description: 'standby at 95 % SOC, no cycling (calendar aging only), 25 degC',
    cyclesPerDay: 0,
    socLow: 0.95,
    socHigh: 0.95,
    cRate: 0,
    ambientC: 25,
  },
};

export const DUTY_NAMES = Object.keys(DUTY_PROFILES);

/** The profile called `name`; `ConfigError` naming the known ones otherwise. */
export function dutyProfile(name: string, where?: string): DutyProfile {
  const d = DUTY_PROFILES[name];
  if (!d) throw new ConfigError(`unknown duty profile '${name}' (have: ${DUTY_NAMES.join(', ')})`, where);
  return d;
}

/** Options of `ageUnderDuty`. */
export interface AgeUnderDutyOptions {
  /**
   * `fast` (default): integrate one duty day with the electrical model at `stepS` (default 60 s, switch points
   * exact) and apply it to a block of `blockDays` days (default 60; predictor-corrector: a second day is
   * integrated on the pack aged by the block and the two are averaged). `stepped`: run every day at `stepS` (default 1 s) and apply the aging every hour (the
   * reference the fast method is checked against).
   */
  method?: 'fast' | 'stepped';
  stepS?: number;
  blockDays?: number;
}

/** What aging under a duty did. */
export interface DutyAgingResult extends AgingResult {
  days: number;
  duty: string;
  /** Equivalent full cycles the duty put through the pack. */
  efc: number;
  /** SOH and mean resistance factor before. */
  sohBefore: number;
  resistanceFactorBefore: number;
}

/**
 * Age `pack` in place by `days` of `duty`: calendar and cycle aging, resistance growth and cell spread (each element
 * ages at its own aging factor) with the pack's aging laws (aging.ts), the stress of every step taken from the
 * electrical and thermal model (mean element SOC, mean module temperature, current). The pack's electrical state
 * (SOC, RC voltages, temperatures, ambient, time and energy counters) is put back as it was: the pack comes back
 * aged, where it was. Throws `ConfigError` for a bad `days` or a duty the pack cannot follow.
 */
export function ageUnderDuty(pack: PackModel, duty: DutyProfile, days: number, options: AgeUnderDutyOptions = {}): DutyAgingResult {
  if (!(days >= 0) || !Number.isFinite(days)) throw new ConfigError(`aging span must be a finite number of days >= 0 (got ${days})`);
  checkDuty(duty);
  const method = options.method ?? 'fast';
  const stepS = options.stepS ?? (method === 'fast' ? 60 : 1);
  if (!(stepS > 0 && stepS <= 3600)) throw new ConfigError(`aging step must be in (0, 3600] s (got ${stepS})`);
  const saved = snapshot(pack);
  const sohBefore = pack.soh();
  const resistanceFactorBefore = meanGrowth(pack);
  let efc = 0;
  let result: AgingResult | undefined;
  try {
    pack.ambientC = duty.ambientC;
    pack.tempC.fill(duty.ambientC);
    pack.setSoc(duty.socLow);
    pack.timeS = 0;
    if (method === 'fast') {
      // Blocks of days (Heun's predictor-corrector): integrate a duty day of the pack at the block's start, age the
      // block with it, integrate a day of the pack so aged, then age the block from its start with the mean of the
      // two days (the fade within a block changes the day's throughput and stress; with the start day alone,
      // 30-day blocks are 1-3 % off 1 s stepping).
      const block = Math.max(1, Math.floor(options.blockDays ?? 60));
      let left = days;
      while (left > 0) {
        const n = Math.min(block, left);
        const acc0 = emptyAgingIntegrals();
        const efc0 = runDay(pack, duty, stepS, acc0, 86_400);
        let use = acc0;
        let useEfc = efc0;
        if (n > 1) {
          const undo = saveAging(pack);
          applyAgingIntegrals(pack, acc0, n);
          const acc1 = emptyAgingIntegrals();
          const efc1 = runDay(pack, duty, stepS, acc1, 86_400);
          undo();
          use = { cal: (acc0.cal + acc1.cal) / 2, cyc: (acc0.cyc + acc1.cyc) / 2, resCal: (acc0.resCal + acc1.resCal) / 2, resCyc: (acc0.resCyc + acc1.resCyc) / 2 };
          useEfc = (efc0 + efc1) / 2;
        }
        efc += useEfc * n;
        result = applyAgingIntegrals(pack, use, n);
        left -= n;
      }
    } else {
      let left = days * 86_400;
      while (left > 0) {
        const span = Math.min(3600, left);
        const acc = emptyAgingIntegrals();
        efc += runDay(pack, duty, stepS, acc, span);
        result = applyAgingIntegrals(pack, acc, 1);
        left -= span;
      }
    }
  } finally {
    restore(pack, saved);
  }
  const r = result ?? { soh: pack.soh(), minCellSoh: minCellSoh(pack), resistanceFactor: meanGrowth(pack), relativeCalendarLoss: 0, relativeCycleLoss: 0 };
  return { ...r, soh: pack.soh(), days, duty: duty.name, efc, sohBefore, resistanceFactorBefore };
}

function checkDuty(d: DutyProfile): void {
  const bad = (what: string): never => {
    throw new ConfigError(`duty '${d.name}': ${what}`);
  };
  if (!(d.socLow >= 0 && d.socHigh <= 1 && d.socLow <= d.socHigh)) bad(`SOC window ${d.socLow}..${d.socHigh} is not within 0..1`);
  if (!(d.cyclesPerDay >= 0) || !(d.cRate >= 0)) bad('cyclesPerDay and cRate must be >= 0');
  if (d.cyclesPerDay > 0 && d.socHigh > d.socLow) {
    const halfPeriodH = 12 / d.cyclesPerDay;
    if (!(d.cRate > 0) || (d.socHigh - d.socLow) / d.cRate > halfPeriodH * 0.9) {
      bad(`${d.cyclesPerDay} cycle(s) a day over ${d.socLow}..${d.socHigh} SOC need more than ${d.cRate} C`);
    }
  }
}

/**
 * Run `spanS` seconds of the duty (from the pack's own time of day, `pack.timeS`), adding each step's stress to
 * `acc`; returns the EFC put through. A step that would cross the SOC window's edge is split there.
 */
function runDay(pack: PackModel, duty: DutyProfile, stepS: number, acc: AgingIntegrals, spanS: number): number {
  const periodS = duty.cyclesPerDay > 0 ? 86_400 / duty.cyclesPerDay : Infinity;
  const amps = duty.cRate * pack.nominalGroupAh;
  const dod = duty.socHigh - duty.socLow;
  const piece = { days: 0, efc: 0, tempC: 25, soc: 0.5, dod, cRate: 0 };
  let efc = 0;
  const sub = (dt: number, current: number, socBefore: number): void => {
    pack.step(dt, current);
    let t = 0;
    for (let m = 0; m < pack.moduleCount; m++) t += pack.tempC[m]!;
    piece.days = dt / 86_400;
    piece.efc = (Math.abs(current) * dt) / 3600 / 2 / pack.nominalGroupAh;
    piece.tempC = t / pack.moduleCount;
    piece.soc = (socBefore + pack.meanSoc()) / 2;
    piece.cRate = Math.abs(current) / pack.nominalGroupAh;
    addCheckedAgingPiece(pack, acc, piece);
    efc += piece.efc;
  };
  let left = spanS;
  while (left > 1e-9) {
    const dt = Math.min(stepS, left);
    const phase = periodS === Infinity ? -1 : (pack.timeS % periodS) / periodS;
    const soc = pack.meanSoc();
    let current = 0;
    if (phase >= 0 && phase < 0.5 && soc < duty.socHigh) current = amps;
    else if (phase >= 0.5 && soc > duty.socLow) current = -amps;
    if (current === 0) {
      sub(dt, 0, soc);
    } else {
      // time to reach the window's edge at this current (mean SOC moves by I * eta / mean capacity)
      const target = current > 0 ? duty.socHigh : duty.socLow;
      const eta = current > 0 ? pack.etaCharge : 1 / pack.etaDischarge;
      const rate = (current * eta) / meanCapAs(pack);
      const tEdge = (target - soc) / rate;
      // also stop at the half-period boundary so the phase switch is exact
      const tPhase = periodS === Infinity ? Infinity : (phase < 0.5 ? 0.5 - phase : 1 - phase) * periodS;
      const t1 = Math.min(dt, Math.max(tEdge, 1e-6), tPhase);
      sub(t1, current, soc);
      if (dt - t1 > 1e-9) sub(dt - t1, 0, pack.meanSoc());
    }
    left -= dt;
  }
  return efc;
}

function meanCapAs(pack: PackModel): number {
  let s = 0;
  for (let i = 0; i < pack.series; i++) s += pack.capAs[i]!;
  return s / pack.series;
}

function meanGrowth(pack: PackModel): number {
  let s = 0;
  for (let i = 0; i < pack.series; i++) s += pack.resGrowth[i]!;
  return s / pack.series;
}

function minCellSoh(pack: PackModel): number {
  let m = Infinity;
  for (let i = 0; i < pack.series; i++) m = Math.min(m, pack.capAs[i]! / 3600 / pack.nominalGroupAh);
  return m;
}

interface Saved {
  soc: Float64Array;
  v1: Float64Array;
  v2: Float64Array;
  tempC: Float64Array;
  ambientC: number;
  numbers: Record<(typeof COUNTERS)[number], number>;
}

const COUNTERS = ['timeS', 'ahCharged', 'ahDischarged', 'energyInJ', 'energyOutJ', 'ohmicLossJ', 'coulombicLossJ', 'selfDischargeLossJ', 'bleedLossJ', 'leakLossJ', 'current'] as const;

function snapshot(pack: PackModel): Saved {
  const numbers = {} as Saved['numbers'];
  for (const k of COUNTERS) numbers[k] = pack[k];
  return { soc: pack.soc.slice(), v1: pack.v1.slice(), v2: pack.v2.slice(), tempC: pack.tempC.slice(), ambientC: pack.ambientC, numbers };
}

function restore(pack: PackModel, s: Saved): void {
  pack.soc.set(s.soc);
  pack.v1.set(s.v1);
  pack.v2.set(s.v2);
  pack.tempC.set(s.tempC);
  pack.ambientC = s.ambientC;
  for (const k of COUNTERS) pack[k] = s.numbers[k];
  pack.settle();
}
