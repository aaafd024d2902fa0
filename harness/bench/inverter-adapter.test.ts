import { ConfigError } from '../../core/errors';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { inverterBenchDevice } from './inverter-adapter';

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
    expect(() => d.injectFault('meteor', {})).toThrow(/has no fault 'meteor' \(it takes: grid-loss, .*modbus-delay/);
    expect(() => d.injectFault('grid-voltage', {})).toThrow(/inverter fault 'grid-voltage': .*volts/);
    expect(() => d.injectFault('grid-voltage', { volts: 230, amps: 3 })).toThrow(/additional properties 'amps'/);
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
