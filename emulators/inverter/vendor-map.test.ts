import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { ExceptionCode } from '../../protocols/modbus/device';
import { SimpleBatteryPort } from './battery-port';
import { constant } from './irradiance';
import { Inverter } from './inverter';
import { loadVendorMap, parseVendorMap } from './vendor-map';
import { VendorMapDevice, vendorMapUnits } from './vendor-map-device';
import { VENDOR_MAP_SCHEMA } from './vendor-map-schema';

const FIXTURE = join(__dirname, '..', '..', 'data', 'inverters', 'example-vendor.yaml');

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
    expect(e.message).toMatch(/^m\.yaml:5:11: type must be one of: uint16, int16/);
    const u = errorOf(['name: x', 'registers:', '  - { address: 1, name: a, type: uint16, access: R, mirrors: ac.power, colour: red }', ''].join('\n'));
    expect(u.message).toMatch(/^m\.yaml:3:72: unknown field 'colour' \(expected one of: address, table, name/);
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

describe('vendor map format: layout features', () => {
  const inverter = () => {
    const inv = new Inverter({ profile: constant(800), battery: new SimpleBatteryPort({ soc: 60 }), seed: 4, identity: { serial: 'AB12345678' } });
    for (let i = 0; i < 100; i++) inv.step(0.1);
    return inv;
  };

  it('1-based files: the wire address is the number minus one; a 0 in a 1-based file is an error', () => {
    const m = parseVendorMap(['name: x', 'addressBase: 1', 'documentBase: 1', 'registers:', '  - { address: 40001, name: a, type: uint16, access: R, constant: 7 }', ''].join('\n'), 'm.yaml');
    expect(m.registers[0]!.address).toBe(40000);
    const dev = new VendorMapDevice(inverter(), m);
    expect(Array.from(dev.readHoldingRegisters(40000, 1) as Uint16Array)).toEqual([7]);
    expect(errorOf(['name: x', 'addressBase: 1', 'registers:', '  - { address: 0, name: a, type: uint16, access: R, constant: 7 }', ''].join('\n')).message).toMatch(/^m\.yaml:4:\d+: address 0 is below 1/);
  });

  it('per-register word order, negative scale, strings, bit fields, enum reads and a scale register', () => {
    const text = [
      'name: x',
      'wordOrder: big',
      'enums: { st: { running: 0x0200, sleeping: 0x0002, standby: 3, starting: 4, throttled: 5, fault: 6, off: 7, shutting-down: 8 } }',
      'registers:',
      '  - { address: 0, name: p_big, type: int32, access: R, mirrors: ac.power }',
      '  - { address: 2, name: p_little, type: int32, wordOrder: little, access: R, mirrors: ac.power }',
      '  - { address: 4, name: bat_flipped, type: int16, scale: -1, access: R, mirrors: battery.power }',
      '  - { address: 5, name: serial, type: string, length: 6, access: R, mirrors: identity.serial }',
      '  - { address: 11, name: flags, type: uint16, access: R, bits: { 0: pv.generating, 1: battery.charging, 2: battery.discharging } }',
      '  - { address: 12, name: state, type: uint16, access: R, mirrors: state.operating, enum: st }',
      '  - { address: 13, name: v_sf, type: int16, access: R, constant: -1 }',
      '  - { address: 14, name: v, type: uint16, scaleRegister: v_sf, access: R, mirrors: ac.voltage }',
      '',
    ].join('\n');
    const inv = inverter();
    const dev = new VendorMapDevice(inv, parseVendorMap(text, 'm.yaml'));
    const w = Array.from(dev.readHoldingRegisters(0, 15) as Uint16Array);
    const acW = Math.round(inv.state.acW);
    expect(w.slice(0, 2)).toEqual([acW >>> 16, acW & 0xffff]);
    expect(w.slice(2, 4)).toEqual([acW & 0xffff, acW >>> 16]);
    expect(((w[4]! << 16) >> 16)).toBe(-Math.round(inv.state.batteryW));
    expect(Buffer.from(w.slice(5, 11).flatMap((x) => [x >> 8, x & 0xff])).toString('latin1')).toBe('AB12345678\0\0');
    expect(w[11]).toBe(1 | (inv.state.batteryW > 1 ? 2 : 0));
    expect(w[12]).toBe(0x0200);
    expect(w[14]).toBe(2300);
  });

  it('per-unit-id layouts, shared tables and read/write limits', () => {
    const text = [
      'name: x',
      'tables: shared',
      'limits: { maxReadRegisters: 2, maxWriteRegisters: 1, overLimitException: 2 }',
      'units:',
      '  - { ids: [100], registers: [ { address: 0, name: a, type: uint16, access: R, constant: 1 }, { address: 1, name: b, type: uint16, access: R, constant: 2 }, { address: 2, name: c, type: uint16, access: R, constant: 3 } ] }',
      '  - { ids: [227, 228], registers: [ { address: 0, name: s, type: uint16, access: RW, initial: 5 }, { address: 1, name: t, type: uint16, access: RW, initial: 6 } ] }',
      '',
    ].join('\n');
    const m = parseVendorMap(text, 'm.yaml');
    expect(m.limits.unitIds).toEqual([100, 227, 228]);
    const { units } = vendorMapUnits(inverter(), m);
    expect([...units.keys()]).toEqual([100, 227, 228]);
    expect(Array.from(units.get(100)!.readInputRegisters!(0, 2) as Uint16Array)).toEqual([1, 2]);
    expect(units.get(100)!.readHoldingRegisters!(0, 3)).toBe(ExceptionCode.IllegalDataAddress); // over the limit: exception 2 as declared
    expect(units.get(228)!.writeRegisters!(0, [9, 9])).toBe(ExceptionCode.IllegalDataAddress);
    expect(units.get(228)!.writeRegisters!(0, [9])).toBeUndefined();
    expect(Array.from(units.get(227)!.readHoldingRegisters!(0, 2) as Uint16Array)).toEqual([9, 6]); // one setting store
  });

  it('reports format mistakes with file:line:column: strings, enums, settings, behaviour references', () => {
    const text = [
      'name: x',
      'enums: { mode: { auto: 0, forced: 2 } }',
      'registers:',
      '  - { address: 0, name: s, type: string, access: R, constant: abc }',
      '  - { address: 10, name: m, type: uint16, access: RW, enum: mode, initial: 1 }',
      '  - { address: 11, name: e, type: uint16, access: R, mirrors: state.operating }',
      'behaviour:',
      '  mode: { setting: m, map: { auto: auto, turbo: command } }',
      '  command: { setting: nope, charge: 1 }',
      '',
    ].join('\n');
    const e = errorOf(text);
    expect(e.message).toMatch(/m\.yaml:4:5: register 's' is a string: give its length/);
    expect(e.message).toMatch(/m\.yaml:5:\d+: initial 1 is not a value of enum 'mode'/);
    expect(e.message).toMatch(/m\.yaml:6:\d+: quantity 'state.operating' is an enumeration .*give an 'enum' table/);
    expect(e.message).toMatch(/m\.yaml:8:\d+: 'turbo' is not in enum 'mode' \(auto, forced\)/);
    expect(e.message).toMatch(/m\.yaml:9:\d+: 'nope' is not a setting/);
    expect(e.message).toMatch(/a charge command needs 'power' or 'chargePower'/);
    expect(errorOf(['name: x', 'registers:', '  - { address: 0, name: a, type: uint16, access: R, constant: 1 }', 'behaviour: { rampS: -1 }', ''].join('\n')).message).toMatch(/^m\.yaml:4:\d+: rampS must be >= 0/);
  });

  it('reports sunspec and periods mistakes with file:line:column', () => {
    const text = [
      'name: x',
      'addressBase: 1',
      'sunspec:',
      '  base: 40001',
      '  models: [103, 1, 103, 160]',
      '  scaleFactors: { 124.ChaState_SF: -2 }',
      'registers:',
      '  - { address: 100, name: start, type: uint16, access: RW, initial: 0 }',
      'behaviour:',
      '  periods:',
      '    enable: { setting: start, on: 1 }',
      '    list:',
      '      - { start: start, end: { hour: h, minute: start }, action: charge, soc: nope }',
      '',
    ].join('\n');
    const e = errorOf(text);
    expect(e.message).toMatch(/m\.yaml:5:\d+: a SunSpec chain starts with model 1/);
    expect(e.message).toMatch(/m\.yaml:5:\d+: model 103 is listed twice/);
    expect(e.message).toMatch(/m\.yaml:6:\d+: '124.ChaState_SF': model 124 is not in 'models'/);
    expect(e.message).toMatch(/m\.yaml:13:\d+: 'h' is not a setting/);
    expect(e.message).toMatch(/m\.yaml:13:\d+: 'nope' is not a setting/);
    expect(errorOf(['name: x', 'sunspec: { base: 40000, models: [1, 999] }', 'registers:', '  - { address: 1, name: a, type: uint16, access: R, constant: 1 }', ''].join('\n')).message).toMatch(/^m\.yaml:2:\d+: 1 must be one of:? 1, 101, 102, 103/);
    expect(
      errorOf(['name: x', 'registers: [{ address: 1, name: a, type: uint16, access: RW, initial: 0 }]', 'behaviour: { periods: { enable: { setting: a }, list: [{ start: a, end: a, action: sometimes }] } }', ''].join('\n')).message,
    ).toMatch(/^m\.yaml:3:\d+: /);
  });

  it('a register inside the SunSpec chain is refused when the device is built, naming the register', () => {
    const m = parseVendorMap(['name: x', 'sunspec: { base: 40000, models: [1, 120] }', 'registers:', '  - { address: 40010, name: clash, type: uint16, access: R, constant: 1 }', ''].join('\n'), 'm.yaml');
    const inv = new Inverter({ profile: constant(0) });
    expect(() => vendorMapUnits(inv, m)).toThrow(/m\.yaml:4:5.*register 'clash' lies inside the SunSpec chain \(wire 40000-40099\)/s);
  });

  it('the published JSON Schema file is the one the loader uses (npm run schema:vendor-map rewrites it)', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'inverters', 'vendor-map.schema.json'), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(VENDOR_MAP_SCHEMA)));
  });
});

