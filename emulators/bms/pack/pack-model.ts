import { ConfigError } from '../../../core/errors';
import { lookup, OcvTable, SOC_MAX, SOC_MIN } from './ocv-table';
import { SeededRandom } from '../../../core/random';
import type { PackProfile } from './profile-types';

/** Gas constant, J/(mol K). */
const R_GAS = 8.314462618;
const KELVIN = 273.15;

/** Options for building a pack from a profile. */
export interface PackModelOptions {
  /** Seed of the cell-spread draw (default 1). Same profile + seed = same cells. */
  seed?: number;
  /** Initial SOC of every cell, 0..1 (default 0.5), plus the profile's `spread.socSigma`. */
  initialSoc?: number;
  /** Ambient and initial temperature, degC (default the profile's `thermal.ambientC`). */
  ambientC?: number;
  /** Override `aging.soh` / `aging.resistanceFactor` of the profile. */
  soh?: number;
  resistanceFactor?: number;
}

/** The string's sums over one step's cell update (`PackModel.stepCells`), read by its accounting. */
interface CellStepSums {
  /** Terminal voltages at the end of the step, V. */
  sumV: number;
  /** Step-average terminal voltages, V. */
  sumVavg: number;
  minV: number;
  maxV: number;
  minI: number;
  maxI: number;
  /** Least stored charge and least room of any element, A s. */
  minStored: number;
  minRoom: number;
  ohmicJ: number;
  coulombicJ: number;
  selfDischargeJ: number;
  bleedJ: number;
  leakJ: number;
}

/**
 * A string of N series elements; each element is a parallel group of M cells lumped into one equivalent cell
 * (capacities add, resistances in parallel, drawn per cell with the profile's spread and a few weak cells).
 * Each element has its own SOC, capacity, R0, two RC pairs (or one), self-discharge, and aging state; each module
 * (`seriesPerModule` elements) is one thermal lump heated by I^2 R, RC losses, coulombic and bleed losses and any
 * external heat, cooled to ambient through hA. Resistances follow Arrhenius in the module temperature.
 *
 * All state is in typed arrays indexed by element (`soc[i]`) or module (`tempC[m]`); `step` allocates nothing.
 * Current is positive when charging. Energy counters use the step-average terminal voltage so that, over any
 * stretch that starts and ends at rest, energy in - energy out = change in chemical energy + the loss counters
 * (up to the OCV change within one step, < 1e-5 relative at 1 s steps).
 */
export class PackModel {
  readonly profile: PackProfile;
  readonly series: number;
  readonly parallel: number;
  readonly moduleCount: number;
  readonly seriesPerModule: number;
  readonly ocv: OcvTable;
  /** Nominal capacity of a fresh group (cells x capacityAh), Ah. */
  readonly nominalGroupAh: number;

  // ---- per element
  readonly soc: Float64Array;
  /** Capacity of the element before aging (spread only), A s. */
  readonly capBaseAs: Float64Array;
  /** Relative capacity from aging and SOH (1 = as built). Call `refresh()` after changing it. */
  readonly capFade: Float64Array;
  /** Relative resistance growth from aging. Call `refresh()` after changing it. */
  readonly resGrowth: Float64Array;
  /** Effective capacity, A s (capBaseAs * capFade). */
  readonly capAs: Float64Array;
  readonly r0Base: Float64Array;
  readonly r1Base: Float64Array;
  readonly r2Base: Float64Array;
  /** Effective resistances at the reference temperature (base * growth), ohms. */
  readonly r0: Float64Array;
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  readonly tau1: Float64Array;
  readonly tau2: Float64Array;
  readonly v1: Float64Array;
  readonly v2: Float64Array;
  /** OCV at the end of the last step, V. */
  readonly ocvNow: Float64Array;
  /** Terminal voltage of the element at the end of the last step, V. */
  readonly vCell: Float64Array;
  /** Self-discharge, fraction of capacity per second. */
  readonly selfDischarge: Float64Array;
  /** Balancing bleed current drawn from the element, A (set by the BMS balancer). */
  readonly bleedA: Float64Array;
  /** Extra internal leakage current (fault hooks): positive discharges the element, negative charges it, A. */
  readonly leakA: Float64Array;
  /** Relative aging speed of the element (weak cells age faster). */
  readonly agingFactor: Float64Array;
  readonly moduleOf: Int32Array;

