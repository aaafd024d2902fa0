import { ConfigError } from '../../../core/errors';
import { agePack } from './aging';
import { ageUnderDuty, DUTY_PROFILES, dutyProfile } from './duty';
import { loadPackFixture } from './fixtures';
import { PackModel } from './pack-model';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('ageUnderDuty', () => {
  // Correctness, not timing: large blocks of an integrated duty day against the same duty stepped at 1 s.
  it.each([
    ['lfp-lishen-16s-202ah', 'solar-self-consumption'],
    ['tesla-model-s-module', 'peak-shaving'],
    ['bmw-i3-94ah', 'solar-hot-garage'],
  ])('%s under %s: fast blocks agree with 1 s stepping within 1 % (SOH loss and resistance)', (id, duty) => {
    const profile = loadPackFixture(id);
    const fast = new PackModel(profile, { seed: 3 });
    const stepped = new PackModel(profile, { seed: 3 });
    const rf = ageUnderDuty(fast, dutyProfile(duty), 3, { blockDays: 3 }); // one block: the predictor-corrector at work
    const rs = ageUnderDuty(stepped, dutyProfile(duty), 3, { method: 'stepped' });
    expect(rs.soh).toBeLessThan(rs.sohBefore); // it aged at all
    expect(rel(rf.sohBefore - rf.soh, rs.sohBefore - rs.soh)).toBeLessThan(0.01);
    expect(rel(rf.soh, rs.soh)).toBeLessThan(0.01);
    expect(rel(rf.resistanceFactor - rf.resistanceFactorBefore, rs.resistanceFactor - rs.resistanceFactorBefore)).toBeLessThan(0.01);
    expect(rel(rf.efc, rs.efc)).toBeLessThan(0.01);
  });

  it('block size barely matters: 60-day blocks agree with 5-day blocks over a year within 0.1 %', () => {
    const profile = loadPackFixture('tesla-model-s-module');
    const a = new PackModel(profile, { seed: 2 });
    const b = new PackModel(profile, { seed: 2 });
    const ra = ageUnderDuty(a, dutyProfile('full-daily'), 365, { blockDays: 60 });
    const rb = ageUnderDuty(b, dutyProfile('full-daily'), 365, { blockDays: 5 });
    expect(rel(ra.sohBefore - ra.soh, rb.sohBefore - rb.soh)).toBeLessThan(0.001);
    expect(rel(ra.resistanceFactor, rb.resistanceFactor)).toBeLessThan(0.001);
  });

  it('cycles the pack: more cycles age a pack more than standby, and weak cells spread further', () => {
    const profile = loadPackFixture('lfp-lishen-16s-202ah');
    const a = new PackModel(profile, { seed: 1 });
    const b = new PackModel(profile, { seed: 1 });
    const ra = ageUnderDuty(a, dutyProfile('full-daily'), 365);
    const rb = ageUnderDuty(b, dutyProfile('backup-standby'), 365);
    expect(ra.efc).toBeGreaterThan(200); // 0.9 of the nameplate per cycle at SOH 0.8
    expect(rb.efc).toBe(0);
    expect(ra.soh).toBeLessThan(rb.soh);
    expect(rb.soh).toBeLessThan(rb.sohBefore);
    expect(ra.soh - ra.minCellSoh).toBeGreaterThan(0);
  });

  it('puts the electrical state back (the pack comes back aged, where it was)', () => {
    const p = new PackModel(loadPackFixture('tesla-model-s-module'), { initialSoc: 0.63 });
    p.step(10, 5);
    const soc = p.soc.slice();
    const t = p.timeS;
    const ah = p.ahCharged;
    ageUnderDuty(p, DUTY_PROFILES['full-daily']!, 90);
    expect(Array.from(p.soc)).toEqual(Array.from(soc));
    expect(p.timeS).toBe(t);
    expect(p.ahCharged).toBe(ah);
  });

  it('calendar-only duty matches agePack over the same days at the same temperature and SOC', () => {
    const profile = loadPackFixture('lfp-lishen-16s-202ah');
    const a = new PackModel(profile);
    const b = new PackModel(profile);
    ageUnderDuty(a, dutyProfile('backup-standby'), 200);
    agePack(b, [{ days: 200, tempC: 25, soc: 0.95 }]);
    expect(rel(a.soh(), b.soh())).toBeLessThan(1e-4);
  });

  it('refuses unknown duties and bad spans with ConfigError', () => {
    expect(() => dutyProfile('lazy')).toThrow(/unknown duty profile 'lazy' \(have: solar-self-consumption/);
    const p = new PackModel(loadPackFixture('tesla-model-s-module'));
    expect(() => ageUnderDuty(p, dutyProfile('peak-shaving'), -1)).toThrow(ConfigError);
    expect(() => ageUnderDuty(p, { ...dutyProfile('full-daily'), cRate: 0.05 }, 1)).toThrow(/need more than 0.05 C/);
  });
});
