import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { ExceptionCode } from '../../protocols/modbus/device';
import { SimpleBatteryPort } from './battery-port';
import { constant } from './irradiance';
import { Inverter } from './inverter';
import { loadVendorMap, parseVendorMap } from './vendor-map';
import { VendorMapDevice } from './vendor-map-device';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'inverters', 'example-vendor.yaml');

function errorOf(text: string): ConfigError {
  try {
    parseVendorMap(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('vendor map files', () => {
  it('loads the example fixture', () => {
    const m = loadVendorMap(FIXTURE);
    expect(m.name).toMatch(/fictional/);
    expect(m.registers.find((r) => r.name === 'ac_power')).toMatchObject({ address: 30010, table: 'input', type: 'int32', mirrors: 'ac.power' });
    expect(m.registers.find((r) => r.name === 'active_power_limit')?.location).toMatch(/example-vendor\.yaml:\d+:\d+$/);
  });

  it('reports schema errors with file:line:column', () => {
    const e = errorOf(['name: x', 'registers:', '  - address: 1', '    name: a', '    type: uint17', '    access: R', '    mirrors: ac.power', ''].join('\n'));
    expect(e.message).toMatch(/^m\.yaml:5:11: type must be one of uint16, int16/);
    const u = errorOf(['name: x', 'registers:', '  - { address: 1, name: a, type: uint16, access: R, mirrors: ac.power, colour: red }', ''].join('\n'));
    expect(u.message).toMatch(/^m\.yaml:3:72: unknown field 'colour' \(allowed: address, table, name/);
    expect(errorOf('name: [\n').message).toMatch(/^m\.yaml:\d+:\d+: not valid YAML/);
  });

  it('reports meaning errors: unknown quantity or control, RW without drives, overlaps', () => {
    const text = [
      'name: x',
      'registers:',
      '  - { address: 1, name: a, type: uint32, access: R, mirrors: ac.powr }',
      '  - { address: 2, name: b, type: uint16, access: R, mirrors: ac.power }',
      '  - { address: 9, name: c, type: uint16, access: RW }',
      '  - { address: 10, name: d, type: uint16, access: RW, drives: warp_drive }',
      '',
    ].join('\n');
    const e = errorOf(text);
    expect(e.location).toBe('m.yaml:3:62');
    expect(e.message).toMatch(/unknown quantity 'ac.powr'/);
    expect(e.message).toMatch(/m\.yaml:4:\d+: register 'b' overlaps 'a' at holding address 2/);
    expect(e.message).toMatch(/m\.yaml:5:5: register 'c' is writable \(access RW\) but has neither 'drives' \(a model control\) nor 'initial'/);
    expect(e.message).toMatch(/m\.yaml:6:\d+: unknown control 'warp_drive'/);
  });
});

describe('VendorMapDevice', () => {
  const setup = () => {
    const inv = new Inverter({ profile: constant(800), battery: new SimpleBatteryPort({ soc: 60, maxChargeA: 0 }), seed: 4 }); // takes no charge: all PV is exported
    for (let i = 0; i < 600; i++) inv.step(0.1);
    return { inv, dev: new VendorMapDevice(inv, loadVendorMap(FIXTURE)) };
  };

  it('serves quantities scaled and typed as the map says', () => {
    const { inv, dev } = setup();
    const p = dev.readInputRegisters(30010, 8) as Uint16Array;
    expect((p[0]! << 16) | p[1]!).toBe(Math.round(inv.state.acW));
    expect(p[4]).toBe(2300); // 230.0 V at 0.1
    expect(p[5]).toBe(5000); // 50.00 Hz at 0.01
    expect((dev.readInputRegisters(30054, 1) as Uint16Array)[0]).toBe(60);
    expect((dev.readInputRegisters(30000, 1) as Uint16Array)[0]).toBe(4107);
    expect(dev.readInputRegisters(30003, 1)).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.readHoldingRegisters(30010, 1)).toBe(ExceptionCode.IllegalDataAddress);
  });

  it('drives controls from writes and reads them back; refuses bad writes atomically', () => {
    const { inv, dev } = setup();
    expect(inv.state.acW).toBeGreaterThan(4000);
    expect(dev.writeRegisters(40101, [250, 1])).toBeUndefined(); // 25.0 %, enabled
    for (let i = 0; i < 10; i++) inv.step(0.1);
    expect(inv.state.acW).toBeLessThanOrEqual(1250 + 1e-6);
    expect(Array.from(dev.readHoldingRegisters(40101, 2) as Uint16Array)).toEqual([250, 1]);
    expect(dev.writeRegisters(40101, [300, 7])).toBe(ExceptionCode.IllegalDataValue);
    expect(inv.controls.limitPct).toBe(25);
    expect(dev.writeRegisters(40101, [1001])).toBe(ExceptionCode.IllegalDataValue);
    expect(dev.writeRegisters(40104, [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(40103, [0x10000 - 950])).toBeUndefined(); // PF -0.95
    expect(inv.controls.pfExcitation).toBe('under');
  });
});