  // ---- per module
  readonly tempC: Float64Array;
  readonly heatCapacity: Float64Array;
  readonly hA: Float64Array;
  /** External heat into the module, W (fault hooks: heaters, self-heating cells). */
  readonly extHeatW: Float64Array;
  /** Heat generated in the module in the last step, W. */
  readonly heatW: Float64Array;
  /** Arrhenius resistance factor of the module in the last step. */
  readonly resFactor: Float64Array;

  ambientC: number;
  bleedOhm: number;
  readonly etaCharge: number;
  readonly etaDischarge: number;

  // ---- outputs of the last step
  current = 0;
  packVoltage = 0;
  minCellV = 0;
  maxCellV = 0;
  minCellIdx = 0;
  maxCellIdx = 0;
  minTempC = 0;
  maxTempC = 0;
  minTempIdx = 0;
  maxTempIdx = 0;
  /** Usable charge of the string: min over elements of stored charge, As (discharge-limited). */
  dischargeableAs = 0;
  /** Room for charge: min over elements of (capacity - stored), As. */
  chargeableAs = 0;
  /** Simulated seconds stepped. */
  timeS = 0;

  // ---- counters (since build)
  ahCharged = 0;
  ahDischarged = 0;
  energyInJ = 0;
  energyOutJ = 0;
  /** Joule heat in R0 and the RC resistances. */
  ohmicLossJ = 0;
  /** Charge that went into side reactions (coulombic inefficiency), as energy at OCV. */
  coulombicLossJ = 0;
  selfDischargeLossJ = 0;
  bleedLossJ = 0;
  /** Energy moved by leakage faults out of (+) or into (-) elements, at OCV. */
  leakLossJ = 0;

  private readonly eaOverR: number;
  private readonly eaAboveOverR: number;
  private readonly invTref: number;
  private readonly twoRc: boolean;
  private lastDt = -1;
  private readonly a1: Float64Array;
  private readonly a2: Float64Array;
  /** tau (1 - a) / dt: maps the RC step to its average voltage. */
  private readonly g1: Float64Array;
  private readonly g2: Float64Array;
  private readonly invCap: Float64Array;
  /** Temperature at which `resFactor` was last computed, per module. */
  private readonly rfTempC: Float64Array;
  private sohCached = 0;
  private readonly thermalDecay: Float64Array;
  /** What the cell update of the last step summed up (reused: a step allocates nothing). */
  private readonly cellStep: CellStepSums = { sumV: 0, sumVavg: 0, minV: 0, maxV: 0, minI: 0, maxI: 0, minStored: 0, minRoom: 0, ohmicJ: 0, coulombicJ: 0, selfDischargeJ: 0, bleedJ: 0, leakJ: 0 };

