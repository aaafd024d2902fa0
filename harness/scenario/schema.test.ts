import { BMS_FAULTS } from '../../emulators/bms/faults';
import { INVERTER_FAULTS } from '../../emulators/inverter/faults';
import { MODBUS_FAULTS } from '../bench/modbus-faults';
import { scenarioSchema } from './schema';

describe('scenario schema', () => {
  it('names every fault kind of the registries for editors, once each', () => {
    const kinds = scenarioSchema.properties.timeline.items.properties.fault.properties.kind.examples;
    expect([...kinds].sort()).toEqual([...new Set([...BMS_FAULTS.kinds, ...INVERTER_FAULTS.kinds, ...MODBUS_FAULTS.kinds])].sort());
    expect(kinds).toContain('self-heating');
    expect(kinds).toContain('slow-commands');
    expect(kinds).toContain('modbus-delay');
  });
});
