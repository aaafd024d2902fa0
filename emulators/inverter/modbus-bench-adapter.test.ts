import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { SimpleBatteryPort } from './battery-port';
import { INVERTER_FAULTS } from './faults';
import { modbusInverterBenchDevice as inverterBenchDevice } from './modbus-bench-adapter';

// The inverter bench device checks fault specs against the inverter fault schema (compiled on first use).
describe('inverter bench device: fault specs', () => {
  const dev = (): ReturnType<typeof inverterBenchDevice> => inverterBenchDevice({ name: 'inv1', params: { ratedW: 3000 } });

  it('injects and clears a valid fault', () => {
    const d = dev();
    const handle = d.injectFault('grid-voltage', { volts: 260 });
    expect(typeof handle.clear).toBe('function');
    handle.clear();
  });

  it('names the known kinds for an unknown fault, and the bad field for a known one', () => {
    const d = dev();
    expect(() => d.injectFault('meteor', {})).toThrow(ConfigError);
    expect(() => d.injectFault('meteor', {})).toThrow(`inverter 'inv1' has no fault 'meteor' (it takes: ${INVERTER_FAULTS.kinds.join(', ')})`);
    expect(() => d.injectFault('grid-voltag', {})).toThrow(/has no fault 'grid-voltag' \(did you mean 'grid-voltage'\?\)/);
    expect(() => d.injectFault('grid-voltage', {})).toThrow("inverter 'inv1': fault 'grid-voltage': missing field 'volts'");
    expect(() => d.injectFault('grid-voltage', { volts: 230, amps: 3 })).toThrow("unknown field 'amps' (it takes: volts)");
    expect(() => d.injectFault('grid-voltage', { volts: 2000 })).toThrow('volts must be <= 1000');
  });
});

describe('inverter bench device: inputs', () => {
  it('takes the house load behind the site meter (site.load, W) and reads it back; a battery then covers it', () => {
    const d = inverterBenchDevice({ name: 'inv1', params: { ratedW: 3000, siteLoadW: 0, profile: { kind: 'constant', irradiance: 0 } }, battery: new SimpleBatteryPort({ soc: 60 }) });
    d.applyInitial({ 'site.load': 600 });
    expect(d.signal('site.load')).toBe(600);
    expect(d.signalNames()).toContain('site.load');
    for (let i = 0; i < 300; i++) d.step(0.1);
    expect(d.signal('battery.power')).toBeLessThan(-600);
    expect(() => d.setInput('site.load', 'lots')).toThrow(/site.load needs a number/);
  });
});

describe('inverter bench device: vendor maps', () => {
  it('takes a built-in brand map by name and serves every unit id of a multi-unit map, with its connect delay', () => {
    const victron = inverterBenchDevice({ name: 'inv1', map: 'victron-gx', params: { ratedW: 3000 } });
    expect([...victron.modbusUnits!.keys()]).toEqual([100, 227]);
    const huawei = inverterBenchDevice({ name: 'inv2', map: 'huawei-sun2000' });
    expect(huawei.modbusUnits).toBeUndefined(); // one layout (answering 0 and 1 alone): on a bench, the bench's unit id
    expect(huawei.connectDelayS).toBe(1);
    expect(huawei.signal('InWRte')).toBe(100);
  });

  it('a bad map file is a ConfigError at the map file line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmap-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: x\nregisters:\n  - { address: 1, name: a, type: uint16, access: R, mirrors: ac.powr }\n');
    let err: unknown;
    try {
      inverterBenchDevice({ name: 'inv1', map: 'bad.yaml', baseDir: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).location).toBe(`${file}:3:62`);
    expect(() => inverterBenchDevice({ name: 'inv1', map: 'no-such-brand.yaml', baseDir: dir })).toThrow(/cannot read vendor map/);
  });
});