  constructor(profile: PackProfile, options: PackModelOptions = {}) {
    this.profile = profile;
    const { series, parallel, seriesPerModule } = profile.topology;
    if (series % seriesPerModule !== 0) throw new ConfigError(`seriesPerModule ${seriesPerModule} does not divide series ${series}`);
    this.series = series;
    this.parallel = parallel;
    this.seriesPerModule = seriesPerModule;
    this.moduleCount = series / seriesPerModule;
    this.ocv = new OcvTable(profile.cell.ocv.soc, profile.cell.ocv.volts);
    this.nominalGroupAh = profile.cell.capacityAh * parallel;
    const n = series;
    const f = (): Float64Array => new Float64Array(n);
    this.soc = f();
    this.capBaseAs = f();
    this.capFade = f();
    this.resGrowth = f();
    this.capAs = f();
    this.r0Base = f();
    this.r1Base = f();
    this.r2Base = f();
    this.r0 = f();
    this.r1 = f();
    this.r2 = f();
    this.tau1 = f();
    this.tau2 = f();
    this.v1 = f();
    this.v2 = f();
    this.ocvNow = f();
    this.vCell = f();
    this.selfDischarge = f();
    this.bleedA = f();
    this.leakA = f();
    this.agingFactor = f();
    this.a1 = f();
    this.a2 = f();
    this.g1 = f();
    this.g2 = f();
    this.invCap = f();
    this.moduleOf = new Int32Array(n);
    const nm = this.moduleCount;
    const g = (): Float64Array => new Float64Array(nm);
    this.tempC = g();
    this.heatCapacity = g();
    this.hA = g();
    this.extHeatW = g();
    this.heatW = g();
    this.resFactor = g();
    this.thermalDecay = g();
    this.rfTempC = g().fill(NaN);

    const cell = profile.cell;
    this.eaOverR = cell.activationEnergyJPerMol / R_GAS;
    this.eaAboveOverR = (cell.activationEnergyAboveRefJPerMol ?? cell.activationEnergyJPerMol) / R_GAS;
    this.invTref = 1 / (cell.referenceTempC + KELVIN);
    this.twoRc = cell.rc.length > 1;
    this.etaCharge = cell.coulombicEfficiencyCharge;
    this.etaDischarge = cell.coulombicEfficiencyDischarge;
    this.bleedOhm = profile.bms.balancing.bleedOhm;
    this.ambientC = options.ambientC ?? profile.thermal.ambientC;

    this.drawCells(options.seed ?? 1);
    const soh = options.soh ?? profile.aging.soh;
    const rf = options.resistanceFactor ?? profile.aging.resistanceFactor;
    this.capFade.fill(soh);
    this.resGrowth.fill(rf);
    for (let m = 0; m < nm; m++) {
      const cellsInModule = seriesPerModule * parallel;
      this.heatCapacity[m] = cellsInModule * cell.massKg * cell.specificHeatJPerKgK + profile.thermal.moduleExtraHeatCapacityJPerK;
      this.hA[m] = cellsInModule * profile.thermal.hAPerCellWPerK;
      this.tempC[m] = this.ambientC;
    }
    for (let i = 0; i < n; i++) this.moduleOf[i] = Math.floor(i / seriesPerModule);
    this.refresh();
    const s0 = options.initialSoc ?? 0.5;
    const rng = new SeededRandom(((options.seed ?? 1) ^ 0x5eed) >>> 0);
    for (let i = 0; i < n; i++) this.soc[i] = clampSoc(s0 + profile.spread.socSigma * rng.gaussian());
    this.settle();
  }

  /** Draw every cell of every group (seeded) and lump the groups. */
  private drawCells(seed: number): void {
    const p = this.profile;
    const sp = p.spread;
    const rng = new SeededRandom(seed);
    const total = this.series * this.parallel;
    const weak = new Set<number>();
    while (weak.size < Math.min(sp.weakCells, total)) weak.add(rng.int(total));
    const cell = p.cell;
    const rc1 = cell.rc[0]!;
    const rc2 = cell.rc[1];
    for (let i = 0; i < this.series; i++) {
      let cap = 0;
      let g = 0;
      let sdw = 0;
      let agew = 0;
      for (let j = 0; j < this.parallel; j++) {
        const k = i * this.parallel + j;
        const isWeak = weak.has(k);
        let c = Math.max(0.2, 1 + sp.capacitySigma * rng.gaussian()) * (isWeak ? sp.weakCapacityFactor : 1);
        let r = Math.max(0.3, 1 + sp.resistanceSigma * rng.gaussian()) * (isWeak ? sp.weakResistanceFactor : 1);
        const sd = Math.max(0, 1 + sp.selfDischargeSigma * rng.gaussian()) * (isWeak ? sp.weakSelfDischargeFactor : 1);
        c *= cell.capacityAh;
        r = Math.max(r, 1e-3);
        cap += c;
        g += 1 / r;
        sdw += sd * c;
        agew += (isWeak ? sp.weakAgingFactor : 1) * c;
      }
      const rRel = 1 / g; // relative to one cell; the group's is cell R / parallel for equal cells
      this.capBaseAs[i] = cap * 3600;
      this.r0Base[i] = cell.r0Ohm * rRel;
      this.r1Base[i] = rc1.rOhm * rRel;
      this.tau1[i] = rc1.tauS;
      this.r2Base[i] = rc2 ? rc2.rOhm * rRel : 0;
      this.tau2[i] = rc2 ? rc2.tauS : 1;
      this.selfDischarge[i] = (cell.selfDischargePerDay * (sdw / cap)) / 86400;
      this.agingFactor[i] = agew / cap;
    }
  }

