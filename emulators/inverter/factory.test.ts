import { join } from 'node:path';
import { SimpleBatteryPort } from './battery-port';
import { checkInverterParams, createInverterDevice, timeOfDay } from './factory';
import { OperatingState } from './inverter-types';

describe('createInverterDevice', () => {
  it('builds a SunSpec inverter from bench parameters and answers signals by quantity, control and point', () => {
    const d = createInverterDevice({
      name: 'inv1',
      params: { ratedW: 8000, phases: 'three', strings: [{ modules: 12 }, { modules: 12 }], profile: { kind: 'constant', irradiance: 900 }, sunspecBase: 0 },
      battery: new SimpleBatteryPort(),
    });
    for (let i = 0; i < 600; i++) d.step(0.1);
    expect(d.inverter.state.state).toBe(OperatingState.Mppt);
    expect(d.signal('ac.power')).toBeCloseTo(d.inverter.state.acW, 9);
    expect(d.signal('W')).toBe(Math.round(d.inverter.state.acW));
    expect(d.signal('103.PhVphA')).toBe(230);
    expect(d.signal('limit_pct')).toBe(100);
    expect(d.signal('WMaxLim_Ena')).toBe(0);
    expect(d.signal('nope')).toBeUndefined();
    expect(Array.from(d.modbus.readHoldingRegisters!(0, 2) as ArrayLike<number>)).toEqual([0x5375, 0x6e53]);
  });

  it('builds a vendor-map inverter relative to the bench directory', () => {
    const d = createInverterDevice({ name: 'inv2', map: 'inverters/example-vendor.yaml', baseDir: join(__dirname, '..', '..', 'data'), params: { profile: { kind: 'cloudy', seed: 3 }, startTime: '11:30' } });
    for (let i = 0; i < 300; i++) d.step(0.1);
    expect(d.signal('ac_power')).toBeCloseTo(d.inverter.state.acW, 9);
    expect(d.signal('device_type')).toBe(4107);
    expect(d.inverter.state.timeOfDay).toBeCloseTo(11.5 * 3600 + 30, 6);
  });

  it('reports every bad parameter with its path', () => {
    expect(checkInverterParams({ ratedW: -1, phases: 'four', strings: [{ modules: 0 }], colour: 'red' }).map((p) => p.path).sort()).toEqual(
      ['/colour', '/phases', '/ratedW', '/strings/0/modules'].sort(),
    );
    expect(checkInverterParams({ profile: { kind: 'constant' } })).toEqual([{ path: '/profile', message: "profile kind 'constant' needs 'irradiance'" }]);
    expect(() => createInverterDevice({ name: 'bad', params: { ratedW: 'lots' } })).toThrow(/inverter 'bad': params\.ratedW: must be number/);
    expect(timeOfDay('06:30')).toBe(6.5 * 3600);
  });
});
