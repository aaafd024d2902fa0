import { agePack, graphiteUa, powerStateStep } from './aging';
import { loadPackFixture } from './fixtures';
import { PackModel } from './pack-model';
import type { PackProfile } from './profile-types';

function uniform(p: PackProfile, model?: PackProfile['aging']['model']): PackProfile {
  return {
    ...p,
    spread: { ...p.spread, capacitySigma: 0, resistanceSigma: 0, weakCells: 0 },
    aging: { ...p.aging, ...(model ? { model } : {}) },
  };
}

const leaf = loadPackFixture('nissan-leaf-24kwh');

describe('agePack (BLAST-Lite power laws, PACKS.md 4.3)', () => {
  it('Leaf LMO model: one year at 25 degC / 50 % SOC loses 6.0 % (PACKS.md evaluated row)', () => {
    const pack = new PackModel(uniform(leaf), { seed: 1, soh: 0.7 });
    const r = agePack(pack, [{ days: 365, tempC: 25, soc: 0.5 }]);
    expect(r.relativeCalendarLoss).toBeCloseTo(0.06, 3);
    expect(r.soh).toBeCloseTo(0.7 * (1 - r.relativeCalendarLoss), 9);
  });

  it('Leaf LMO model: 45 degC is much worse (29 % per year in PACKS.md)', () => {
    const pack = new PackModel(uniform(leaf), { seed: 1, soh: 0.7 });
    expect(agePack(pack, [{ days: 365, tempC: 45, soc: 0.5 }]).relativeCalendarLoss).toBeCloseTo(0.29, 2);
  });

  it('NMC111 and LFP laws reproduce the evaluated one-year rows of PACKS.md 4.3', () => {
    const nmc = new PackModel(uniform(leaf, 'nmc111-gr-sanyo-2ah'), { seed: 1, soh: 1 });
    expect(agePack(nmc, [{ days: 365, tempC: 25, soc: 0.5 }]).relativeCalendarLoss).toBeCloseTo(0.024, 3);
    const lfp = new PackModel(uniform(leaf, 'lfp-gr-250ah-prismatic'), { seed: 1, soh: 1 });
    expect(agePack(lfp, [{ days: 365, tempC: 25, soc: 0.5 }]).relativeCalendarLoss).toBeCloseTo(0.011, 3);
    const lfpHot = new PackModel(uniform(leaf, 'lfp-gr-250ah-prismatic'), { seed: 1, soh: 1 });
    expect(agePack(lfpHot, [{ days: 365, tempC: 45, soc: 1 }]).relativeCalendarLoss).toBeCloseTo(0.055, 3);
  });

  it('BMW i3: cycle fade follows the maker (20 % of nameplate after 4,600 full cycles at 25 degC), not the 18650 law', () => {
    const i3 = loadPackFixture('bmw-i3-60ah');
    const fresh = new PackModel(uniform(i3), { seed: 1, soh: 1 });
    // Cycling only (no calendar days): 4,600 EFC from new land at 80 %.
    const r = agePack(fresh, [{ days: 0, efc: 4600, tempC: 25, soc: 0.5, dod: 1 }]);
    expect(r.soh).toBeCloseTo(0.8, 3);
    // The 18650 law the fixture used before: about 26 % after only 1000 EFC.
    const law = new PackModel(uniform({ ...i3, aging: { ...i3.aging, cycleFade: undefined } }), { seed: 1, soh: 1 });
    expect(agePack(law, [{ days: 0, efc: 1000, tempC: 25, soc: 0.5, dod: 1 }]).soh).toBeLessThan(0.76);
    // A second-life pack at 80 % loses the same nameplate share per cycle: 1000 EFC cost 4.35 points.
    const second = new PackModel(uniform(i3), { seed: 1, soh: 0.8 });
    expect(agePack(second, [{ days: 0, efc: 1000, tempC: 25 }]).soh).toBeCloseTo(0.8 - 0.2 / 4.6, 3);
  });

  it('graphite potential matches PACKS.md 2.2 (0.123 V at 50 %, 0.086 V at 100 %)', () => {
    expect(graphiteUa(0.5)).toBeCloseTo(0.123, 3);
    expect(graphiteUa(1)).toBeCloseTo(0.086, 3);
  });

  it('splitting a segment gives the same result (power-state rule is exact for piecewise-constant stress)', () => {
    const a = new PackModel(leaf, { seed: 2 });
    const b = new PackModel(leaf, { seed: 2 });
    agePack(a, [{ days: 400, efc: 300, tempC: 30, soc: 0.6 }]);
    agePack(b, [{ days: 100, efc: 75, tempC: 30, soc: 0.6 }]);
    agePack(b, [
      { days: 250, efc: 187.5, tempC: 30, soc: 0.6 },
      { days: 50, efc: 37.5, tempC: 30, soc: 0.6 },
    ]);
    for (let i = 0; i < a.series; i++) expect(b.capFade[i]).toBeCloseTo(a.capFade[i]!, 12);
  });

  it('cycling adds fade (7.58e-5 * EFC^1.08 for the Leaf) and grows resistance; weak cells age faster', () => {
    const pack = new PackModel(leaf, { seed: 4 });
    const r0Before = pack.r0[0]!;
    const r = agePack(pack, [{ days: 0, efc: 1000 }]);
    expect(r.relativeCycleLoss).toBeCloseTo(7.58e-5 * Math.pow(1000, 1.08), 9);
    expect(pack.r0[0]).toBeGreaterThan(r0Before);
    const weakest = Array.from(pack.agingFactor).indexOf(Math.max(...pack.agingFactor));
    const normal = Array.from(pack.agingFactor).indexOf(1);
    expect(pack.agingFactor[weakest]).toBeGreaterThan(1);
    const fadeOf = (i: number): number => pack.capFade[i]! / 0.68;
    expect(fadeOf(weakest)).toBeLessThan(fadeOf(normal));
  });

  it('a second-life Leaf pack from 70 % reaches about 68 % after three months on the shelf at 25 degC', () => {
    const pack = new PackModel(uniform(leaf), { seed: 1, soh: 0.7 });
    const r = agePack(pack, [{ days: 91, tempC: 25, soc: 0.5 }]);
    expect(r.soh).toBeGreaterThan(0.67);
    expect(r.soh).toBeLessThan(0.69);
  });

  it('rejects a bad segment with a clear error and leaves the pack unchanged', () => {
    const pack = new PackModel(leaf, { seed: 1 });
    const before = Array.from(pack.capFade);
    expect(() => agePack(pack, [{ days: 10 }, { days: 5, soc: 1.5 }])).toThrow(/segment 1: soc 1.5 is outside 0..1/);
    expect(Array.from(pack.capFade)).toEqual(before);
  });

  it('powerStateStep from zero is k x^p', () => {
    expect(powerStateStep(0, 0.01, 0.5, 100)).toBeCloseTo(0.1, 12);
    expect(powerStateStep(0.1, 0.01, 0.5, 0)).toBe(0);
  });
});
