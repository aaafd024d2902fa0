import { decimalsOf, formatValue, roundTo, signalUnit } from './signal-units';

describe('signal units', () => {
  it('knows BMS signals with the resolution the battery CAN carries, whatever the device is called', () => {
    expect(signalUnit('pack2.current')).toEqual({ unit: 'A', resolution: 0.1 });
    expect(signalUnit('garage-bms.voltage')).toEqual({ unit: 'V', resolution: 0.01 });
    expect(signalUnit('pack1.cell.voltage.min')).toEqual({ unit: 'V', resolution: 0.001 });
    expect(signalUnit('pack1.alarm.overTemperature')).toEqual({ unit: '', boolean: true });
  });

  it('knows inverter quantities and controls, and SunSpec points from the bundled models (units trimmed)', () => {
    expect(signalUnit('inv1.pv2.power')?.unit).toBe('W');
    expect(signalUnit('inv1.ac.energy_exported')?.unit).toBe('Wh');
    expect(signalUnit('inv1.irradiance')?.unit).toBe('W/m²');
    expect(signalUnit('inv2.WMaxLimPct')).toEqual({ unit: '% WMax' });
    // model_124.json spells it " % WChaMax"
    expect(signalUnit('inv2.InWRte')).toEqual({ unit: '% WChaMax' });
    expect(signalUnit('inv2.124.OutWRte')).toEqual({ unit: '% WDisChaMax' });
  });

  it('knows the bench signals: Modbus write counts, and CAN wire signals by the bundled DBCs', () => {
    expect(signalUnit('modbus.site.illegalWrites')).toEqual({ unit: 'writes', resolution: 1 });
    expect(signalUnit('can.pack1.BMS_Limits.ChargeCurrentLimit')).toEqual({ unit: 'A', resolution: 0.1 });
    expect(signalUnit('can.pack1.BMS_Protections.ProtectionOverTemperature')).toEqual({ unit: '', boolean: true });
    expect(signalUnit('can.pack1.BMS_Limits.count')).toEqual({ unit: 'frames', resolution: 1 });
    expect(signalUnit('can.pack1.NoSuchMessage.X')).toBeUndefined();
  });

  it('says nothing about a name it does not know, rather than guess', () => {
    expect(signalUnit('pack1.tempLimit')).toBeUndefined();
    expect(signalUnit('nodot')).toBeUndefined();
  });

  it('rounds values to their resolution and prints their unit', () => {
    expect(decimalsOf(0.1)).toBe(1);
    expect(decimalsOf(0.001)).toBe(3);
    expect(decimalsOf(5)).toBe(0);
    expect(roundTo(136.06222581317786, 0.1)).toBe(136.1);
    expect(formatValue(136.06222581317786, signalUnit('pack2.current'))).toBe('136.1 A');
    expect(formatValue(19.71433356016099, signalUnit('pack2.chargeCurrentLimit'))).toBe('19.7 A');
    expect(formatValue(1, signalUnit('pack2.alarm.any'))).toBe('true');
    expect(formatValue(undefined, signalUnit('pack2.current'))).toBe('(no value)');
    expect(formatValue(3.14159265, undefined)).toBe('3.142');
  });
});