  /** Recompute effective capacities and resistances after `capFade` / `resGrowth` changed. */
  refresh(): void {
    let capSum = 0;
    for (let i = 0; i < this.series; i++) {
      this.capAs[i] = this.capBaseAs[i]! * this.capFade[i]!;
      this.invCap[i] = 1 / this.capAs[i]!;
      capSum += this.capAs[i]!;
      const gr = this.resGrowth[i]!;
      this.r0[i] = this.r0Base[i]! * gr;
      this.r1[i] = this.r1Base[i]! * gr;
      this.r2[i] = this.r2Base[i]! * gr;
    }
    this.sohCached = capSum / this.series / 3600 / this.nominalGroupAh;
  }

  /** Scale every element's capacity by one factor so the pack's SOH becomes `soh` (fraction of nameplate). */
  scaleSohTo(soh: number): void {
    const f = soh / this.soh();
    for (let i = 0; i < this.series; i++) this.capFade[i]! *= f;
    this.refresh();
  }

  /** Scale every element's resistance growth by one factor so their mean becomes `factor` (1 = as built). */
  scaleResistanceTo(factor: number): void {
    let mean = 0;
    for (let i = 0; i < this.series; i++) mean += this.resGrowth[i]!;
    const f = factor / (mean / this.series);
    for (let i = 0; i < this.series; i++) this.resGrowth[i]! *= f;
    this.refresh();
  }

  /** Every thermal module at `tempC` (call `settle()` after the edits of a batch). */
  setModuleTemperatures(tempC: number): void {
    this.tempC.fill(tempC);
  }

  /**
   * Shift every element's SOC by the same amount (the spread stays) until the string SOC is `target`: a few passes,
   * since clamping at the ends moves it; then the RC voltages at rest. Call `settle()` after the edits of a batch.
   */
  shiftStringSocTo(target: number): void {
    for (let k = 0; k < 4; k++) {
      const d = target - this.stringSoc();
      for (let i = 0; i < this.series; i++) this.soc[i] = clampSoc(this.soc[i]! + d);
      this.updateCharge();
    }
    this.v1.fill(0);
    this.v2.fill(0);
  }

  /** Set every element to rest at `soc` (RC voltages zero) and recompute the outputs. */
  setSoc(soc: number): void {
    this.soc.fill(clampSoc(soc));
    this.v1.fill(0);
    this.v2.fill(0);
    this.settle();
  }

  /** Recompute voltages and summaries from the state without advancing time (after external edits). */
  settle(): void {
    const saved = this.lastDt;
    this.computeOutputsAtRest();
    this.lastDt = saved;
  }

  private computeOutputsAtRest(): void {
    const lut = this.ocv.lut;
    for (let i = 0; i < this.series; i++) {
      const o = lookup(lut, this.soc[i]!);
      this.ocvNow[i] = o;
      this.vCell[i] = o + this.v1[i]! + this.v2[i]!;
    }
    this.summarise();
    for (let m = 0; m < this.moduleCount; m++) {
      this.resFactor[m] = this.arrhenius(this.tempC[m]!);
      this.rfTempC[m] = this.tempC[m]!;
    }
    this.summariseTemps();
  }

  /** Resistance factor at a temperature (Arrhenius around the reference temperature; its own slope above it). */
  arrhenius(tempC: number): number {
    const x = 1 / (tempC + KELVIN) - this.invTref;
    return Math.exp((x < 0 ? this.eaAboveOverR : this.eaOverR) * x);
  }

  private prepareDt(dt: number): void {
    for (let i = 0; i < this.series; i++) {
      this.a1[i] = Math.exp(-dt / this.tau1[i]!);
      this.a2[i] = Math.exp(-dt / this.tau2[i]!);
      this.g1[i] = (this.tau1[i]! * (1 - this.a1[i]!)) / dt;
      this.g2[i] = (this.tau2[i]! * (1 - this.a2[i]!)) / dt;
    }
    for (let m = 0; m < this.moduleCount; m++) this.thermalDecay[m] = Math.exp((-this.hA[m]! * dt) / this.heatCapacity[m]!);
    this.lastDt = dt;
  }

