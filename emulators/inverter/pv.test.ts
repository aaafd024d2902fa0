import { clearDay, cloudyDay, constant, dawn, dusk } from './irradiance';
import { MpptTracker } from './mppt';
import { MODULE_400W, PvString } from './pv-array';
import { DEFAULT_EFFICIENCY, efficiencyAt } from './efficiency';

describe('PV string', () => {
  const s = new PvString({ modules: 10 });
  it('gives rated power at STC and scales with irradiance', () => {
    expect(s.mpp(1000, 25).watts).toBeCloseTo(4000, 6);
    expect(s.mpp(500, 25).watts).toBeCloseTo(2000, 6);
    expect(s.mpp(0, 25).watts).toBe(0);
  });
  it('loses power and voltage with temperature by its coefficients', () => {
    expect(s.mpp(1000, 65).watts).toBeCloseTo(4000 * (1 + MODULE_400W.gammaP * 40), 6);
    expect(s.mpp(1000, 65).volts).toBeLessThan(s.mpp(1000, 25).volts);
    expect(s.mpp(1000, 25).volts).toBeCloseTo(375, 6);
  });
  it('estimates module temperature with NOCT', () => {
    expect(s.moduleTemperature(20, 800)).toBeCloseTo(45, 6);
  });
});

describe('MPPT tracker', () => {
  it('settles to 95 % of a new MPP in its settle time and follows drops at once', () => {
    const tr = new MpptTracker(3);
    let p = 0;
    for (let i = 0; i < 29; i++) p = tr.step(0.1, 1000);
    expect(p).toBeLessThan(950);
    p = tr.step(0.1, 1000);
    expect(p).toBeGreaterThanOrEqual(949.9);
    expect(tr.step(0.1, 400)).toBe(400);
  });
});

describe('irradiance profiles', () => {
  it('clear day: peak at noon, dark at night', () => {
    const p = clearDay({ peak: 900 });
    expect(p.irradiance(12 * 3600)).toBeCloseTo(900, 6);
    expect(p.irradiance(3 * 3600)).toBe(0);
    expect(p.irradiance(9 * 3600)).toBeGreaterThan(0);
    expect(p.irradiance(9 * 3600)).toBeLessThan(900);
  });
  it('cloudy day is deterministic for a seed, differs between seeds, and has fast transients', () => {
    const a = cloudyDay({ seed: 7 });
    const b = cloudyDay({ seed: 7 });
    const c = cloudyDay({ seed: 8 });
    const ts = Array.from({ length: 8 * 3600 }, (_, i) => 8 * 3600 + i);
    const ga = ts.map((t) => a.irradiance(t));
    expect(ts.map((t) => b.irradiance(t))).toEqual(ga);
    expect(ts.map((t) => c.irradiance(t))).not.toEqual(ga);
    let biggestDrop10s = 0;
    for (let i = 10; i < ga.length; i++) biggestDrop10s = Math.max(biggestDrop10s, (ga[i - 10]! - ga[i]!) / Math.max(ga[i - 10]!, 1));
    expect(biggestDrop10s).toBeGreaterThan(0.3);
    const clear = clearDay();
    expect(ts.every((t, i) => ga[i]! <= clear.irradiance(t) + 1e-9)).toBe(true);
  });
  it('dawn and dusk ramp, constant stays', () => {
    expect(dawn(100, 100, 200).irradiance(150)).toBeCloseTo(100, 6);
    expect(dusk(100, 100, 200).irradiance(250)).toBe(0);
    expect(constant(321).irradiance(1)).toBe(321);
  });
});

describe('efficiency curve', () => {
  it('interpolates between points and clamps at the ends', () => {
    expect(efficiencyAt(DEFAULT_EFFICIENCY, 0.15)).toBeCloseTo((0.94 + 0.962) / 2, 9);
    expect(efficiencyAt(DEFAULT_EFFICIENCY, 2)).toBe(0.966);
  });
});
