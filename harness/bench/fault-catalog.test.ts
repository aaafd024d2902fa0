import { BMS_FAULTS } from '../../emulators/bms/faults';
import { INVERTER_FAULTS } from '../../emulators/inverter/faults';
import { faultCatalog, faultKindProblem } from './fault-catalog';
import { MODBUS_FAULTS, modbusFaultRule } from './modbus-faults';

const bms = { name: 'pack1', faults: BMS_FAULTS };
const inverter = { name: 'inv1', faults: INVERTER_FAULTS };

describe('faultCatalog', () => {
  it('has every kind the emulators declare, and the Modbus kinds only for devices on a Modbus endpoint', () => {
    expect(faultCatalog(bms, false).map((k) => k.kind)).toEqual([...BMS_FAULTS.kinds]);
    expect(faultCatalog(inverter, false).map((k) => k.kind)).toEqual([...INVERTER_FAULTS.kinds]);
    expect(faultCatalog(inverter, true).map((k) => k.kind)).toEqual([...INVERTER_FAULTS.kinds, ...MODBUS_FAULTS.kinds]);
  });

  it('reads parameters, required ones, allowed values, units and defaults from the declarations', () => {
    const cat = faultCatalog(bms, false);
    expect(cat.find((k) => k.kind === 'self-heating')!.params.map(({ name, type, required }) => ({ name, type, required }))).toEqual([
      { name: 'cell', type: 'integer', required: true },
      { name: 'watts', type: 'number', required: true },
      { name: 'doublingK', type: 'number', required: false },
      { name: 'maxWatts', type: 'number', required: false },
    ]);
    expect(cat.find((k) => k.kind === 'self-heating')!.params[3]).toMatchObject({ unit: 'W', default: 5000, minimum: 0, maximum: 1e6 });
    expect(cat.find((k) => k.kind === 'sensor-stuck')!.params[0]).toMatchObject({
      name: 'sensor',
      type: 'string',
      required: true,
      values: ['cell-voltage', 'temperature', 'current', 'pack-voltage'],
    });
    expect(cat.every((k) => (k.description ?? '').length > 0)).toBe(true);
    const events = faultCatalog(inverter, false).find((k) => k.kind === 'fault-code')!.params[0]!;
    expect(events).toMatchObject({ name: 'events', type: 'array', required: true });
    expect(events.values).toContain('GROUND_FAULT');
  });

  it('declares the Modbus parameters modbusFaultRule reads: required ones are required, the others accepted, ranges enforced', () => {
    for (const info of MODBUS_FAULTS.catalog()) {
      const all = Object.fromEntries(info.params.map((p) => [p.name, p.type === 'object' ? { from: 0, to: 9 } : 1]));
      expect(() => modbusFaultRule(info.kind, all, 1)).not.toThrow();
      for (const p of info.params.filter((x) => x.required)) {
        const { [p.name]: _, ...without } = all;
        expect(() => modbusFaultRule(info.kind, without, 1)).toThrow(`needs a number '${p.name}'`);
        expect(() => modbusFaultRule(info.kind, { ...all, [p.name]: p.maximum! + 1 }, 1)).toThrow(`is not ${p.minimum}..${p.maximum}`);
      }
    }
  });
});

describe('faultKindProblem', () => {
  it('says what is close and what the device takes, Modbus kinds included only on a Modbus endpoint', () => {
    expect(faultKindProblem(bms, false, 'self-heating')).toBeUndefined();
    expect(faultKindProblem(bms, false, 'self-heat')).toBe(`device 'pack1' has no fault 'self-heat' (did you mean 'self-heating'?) (it takes: ${BMS_FAULTS.kinds.join(', ')})`);
    expect(faultKindProblem(inverter, true, 'modbus-dely')).toContain(`(did you mean 'modbus-delay'?) (it takes: ${[...INVERTER_FAULTS.kinds, ...MODBUS_FAULTS.kinds].join(', ')})`);
    expect(faultKindProblem(inverter, true, 'modbus-delay')).toBeUndefined();
    expect(faultKindProblem(bms, false, 'modbus-delay')).toMatch(/is not on a Modbus endpoint/);
  });
});