  /** Thermal decay factors depend on heat capacity and hA: call after changing them. */
  invalidateStepCache(): void {
    this.lastDt = -1;
  }

  /**
   * Advance `dt` seconds with string current `current` amps (+ charge), held constant over the step (exact
   * zero-order-hold solution of the RC pairs and the thermal lumps). `dt` must be > 0.
   */
  step(dt: number, current: number): void {
    if (!(dt > 0)) return;
    if (dt !== this.lastDt) this.prepareDt(dt);
    this.startModuleHeat();
    this.stepCells(dt, current);
    this.stepThermal();
    this.recordStep(dt, current);
  }

  /**
   * Each module's Arrhenius factor for this step (recomputed when the module moved by more than 0.01 K: error
   * < 0.03 % at 25 degC), and its heat for the step started with the external heat.
   */
  private startModuleHeat(): void {
    const nm = this.moduleCount;
    const tempC = this.tempC;
    const heatW = this.heatW;
    const rf = this.resFactor;
    const rfT = this.rfTempC;
    const ext = this.extHeatW;
    for (let m = 0; m < nm; m++) {
      const t = tempC[m]!;
      const d = t - rfT[m]!;
      if (!(d < 0.01 && d > -0.01)) {
        rf[m] = this.arrhenius(t);
        rfT[m] = t;
      }
      heatW[m] = ext[m]!;
    }
  }

