import Ajv from 'ajv';
import { INVERTER_FAULTS } from './faults';
import { Inverter } from './inverter';
import { constant } from './irradiance';

describe('inverter fault specs', () => {
  const validate = new Ajv().compile(INVERTER_FAULTS.schema());

  it('the schema accepts every kind the model accepts, and the model accepts each', () => {
    const samples = [
      { kind: 'grid-loss' },
      { kind: 'grid-voltage', volts: 260 },
      { kind: 'grid-frequency', hz: 51.8 },
      { kind: 'anti-islanding' },
      { kind: 'fault-code', events: ['GROUND_FAULT', 'OVER_TEMP'], vendorCode: 17 },
      { kind: 'over-temperature', heatsinkC: 80 },
      { kind: 'battery-comms-loss' },
      { kind: 'ignore-commands' },
      { kind: 'slow-commands', delayS: 3 },
    ];
    expect(samples.map((s) => s.kind).sort()).toEqual([...INVERTER_FAULTS.kinds].sort());
    const inv = new Inverter({ profile: constant(500) });
    for (const s of samples) {
      expect(validate(s)).toBe(true);
      const h = inv.injectFault(s as never);
      inv.step(0.1);
      h.clear();
      expect(h.active).toBe(false);
    }
  });

  it('the schema rejects unknown kinds, missing and unknown fields, unknown event names', () => {
    expect(validate({ kind: 'meteor' })).toBe(false);
    expect(validate({ kind: 'grid-voltage' })).toBe(false);
    expect(validate({ kind: 'grid-loss', volts: 3 })).toBe(false);
    expect(validate({ kind: 'fault-code', events: ['NOPE'] })).toBe(false);
  });
});
