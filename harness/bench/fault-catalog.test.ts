import { BMS_FAULT_KINDS } from '../../emulators/bms/factory';
import { INVERTER_FAULT_KINDS } from '../../emulators/inverter/faults';
import { faultCatalog } from './fault-catalog';
import { MODBUS_FAULT_KINDS, MODBUS_FAULT_PARAMS, modbusFaultRule } from './modbus-faults';

describe('faultCatalog', () => {
  it('has every kind the emulators declare, and the Modbus kinds only for devices on a Modbus endpoint', () => {
    expect(faultCatalog('bms', false).map((k) => k.kind)).toEqual([...BMS_FAULT_KINDS]);
    expect(faultCatalog('inverter', false).map((k) => k.kind)).toEqual([...INVERTER_FAULT_KINDS]);
    expect(faultCatalog('inverter', true).map((k) => k.kind)).toEqual([...INVERTER_FAULT_KINDS, ...MODBUS_FAULT_KINDS]);
  });

  it('reads parameters, required ones and allowed values from the schemas', () => {
    const bms = faultCatalog('bms', false);
    expect(bms.find((k) => k.kind === 'self-heating')!.params).toEqual([
      { name: 'cell', type: 'integer', required: true },
      { name: 'watts', type: 'number', required: true },
      { name: 'doublingK', type: 'number', required: false },
      { name: 'maxWatts', type: 'number', required: false },
    ]);
    expect(bms.find((k) => k.kind === 'sensor-stuck')!.params[0]).toEqual({
      name: 'sensor',
      type: 'string',
      required: true,
      values: ['cell-voltage', 'temperature', 'current', 'pack-voltage'],
    });
    const events = faultCatalog('inverter', false).find((k) => k.kind === 'fault-code')!.params[0]!;
    expect(events).toMatchObject({ name: 'events', type: 'array', required: true });
    expect(events.values).toContain('GROUND_FAULT');
  });

  it('declares the Modbus parameters modbusFaultRule reads: required ones are required, the others accepted', () => {
    for (const kind of MODBUS_FAULT_KINDS) {
      const params = MODBUS_FAULT_PARAMS[kind];
      const all = Object.fromEntries(params.map((p) => [p.name, p.type === 'object' ? { from: 0, to: 9 } : 1]));
      expect(() => modbusFaultRule(kind, all, 1)).not.toThrow();
      for (const p of params.filter((x) => x.required)) {
        const { [p.name]: _, ...without } = all;
        expect(() => modbusFaultRule(kind, without, 1)).toThrow(`needs a number '${p.name}'`);
      }
    }
  });
});
