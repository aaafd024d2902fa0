import { ConfigError } from '../../../core/errors';
import { OcvTable } from './ocv-table';
import type { PackModel } from './pack-model';

/**
 * Fast aging in virtual time with the power-law life models of NREL BLAST-Lite (PACKS.md 4.3; BLAST-Lite
 * `blast/models/*.py` @ bae8c719, each model citing its data: Braco et al. for the Leaf, Schmalstieg et al. 2014
 * for NMC111, doi 10.1016/j.est.2023.109042 for LFP > 250 Ah). The formulas are re-implemented from PACKS.md:
 * q_loss = k * x^p with x = days (calendar) or EFC / Ah throughput (cycling); a stress that changes between
 * segments is carried by the power-state rule (BLAST-Lite `update_power_state`): the current loss y is mapped to
 * the equivalent x under the new k, x_eq = (y/k)^(1/p), then y' = k (x_eq + dx)^p. This is exact for stresses
 * constant within a segment, so splitting a segment in two gives the same result.
 */

/** One stretch of usage history with constant stress. */
export interface AgingSegment {
  /** Calendar days (>= 0). */
  days: number;
  /** Equivalent full cycles in the segment (default 0). */
  efc?: number;
  /** Mean cell temperature, degC (default 25). */
  tempC?: number;
  /** Mean state of charge 0..1 (default 0.5). */
  soc?: number;
  /** Depth of discharge 0..1 (default 0.8). */
  dod?: number;
  /** Mean C-rate (default 0.5). */
  cRate?: number;
}

/** Resulting state of the pack after `agePack`. */
export interface AgingResult {
  /** Mean capacity relative to nameplate. */
  soh: number;
  minCellSoh: number;
  /** Mean resistance relative to fresh. */
  resistanceFactor: number;
  /** Loss relative to the state when aging started (cell 0 without spread factors: the model's own output). */
  relativeCalendarLoss: number;
  relativeCycleLoss: number;
}

interface AgingState {
  baseFade: Float64Array;
  baseGrowth: Float64Array;
  qCal: Float64Array;
  qCyc: Float64Array;
  rCal: Float64Array;
  rCyc: Float64Array;
}

const states = new WeakMap<PackModel, AgingState>();