  /**
   * Cell update: every element's SOC, OCV, RC voltages and terminal voltage over the step (exact zero-order-hold
   * solution), its heat added to its module's, and the string's sums, extremes and losses into `cellStep`.
   */
  private stepCells(dt: number, current: number): void {
    const nm = this.moduleCount;
    const heatW = this.heatW;
    const rf = this.resFactor;
    const soc = this.soc;
    const capAs = this.capAs;
    const invCap = this.invCap;
    const r0 = this.r0;
    const r1 = this.r1;
    const r2 = this.r2;
    const v1 = this.v1;
    const v2 = this.v2;
    const a1 = this.a1;
    const a2 = this.a2;
    const g1 = this.g1;
    const g2 = this.g2;
    const ocvNow = this.ocvNow;
    const vCell = this.vCell;
    const sd = this.selfDischarge;
    const bleed = this.bleedA;
    const leak = this.leakA;
    const lut = this.ocv.lut;
    const etaC = this.etaCharge;
    const invEtaD = 1 / this.etaDischarge;
    const twoRc = this.twoRc;
    const bleedOhm = this.bleedOhm;
    const invDt = 1 / dt;
    let sumV = 0;
    let sumVavg = 0;
    let minV = Infinity;
    let maxV = -Infinity;
    let minI = 0;
    let maxI = 0;
    let minStored = Infinity;
    let minRoom = Infinity;
    let ohmic = 0;
    let coul = 0;
    let selfd = 0;
    let bleedJ = 0;
    let leakJ = 0;
    const spm = this.seriesPerModule;
    const atRest = current === 0;
    let i = 0;
    for (let m = 0; m < nm; m++) {
      // elements of a module are contiguous: its Arrhenius factor and heat sum stay in registers
      const f = rf[m]!;
      let heatJ = 0;
      for (const end = i + spm; i < end; i++) {
        const b = bleed[i]!;
        const lk = leak[i]!;
        const cap = capAs[i]!;
        const sdf = sd[i]! * dt;
        // the element's new SOC and terminal voltage, from one of the two paths below
        let s: number;
        let v: number;
        if (atRest && b === 0 && lk === 0) {
          // rest fast path (same equations with zero current): self-discharge and RC relaxation only
          s = soc[i]! - sdf;
          if (s < SOC_MIN) s = SOC_MIN;
          soc[i] = s;
          const o1 = lookup(lut, s);
          ocvNow[i] = o1;
          const x1 = v1[i]! * a1[i]!;
          v1[i] = x1;
          const x2 = v2[i]! * a2[i]!;
          v2[i] = x2;
          v = o1 + x1 + x2;
          const qs = sdf * cap * o1;
          selfd += qs;
          heatJ += qs;
        } else {
          const ii = current - b - lk;
          const dq = (ii > 0 ? etaC * ii : ii * invEtaD) * dt;
          s = soc[i]! + dq * invCap[i]! - sdf;
          let clampedAs = 0;
          if (s < SOC_MIN) {
            clampedAs = (s - SOC_MIN) * cap;
            s = SOC_MIN;
          } else if (s > SOC_MAX) {
            clampedAs = (s - SOC_MAX) * cap;
            s = SOC_MAX;
          }
          soc[i] = s;
          const o1 = lookup(lut, s);
          ocvNow[i] = o1;
          // RC pairs: exact response to a constant current over dt (end value and step average)
          const inf1 = ii * r1[i]! * f;
          const x10 = v1[i]!;
          const x1 = inf1 + (x10 - inf1) * a1[i]!;
          v1[i] = x1;
          let over = inf1 + (x10 - inf1) * g1[i]!;
          let x2 = 0;
          if (twoRc) {
            const inf2 = ii * r2[i]! * f;
            const x20 = v2[i]!;
            x2 = inf2 + (x20 - inf2) * a2[i]!;
            v2[i] = x2;
            over += inf2 + (x20 - inf2) * g2[i]!;
          }
          const ir0 = ii * r0[i]! * f;
          over += ir0;
          v = o1 + ir0 + x1 + x2;
          // step-average terminal voltage = OCV + average overpotential (OCV moves < 0.1 mV per step: end value used)
          const vAvg = o1 + over;
          sumVavg += vAvg;
          // energy into R0 and the RC branches; what charges the capacitors is returned when they relax, so over any
          // stretch that starts and ends at rest this is exactly the Joule heat (it reaches the thermal lump a few tau early)
          const q = ii * over * dt;
          // coulombic inefficiency, plus charge the element could not take or give beyond the SOC range (side reactions)
          const qc = ((ii > 0 ? (1 - etaC) * ii : (invEtaD - 1) * -ii) * dt + clampedAs) * o1;
          const qs = sdf * cap * o1;
          ohmic += q;
          coul += qc;
          selfd += qs;
          let h = q + qc + qs;
          if (b !== 0 || lk !== 0) {
            h += b * b * bleedOhm * dt;
            bleedJ += b * vAvg * dt;
            leakJ += lk * vAvg * dt;
          }
          heatJ += h;
        }
        // sums, extremes and the string's usable charge and room, whichever path the element took
        vCell[i] = v;
        sumV += v;
        if (v < minV) {
          minV = v;
          minI = i;
        }
        if (v > maxV) {
          maxV = v;
          maxI = i;
        }
        const stored = s * cap;
        if (stored < minStored) minStored = stored;
        const room = cap - stored;
        if (room < minRoom) minRoom = room;
      }
      heatW[m] += heatJ * invDt;
    }
    const out = this.cellStep;
    out.sumV = sumV;
    out.sumVavg = sumVavg;
    out.minV = minV;
    out.maxV = maxV;
    out.minI = minI;
    out.maxI = maxI;
    out.minStored = minStored;
    out.minRoom = minRoom;
    out.ohmicJ = ohmic;
    out.coulombicJ = coul;
    out.selfDischargeJ = selfd;
    out.bleedJ = bleedJ;
    out.leakJ = leakJ;
  }

  /** Thermal lumps: exact first-order response to the step's constant heat, then the temperature extremes. */
  private stepThermal(): void {
    const amb = this.ambientC;
    const tempC = this.tempC;
    const heatW = this.heatW;
    const hA = this.hA;
    const decay = this.thermalDecay;
    for (let m = 0; m < this.moduleCount; m++) {
      const tInf = amb + heatW[m]! / hA[m]!;
      tempC[m] = tInf + (tempC[m]! - tInf) * decay[m]!;
    }
    this.summariseTemps();
  }

