import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { listPackFixtures, loadPackFixture } from './fixtures';
import { PackModel } from './pack-model';
import { loadPackProfile, parsePackProfile } from './profile-schema';

const leaf = loadPackFixture('nissan-leaf-24kwh');
const clone = (): Record<string, any> => JSON.parse(JSON.stringify(leaf));

describe('pack profiles', () => {
  it('ships at least four valid second-life profiles covering LMO, NMC, NCA and LFP', () => {
    const ids = listPackFixtures();
    expect(ids).toEqual(expect.arrayContaining(['nissan-leaf-24kwh', 'bmw-i3-60ah', 'tesla-model-s-module', 'lfp-lishen-16s-202ah']));
    const chem = new Set(ids.map((id) => loadPackFixture(id).chemistry));
    expect([...chem].sort()).toEqual(['LFP', 'LMO', 'NCA', 'NMC']);
  });

  it.each([
    ['nissan-leaf-24kwh', 96, 360, 403],
    ['bmw-i3-60ah', 96, 330, 400],
    ['tesla-model-s-module', 6, 21, 25.2],
    ['lfp-lishen-16s-202ah', 16, 51, 57.6],
  ])('%s builds a pack whose voltage at 50-100 %% SOC fits its nameplate', (id, series, vMid, vFull) => {
    const p = loadPackFixture(id);
    const pack = new PackModel(p, { seed: 1 });
    expect(pack.series).toBe(series);
    pack.setSoc(0.5);
    expect(pack.packVoltage).toBeGreaterThan(vMid * 0.95);
    pack.setSoc(1);
    expect(pack.packVoltage).toBeLessThan(vFull * 1.05);
  });

  it('names the path of a missing source', () => {
    const bad = clone();
    delete bad.sources['cell.massKg'];
    expect(() => parsePackProfile(bad, 'x.json')).toThrow(/x\.json: .*cell\.massKg: no entry in 'sources'/s);
  });

  it('reports schema errors with dotted paths and all at once', () => {
    const bad = clone();
    bad.topology.series = 0;
    bad.cell.colour = 'blue';
    bad.aging.model = 'magic';
    let err: unknown;
    try {
      parsePackProfile(bad, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/topology\.series must be >= 1/);
    expect(msg).toMatch(/unknown property 'colour' in cell \(expected one of: capacityAh, ocv, /);
    expect(msg).toMatch(/aging\.model must be one of: /);
  });

  it('checks meaning: hysteresis direction, curves, topology', () => {
    const bad = clone();
    bad.bms.cellVoltageHigh.alarmClear = 4.3;
    bad.bms.derating.chargeVsTemp = [[10, 1], [5, 0.5]];
    bad.topology.seriesPerModule = 5;
    expect(() => parsePackProfile(bad)).toThrow(/alarmClear \(4\.3\) must be below alarm/);
    expect(() => parsePackProfile(bad)).toThrow(/chargeVsTemp\[1\]: x must increase/);
    expect(() => parsePackProfile(bad)).toThrow(/seriesPerModule \(5\) must divide topology\.series \(96\)/);
  });

  it('loads files with clear errors for unreadable or non-JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'packs-'));
    try {
      const f = join(dir, 'broken.json');
      writeFileSync(f, '{ "id": ');
      expect(() => loadPackProfile(f)).toThrow(/broken\.json: not valid JSON/);
      expect(() => loadPackProfile(join(dir, 'nope.json'))).toThrow(/nope\.json: cannot read pack profile/);
      const ok = join(dir, 'ok.json');
      writeFileSync(ok, JSON.stringify(leaf));
      expect(loadPackProfile(ok).id).toBe('nissan-leaf-24kwh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown fixture id, listing the known ones', () => {
    expect(() => loadPackFixture('zoe')).toThrow(/unknown pack profile 'zoe' \(known: .*nissan-leaf-24kwh/);
  });
});