describe('vendor behaviour: settings drive the model', () => {
  const text = [
    'name: x',
    'enums: { mode: { auto: 0, forced: 2 }, cmd: { charge: 0xAA, discharge: 0xBB, stop: 0xCC } }',
    'registers:',
    '  - { address: 0, name: mode, type: uint16, access: RW, enum: mode, initial: 0 }',
    '  - { address: 1, name: cmd, type: uint16, access: RW, enum: cmd, initial: 0xCC }',
    '  - { address: 2, name: power, type: uint16, unit: W, access: RW, initial: 0, max: 5000 }',
    '  - { address: 3, name: period, type: uint16, unit: s, access: RW, initial: 0 }',
    'behaviour:',
    '  rampS: 4',
    '  mode: { setting: mode, map: { auto: auto, forced: command } }',
    '  command: { setting: cmd, charge: charge, discharge: discharge, stop: stop, power: power }',
    '  timeout: { setting: period, watch: [cmd], revert: { cmd: stop, mode: auto } }',
    '',
  ].join('\n');
  const setup = () => {
    const battery = new SimpleBatteryPort({ soc: 50, maxChargeA: 200, maxDischargeA: 200 });
    const inv = new Inverter({ profile: constant(0), battery, seed: 2, siteLoadW: 300 });
    const dev = new VendorMapDevice(inv, parseVendorMap(text, 'm.yaml'));
    const run = (s: number) => {
      for (let i = 0; i < s * 10; i++) {
        dev.engine.tick();
        inv.step(0.1);
      }
    };
    run(10);
    return { inv, dev, run };
  };

  it('forced charge reaches the commanded power over the ramp; stop in forced mode holds the battery idle', () => {
    const { inv, dev, run } = setup();
    expect(inv.state.batteryW).toBeLessThan(-250); // auto: covers the house load
    expect(dev.writeRegisters(0, [2, 0xaa, 2000])).toBeUndefined();
    run(1);
    expect(inv.state.batteryW).toBeGreaterThan(0);
    expect(inv.state.batteryW).toBeLessThan(1500); // still ramping (4 s)
    run(4);
    expect(inv.state.batteryW).toBeCloseTo(2000, 0);
    expect(dev.writeRegisters(1, [0xcc])).toBeUndefined();
    run(5);
    expect(Math.abs(inv.state.batteryW)).toBeLessThan(1);
  });

  it('a timeout from a setting reverts the command when no watched write comes in time', () => {
    const { inv, dev, run } = setup();
    expect(dev.writeRegisters(0, [2, 0xbb, 1000, 30])).toBeUndefined();
    run(25);
    expect(inv.state.batteryW).toBeCloseTo(-1000, 0);
    expect(dev.engine.timeoutRemainingS).toBeCloseTo(5, 0);
    run(10);
    expect(Array.from(dev.readHoldingRegisters(0, 2) as Uint16Array)).toEqual([0, 0xcc]);
    expect(inv.state.batteryW).toBeLessThan(-250); // auto again
    expect(dev.engine.timeoutRemainingS).toBeUndefined();
  });
});