/** Sanyo UR18650E OCV (PACKS.md 2.1 first column, [read] BLAST-Lite), used as V(SOC) inside the NMC111 law. */
const sanyoOcv = new OcvTable(
  [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  [3.331, 3.491, 3.581, 3.627, 3.655, 3.697, 3.775, 3.869, 3.965, 4.073, 4.162],
);

/** Graphite anode potential (Safari & Delacourt 2011 form, PACKS.md 2.2, BLAST-Lite `_get_Ua`). */
export function graphiteUa(soc: number): number {
  const x = 0.0085 + soc * (0.78 - 0.0085);
  return (
    0.6379 +
    0.5416 * Math.exp(-305.5309 * x) +
    0.044 * Math.tanh(-(x - 0.1958) / 0.1088) -
    0.1978 * Math.tanh((x - 1.0571) / 0.0854) -
    0.6875 * Math.tanh((x + 0.0117) / 0.0529) -
    0.0175 * Math.tanh((x - 0.5692) / 0.0875)
  );
}

/** y' = k (x_eq + dx)^p; returns the increment (0 when k <= 0 or dx <= 0). */
export function powerStateStep(y: number, k: number, p: number, dx: number): number {
  if (!(k > 0) || !(dx > 0)) return 0;
  const xEq = y > 0 ? Math.pow(y / k, 1 / p) : 0;
  return k * Math.pow(xEq + dx, p) - y;
}

interface Rates {
  kCal: number;
  pCal: number;
  kCyc: number;
  pCyc: number;
  /** Cycle throughput unit per EFC (1 for EFC-based laws, Ah per EFC for Ah-based). */
  cycUnitPerEfc: number;
  /** Resistance laws, when the model has them. */
  res?: { kCal: number; pCal: number; betaPerAh: number };
}

/** Stress-dependent coefficients of one model for one segment (PACKS.md 4.3 rows). */
export function agingRates(model: PackModel['profile']['aging']['model'], seg: Required<AgingSegment>): Rates {
  const T = seg.tempC + 273.15;
  switch (model) {
    case 'lmo-gr-nissan-leaf-2nd-life':
      return {
        kCal: 3.25e8 * Math.exp(-7580 / T) * Math.exp((162 * seg.soc) / T),
        pCal: 0.464,
        kCyc: 7.58e-5,
        pCyc: 1.08,
        cycUnitPerEfc: 1,
      };
    case 'nmc111-gr-sanyo-2ah': {
      const V = sanyoOcv.exact(seg.soc);
      const ahPerEfc = 2 * 2.15; // BLAST-Lite: Ah_throughput = delta_efc * 2 * 2.15 Ah
      return {
        kCal: (7.543 * V - 23.75) * 1e6 * Math.exp(-6976 / T),
        pCal: 0.75,
        kCyc: 7.348e-3 * (V - 3.667) ** 2 + 7.6e-4 + 4.081e-3 * seg.dod,
        pCyc: 0.5,
        cycUnitPerEfc: ahPerEfc,
        res: {
          kCal: (5.27 * V - 16.32) * 1e5 * Math.exp(-5986 / T),
          pCal: 0.75,
          betaPerAh: 2.153e-4 * (V - 3.725) ** 2 - 1.521e-5 + 2.798e-4 * seg.dod,
        },
      };
    }
    case 'lfp-gr-250ah-prismatic': {
      const ua = graphiteUa(seg.soc);
      return {
        kCal: 8.37e4 * Math.exp(-5210 / T) * Math.exp((-3560 * ua) / T),
        pCal: 0.526,
        kCyc: (4.38e-8 + 1.55e-8 * seg.dod + 1.68e-7 * seg.cRate) * (Math.exp(2190 / T) + Math.exp(-1.55e5 / T)),
        pCyc: 0.828,
        cycUnitPerEfc: 1,
      };
    }
    default:
      throw new ConfigError(`unknown aging model '${String(model)}'`);
  }
}

function withDefaults(s: AgingSegment, i: number): Required<AgingSegment> {
  const seg = { efc: 0, tempC: 25, soc: 0.5, dod: 0.8, cRate: 0.5, ...s };
  const bad = (what: string): never => {
    throw new ConfigError(`aging history segment ${i}: ${what}`);
  };
  if (!(seg.days >= 0)) bad(`days must be >= 0 (got ${seg.days})`);
  if (!(seg.efc >= 0)) bad(`efc must be >= 0 (got ${seg.efc})`);
  if (!(seg.tempC > -40 && seg.tempC < 80)) bad(`tempC ${seg.tempC} is outside -40..80`);
  if (!(seg.soc >= 0 && seg.soc <= 1)) bad(`soc ${seg.soc} is outside 0..1`);
  if (!(seg.dod >= 0 && seg.dod <= 1)) bad(`dod ${seg.dod} is outside 0..1`);
  if (!(seg.cRate >= 0)) bad(`cRate must be >= 0`);
  return seg;
}

/**
 * Age a pack by a usage history, in place: capacity fade and resistance growth per element, scaled by each
 * element's `agingFactor` (weak cells age faster). Losses are relative to the pack's state when it was first
 * aged (the profile's `aging.soh`), as BLAST-Lite's Leaf model is relative to the start of second life.
 * Models without a resistance law grow resistance by `aging.resistanceGainPerCapacityLoss` per unit of relative
 * capacity lost. Throws `ConfigError` on a bad segment (nothing is changed then).
 */
export function agePack(pack: PackModel, history: readonly AgingSegment[]): AgingResult {
  const segs = history.map(withDefaults);
  const n = pack.series;
  const st = agingState(pack);
  const model = pack.profile.aging.model;
  const maker = pack.profile.aging.cycleFade;
  for (const seg of segs) {
    const r = agingRates(model, seg);
    const dCyc = seg.efc * r.cycUnitPerEfc;
    for (let i = 0; i < n; i++) {
      const f = pack.agingFactor[i]!;
      st.qCal[i]! += powerStateStep(st.qCal[i]!, f * r.kCal, r.pCal, seg.days);
      // The maker's figure is a loss of nameplate capacity; the state is relative to the element's base.
      if (maker) st.qCyc[i]! += powerStateStep(st.qCyc[i]!, (f * maker.loss) / maker.efc ** maker.exponent / st.baseFade[i]!, maker.exponent, seg.efc);
      else st.qCyc[i]! += powerStateStep(st.qCyc[i]!, f * r.kCyc, r.pCyc, dCyc);
      if (r.res) {
        st.rCal[i]! += powerStateStep(st.rCal[i]!, f * r.res.kCal, r.res.pCal, seg.days);
        st.rCyc[i]! += f * r.res.betaPerAh * dCyc;
      }
    }
  }
  const { minCellSoh, resistanceFactor } = writeAgingState(pack, st);
  // the model's own output for an element with aging factor 1 (reference numbers for checks and reports)
  let calRef = 0;
  let cycRef = 0;
  for (const seg of segs) {
    const r = agingRates(model, seg);
    calRef += powerStateStep(calRef, r.kCal, r.pCal, seg.days);
    if (maker) cycRef += powerStateStep(cycRef, maker.loss / maker.efc ** maker.exponent / pack.profile.aging.soh, maker.exponent, seg.efc);
    else cycRef += powerStateStep(cycRef, r.kCyc, r.pCyc, seg.efc * r.cycUnitPerEfc);
  }
  return { soh: pack.soh(), minCellSoh, resistanceFactor, relativeCalendarLoss: calRef, relativeCycleLoss: cycRef };
}

function agingState(pack: PackModel): AgingState {
  let st = states.get(pack);
  if (!st) {
    const n = pack.series;
    st = {
      baseFade: Float64Array.from(pack.capFade),
      baseGrowth: Float64Array.from(pack.resGrowth),
      qCal: new Float64Array(n),
      qCyc: new Float64Array(n),
      rCal: new Float64Array(n),
      rCyc: new Float64Array(n),
    };
    states.set(pack, st);
  }
  return st;
}

/** Save the pack's aging (state and the fade/growth it wrote); the function returned puts it back. */
export function saveAging(pack: PackModel): () => void {
  const st = agingState(pack);
  const copy = { qCal: st.qCal.slice(), qCyc: st.qCyc.slice(), rCal: st.rCal.slice(), rCyc: st.rCyc.slice() };
  const fade = pack.capFade.slice();
  const growth = pack.resGrowth.slice();
  return () => {
    st.qCal.set(copy.qCal);
    st.qCyc.set(copy.qCyc);
    st.rCal.set(copy.rCal);
    st.rCyc.set(copy.rCyc);
    pack.capFade.set(fade);
    pack.resGrowth.set(growth);
    pack.refresh();
    pack.settle();
  };
}

/** Capacity fade and resistance growth from the aging state, into the pack (refreshed and settled). */
function writeAgingState(pack: PackModel, st: AgingState): { minCellSoh: number; resistanceFactor: number } {
  const n = pack.series;
  const gain = pack.profile.aging.resistanceGainPerCapacityLoss;
  let minSoh = Infinity;
  for (let i = 0; i < n; i++) {
    const loss = Math.min(0.95, st.qCal[i]! + st.qCyc[i]!);
    pack.capFade[i] = st.baseFade[i]! * (1 - loss);
    const rGain = pack.profile.aging.model === 'nmc111-gr-sanyo-2ah' ? st.rCal[i]! + st.rCyc[i]! : gain * loss;
    pack.resGrowth[i] = st.baseGrowth[i]! * Math.max(0.5, 1 + rGain);
  }
  pack.refresh();
  pack.settle();
  let rSum = 0;
  for (let i = 0; i < n; i++) {
    minSoh = Math.min(minSoh, pack.capAs[i]! / 3600 / pack.nominalGroupAh);
    rSum += pack.resGrowth[i]!;
  }
  return { minCellSoh: minSoh, resistanceFactor: rSum / n };
}

/**
 * Stress integrals of a stretch of use, per unit aging factor, in the separable form of the power-state rule:
 * with y' = k (x_eq + dx)^p, y^(1/p) grows by k^(1/p) dx, so a stretch of varying stress adds the sum of
 * k^(1/p) dx over its pieces. This is exact for any split of the stretch, which is what lets a duty day
 * integrated once stand for many days (pack/duty.ts).
 */
export interface AgingIntegrals {
  /** Sum of kCal^(1/pCal) * days. */
  cal: number;
  /** Sum of kCyc^(1/pCyc) * throughput (EFC, Ah for Ah-based laws, or EFC under a maker's cycle-fade figure). */
  cyc: number;
  /** Sum of kResCal^(1/pResCal) * days (models with a resistance law). */
  resCal: number;
  /** Sum of betaPerAh * Ah throughput (linear law). */
  resCyc: number;
}

export function emptyAgingIntegrals(): AgingIntegrals {
  return { cal: 0, cyc: 0, resCal: 0, resCyc: 0 };
}

/** Add one constant-stress piece (a segment as `agePack` takes it) to `acc`. Throws `ConfigError` on a bad segment. */
export function addAgingPiece(pack: PackModel, acc: AgingIntegrals, piece: AgingSegment, scale = 1): void {
  addCheckedAgingPiece(pack, acc, withDefaults(piece, 0), scale);
}

/** `addAgingPiece` for a piece already complete and in range (hot loops: no checks, no copies). */
export function addCheckedAgingPiece(pack: PackModel, acc: AgingIntegrals, seg: Required<AgingSegment>, scale = 1): void {
  const r = agingRates(pack.profile.aging.model, seg);
  const maker = pack.profile.aging.cycleFade;
  if (seg.days > 0) acc.cal += Math.pow(r.kCal, 1 / r.pCal) * seg.days * scale;
  // maker: k is constant and per element (divided by its base fade in applyAgingIntegrals); here the throughput only
  if (seg.efc > 0) acc.cyc += (maker ? seg.efc : Math.pow(r.kCyc, 1 / r.pCyc) * seg.efc * r.cycUnitPerEfc) * scale;
  if (r.res) {
    acc.resCal += Math.pow(r.res.kCal, 1 / r.res.pCal) * seg.days * scale;
    acc.resCyc += r.res.betaPerAh * seg.efc * r.cycUnitPerEfc * scale;
  }
}

/** The exponents of the pack's laws (constant per model, which the separable form needs). */
function exponents(pack: PackModel): { pCal: number; pCyc: number; pResCal: number } {
  const r = agingRates(pack.profile.aging.model, withDefaults({ days: 0 }, 0));
  const maker = pack.profile.aging.cycleFade;
  return { pCal: r.pCal, pCyc: maker ? maker.exponent : r.pCyc, pResCal: r.res?.pCal ?? 1 };
}

/**
 * Age a pack, in place, by stress integrals `times` times over (the same as `agePack` over the pieces they were
 * summed from, repeated `times` times, to rounding). Returns what `agePack` returns, without the reference
 * losses (0).
 */
export function applyAgingIntegrals(pack: PackModel, acc: AgingIntegrals, times = 1): AgingResult {
  const st = agingState(pack);
  const { pCal, pCyc, pResCal } = exponents(pack);
  const maker = pack.profile.aging.cycleFade;
  const grow = (y: number, kScale: number, p: number, s: number): number => {
    if (!(s > 0)) return y;
    const base = (y > 0 ? Math.pow(y, 1 / p) : 0) + Math.pow(kScale, 1 / p) * s * times;
    return Math.pow(base, p);
  };
  for (let i = 0; i < pack.series; i++) {
    const f = pack.agingFactor[i]!;
    st.qCal[i] = grow(st.qCal[i]!, f, pCal, acc.cal);
    st.qCyc[i] = maker
      ? grow(st.qCyc[i]!, (f * maker.loss) / maker.efc ** maker.exponent / st.baseFade[i]!, pCyc, acc.cyc)
      : grow(st.qCyc[i]!, f, pCyc, acc.cyc);
    st.rCal[i] = grow(st.rCal[i]!, f, pResCal, acc.resCal);
    st.rCyc[i]! += f * acc.resCyc * times;
  }
  const { minCellSoh, resistanceFactor } = writeAgingState(pack, st);
  return { soh: pack.soh(), minCellSoh, resistanceFactor, relativeCalendarLoss: 0, relativeCycleLoss: 0 };
}
