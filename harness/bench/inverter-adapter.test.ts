import { ConfigError } from '../../core/errors';
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