  /** Accounting: the step's outputs from `cellStep`, time, and the energy, charge and loss counters. */
  private recordStep(dt: number, current: number): void {
    const c = this.cellStep;
    this.current = current;
    this.packVoltage = c.sumV;
    this.minCellV = c.minV;
    this.maxCellV = c.maxV;
    this.minCellIdx = c.minI;
    this.maxCellIdx = c.maxI;
    this.dischargeableAs = c.minStored;
    this.chargeableAs = c.minRoom;
    this.timeS += dt;
    const pIn = current * c.sumVavg * dt;
    if (pIn >= 0) this.energyInJ += pIn;
    else this.energyOutJ -= pIn;
    if (current >= 0) this.ahCharged += (current * dt) / 3600;
    else this.ahDischarged -= (current * dt) / 3600;
    this.ohmicLossJ += c.ohmicJ;
    this.coulombicLossJ += c.coulombicJ;
    this.selfDischargeLossJ += c.selfDischargeJ;
    this.bleedLossJ += c.bleedJ;
    this.leakLossJ += c.leakJ;
  }

  private summarise(): void {
    let sumV = 0;
    let minV = Infinity;
    let maxV = -Infinity;
    let minStored = Infinity;
    let minRoom = Infinity;
    for (let i = 0; i < this.series; i++) {
      const v = this.vCell[i]!;
      sumV += v;
      if (v < minV) {
        minV = v;
        this.minCellIdx = i;
      }
      if (v > maxV) {
        maxV = v;
        this.maxCellIdx = i;
      }
      const stored = this.soc[i]! * this.capAs[i]!;
      minStored = Math.min(minStored, stored);
      minRoom = Math.min(minRoom, this.capAs[i]! - stored);
    }
    this.packVoltage = sumV;
    this.minCellV = minV;
    this.maxCellV = maxV;
    this.dischargeableAs = minStored;
    this.chargeableAs = minRoom;
  }

  private summariseTemps(): void {
    const t = this.tempC;
    let lo = t[0]!;
    let hi = lo;
    let li = 0;
    let hiI = 0;
    for (let m = 1; m < this.moduleCount; m++) {
      const x = t[m]!;
      if (x < lo) {
        lo = x;
        li = m;
      } else if (x > hi) {
        hi = x;
        hiI = m;
      }
    }
    this.minTempC = lo;
    this.maxTempC = hi;
    this.minTempIdx = li;
    this.maxTempIdx = hiI;
  }

  /** Recompute the string's usable charge and room (after capacities changed between steps). */
  updateCharge(): void {
    let minStored = Infinity;
    let minRoom = Infinity;
    for (let i = 0; i < this.series; i++) {
      const stored = this.soc[i]! * this.capAs[i]!;
      if (stored < minStored) minStored = stored;
      if (this.capAs[i]! - stored < minRoom) minRoom = this.capAs[i]! - stored;
    }
    this.dischargeableAs = minStored;
    this.chargeableAs = minRoom;
  }

  /** SOC of the string as a BMS reports it: usable charge / (usable charge + room), 0..1. */
  stringSoc(): number {
    const a = Math.max(0, this.dischargeableAs);
    const b = Math.max(0, this.chargeableAs);
    return a + b > 0 ? a / (a + b) : 0;
  }

  /** Mean element capacity relative to a fresh group (state of health), 0..1. */
  soh(): number {
    return this.sohCached;
  }

  /** Capacity of the string (limited by its weakest element), Ah. */
  stringCapacityAh(): number {
    let c = Infinity;
    for (let i = 0; i < this.series; i++) c = Math.min(c, this.capAs[i]!);
    return c / 3600;
  }

  /** Mean of the SOCs of the elements. */
  meanSoc(): number {
    let s = 0;
    for (let i = 0; i < this.series; i++) s += this.soc[i]!;
    return s / this.series;
  }

  /** Equivalent full cycles: charge throughput / 2 / nominal group capacity. */
  efc(): number {
    return (this.ahCharged + this.ahDischarged) / 2 / this.nominalGroupAh;
  }
}

function clampSoc(s: number): number {
  return s < SOC_MIN ? SOC_MIN : s > SOC_MAX ? SOC_MAX : s;
}
