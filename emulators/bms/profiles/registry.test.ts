import { existsSync } from 'node:fs';
import { packagePath } from '../../../core/package-root';
import { listPackFixtures, loadPackFixture } from '../pack/fixtures';
import { bmsProtocol, bmsProtocolNames, bmsProtocols, registerBmsProtocol } from './registry';

describe('BMS protocol registry', () => {
  it('holds every built-in protocol once, each able to start on its transport, its DBCs bundled', () => {
    expect(bmsProtocolNames()).toEqual(expect.arrayContaining(['pylon-lv', 'sma-lv', 'pylon-hv', 'sunspec-802', 'nissan-leaf', 'bmw-i3', 'renault-zoe', 'kia-hyundai-64', 'tesla-legacy', 'orion-bms2', 'daly-can', 'jk-can']));
    expect(new Set(bmsProtocolNames()).size).toBe(bmsProtocolNames().length);
    for (const p of bmsProtocols()) {
      expect({ name: p.name, starts: p.transport === 'can' ? typeof p.attachCan : typeof p.serveModbus }).toEqual({ name: p.name, starts: 'function' });
      expect(p.description.length).toBeGreaterThan(10);
      for (const dbc of [p.dbc, ...Object.values(p.variantDbc ?? {})].filter((x): x is string => x !== undefined)) {
        expect({ name: p.name, dbc, bundled: existsSync(packagePath('data', 'dbc', dbc)) }).toEqual({ name: p.name, dbc, bundled: true });
      }
    }
  });

  it('says which bundled packs a protocol cannot carry (LV CAN: above 327.67 V)', () => {
    const refused = (name: string): string[] => listPackFixtures().filter((id) => bmsProtocol(name)!.refusePack?.(loadPackFixture(id)) !== undefined);
    expect(refused('pylon-lv')).toContain('tesla-model-s-85kwh');
    expect(refused('pylon-lv')).not.toContain('lfp-lishen-16s-202ah');
    expect(refused('pylon-hv')).toEqual([]);
  });

  it('refuses a second protocol of a name, a bad name, and one that cannot start', () => {
    const base = bmsProtocol('jk-can')!;
    expect(() => registerBmsProtocol(base)).toThrow(/'jk-can' is registered already/);
    expect(() => registerBmsProtocol({ ...base, name: 'Bad Name' })).toThrow(/lower-case/);
    const { attachCan: _, ...noAttach } = base;
    expect(() => registerBmsProtocol({ ...noAttach, name: 'no-attach' })).toThrow(/needs attachCan/);
    expect(bmsProtocolNames()).not.toContain('no-attach');
  });
});
