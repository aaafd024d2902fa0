import { packagePath } from '../../core/package-root';
import { loadDbc } from '../../protocols/can/dbc';
import { dbcForBus, WireSignals } from './wire-signals';

describe('WireSignals', () => {
  const db = loadDbc(packagePath('data', 'dbc', 'pylon-lv.dbc'));

  it('reads the last frame of a message, decoded on demand, with counts and age', () => {
    const w = new WireSignals(db);
    expect(w.read('BMS_Protections.ProtectionOverTemperature', 0)).toBeUndefined();
    const f1 = db.encode('BMS_Protections', { ProtectionOverTemperature: 0, PackCount: 1, MarkerP: 0x50, MarkerN: 0x4e }, { allowMissing: true });
    const f2 = db.encode('BMS_Protections', { ProtectionOverTemperature: 1, PackCount: 1, MarkerP: 0x50, MarkerN: 0x4e }, { allowMissing: true });
    w.record({ ...f1, timestamp: 1000 });
    expect(w.read('BMS_Protections.ProtectionOverTemperature', 1000)).toBe(0);
    w.record({ ...f2, timestamp: 2000 });
    expect(w.read('BMS_Protections.ProtectionOverTemperature', 2500)).toBe(1);
    expect(w.read('BMS_Protections.count', 2500)).toBe(2);
    expect(w.read('BMS_Protections.age', 2500)).toBe(0.5);
    expect(w.read('INV_Heartbeat.count', 2500)).toBe(0);
  });

  it('knows the DBC names, and finds the DBC from the BMS protocol on a bus', () => {
    const w = new WireSignals(db);
    expect(w.knows('BMS_Limits.ChargeCurrentLimit')).toBe(true);
    expect(w.knows('BMS_Limits.Nope')).toBe(false);
    expect(w.knows('Nope.count')).toBe(false);
    expect(dbcForBus(undefined, '.', ['pylon-lv'])?.findMessage('BMS_Limits')).toBeDefined();
    expect(dbcForBus(undefined, '.', ['sunspec-802'])).toBeUndefined();
  });

  it('takes the DBC of a protocol variant that has its own layout, else its protocol\'s', () => {
    const be = dbcForBus(undefined, '.', ['sma-lv/sma-bigendian'])!;
    expect(be.getMessage(0x351).signals.every((s) => s.byteOrder === 'big_endian')).toBe(true);
    const le = dbcForBus(undefined, '.', ['sma-lv/sma'])!;
    expect(le.getMessage(0x351).signals.every((s) => s.byteOrder === 'little_endian')).toBe(true);
    expect(dbcForBus(undefined, '.', ['pylon-hv/pylon-discharge-positive'])?.findMessage('BMS_Limits')).toBeDefined();
  });
});
