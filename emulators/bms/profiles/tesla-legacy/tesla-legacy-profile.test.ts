/**
 * The Tesla Model S/X (pre-2021) BMS profile, read back by a controller-side decoder written from the cited source only
 * (examples/controllers/tesla-legacy-vehicle/tesla-legacy-decoder.ts) and by the DBC.
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import { TeslaLegacyVehicle, type TeslaLegacyVehicleOptions } from '../../../../examples/controllers/tesla-legacy-vehicle/controller';
import { decodeTeslaLegacyFrame, type TeslaLegacyReading } from '../../../../examples/controllers/tesla-legacy-vehicle/tesla-legacy-decoder';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs, silenceVehicle } from '../../../../test/support/native-pack-rig';
import { emptySnapshot } from '../../device/snapshot';
import { attachTeslaLegacy } from './tesla-legacy-profile';
import { BMS_STATE, CELL_LSB_V, CONTACTOR, TeslaLegacyFrameEncoder } from './tesla-legacy-frames';

const db = loadDbc(join(__dirname, '../../../../data/dbc/tesla-legacy.dbc'));

const rig = nativeRigs((o: TeslaLegacyVehicleOptions = {}) => ({
  packId: 'tesla-model-s-85kwh',
  seed: 8,
  attach: (dev, bus) => attachTeslaLegacy(dev, bus),
  vehicle: (bus, clock) => new TeslaLegacyVehicle('pack1', bus, clock, o),
}));

describe('Tesla Model S/X legacy BMS profile', () => {
  it('every frame: the decoder (from BE) and the DBC read the encoder the same way', () => {
    const s = emptySnapshot();
    Object.assign(s, { packVoltage: 371.23, current: -123.4, soc: 0.617, cellVMax: 3.902, cellVMin: 3.84, cellTMax: 31.5, cellTMin: -2, insulationKOhm: 1234, energyInWh: 5_000_123, energyOutWh: 4_900_456, chargeVoltageLimit: 403.2, dischargeVoltageLimit: 297.6, chargeCurrentLimit: 150.3, dischargeCurrentLimit: 600 });
    const enc = new TeslaLegacyFrameEncoder();
    const cells = Float64Array.from({ length: 96 }, (_, i) => 3.5 + i * 0.0071);
    const r: TeslaLegacyReading = { cells: [], minMaxSeen: false };
    const frames = [enc.hvBus102(s), enc.limits202(s), enc.status212(s, { contactor: CONTACTOR.closed, state: BMS_STATE.drive, hvilFault: false, faultCategory: 0 }), enc.soc302(s), enc.minMax332(s), enc.energy3D2(s), enc.hwId5D2(24), enc.cac7E2(221.5)];
    for (let m = 0; m < 24; m++) frames.push(enc.cells6F2(m, cells));
    for (const f of frames) decodeTeslaLegacyFrame(f.id, f.data, r);
    expect(r).toMatchObject({ contactorState: 4, bmsState: 1, hvilStatus: 0, hvilOn: 1, faultCategory: 0, isolationKOhm: 1240, hardwareId: 24, tempMax: 31.5, tempMin: -2, minMaxSeen: true });
    expect(r.voltage).toBeCloseTo(371.23, 6);
    expect(r.current).toBeCloseTo(-123.4, 6);
    expect(r.soc).toBeCloseTo(61.7, 6);
    expect(r.cellMax).toBeCloseTo(3.902, 6);
    expect(r.cellMin).toBeCloseTo(3.84, 6);
    expect(r.maxChargeA).toBeCloseTo(150.3, 6);
    expect(Math.abs(r.maxDischargeA! - 600)).toBeLessThanOrEqual(0.064);
    expect(r.totalChargeKwh).toBeCloseTo(5000.123, 6);
    expect(r.soh).toBeCloseTo((2215 * 10000) / 2316 / 100, 9);
    for (let i = 0; i < 96; i++) expect(Math.abs(r.cells[i]! - cells[i]!)).toBeLessThanOrEqual(CELL_LSB_V / 2 + 1e-12);
    const d = (f: (typeof frames)[number]): Record<string, number | string> => db.decode(f).signals;
    expect(d(frames[0]!).Current).toBeCloseTo(-123.4, 6);
    expect(d(frames[2]!)).toMatchObject({ ContactorState: 4, State: 1, IsolationResistance: 1240 });
    expect(d(frames[4]!).BrickVoltageMax).toBeCloseTo(3.902, 6);
    expect(d(frames[8]!).Cell1 as number).toBeCloseTo(r.cells[1]!, 9);
  });

  it('closes its contactors while the vehicle frames come, and reads back within the resolution, every cell included', async () => {
    const r = await rig();
    r.dev.setCurrent(-40);
    await r.clock.advanceAsync(4000);
    expect(r.dev.snapshot().contactor).toBe('closed');
    r.stepping.on = false;
    await r.clock.advanceAsync(1100);
    const s = r.dev.snapshot();
    const g = r.vehicle.reading;
    expect(g).toMatchObject({ contactorState: CONTACTOR.closed, bmsState: BMS_STATE.drive, hvilStatus: 0, hardwareId: 24 });
    expect(Math.abs(g.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(g.current! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(g.soc! - s.soc * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(g.cellMax! - s.cellVMax)).toBeLessThanOrEqual(0.001 + 1e-9);
    expect(Math.abs(g.cellMin! - s.cellVMin)).toBeLessThanOrEqual(0.001 + 1e-9);
    expect(Math.abs(g.tempMax! - s.cellTMax)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(g.isolationKOhm! - Math.min(s.insulationKOhm, 5100))).toBeLessThanOrEqual(10 + 1e-9); // u8 x 20 kOhm saturates
    expect(Math.abs(g.soh! - (s.fullChargeAh / 231.6) * 100)).toBeLessThanOrEqual(0.05);
    const cells = r.dev.measuredCellVoltages();
    expect(g.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(g.cells[i]! - cells[i]!)).toBeLessThanOrEqual(CELL_LSB_V / 2 + 1e-9);
    const count = (id: number): number => r.wire.filter((f) => f.id === id && f.timestamp! >= 2000 && f.timestamp! < 4000).length;
    expect([0x102, 0x212, 0x332, 0x3d2, 0x6f2, 0x408, 0x21c].map(count)).toEqual([20, 20, 20, 2, 200, 2, 20]);
  });

  it('the vehicle goes silent: contactors open within 0.5 s of the status frames stopping, asleep 10 s after 0x408, awake again on the next', async () => {
    const r = await rig();
    const t = await silenceVehicle(r, 4000, 600);
    expect(r.attachment.vehicleLost).toBe(true);
    expect(r.dev.snapshot().contactor).toBe('open');
    expect(r.vehicle.reading.contactorState).toBe(CONTACTOR.open);
    await r.clock.advanceAsync(10_000);
    expect(r.attachment.awake).toBe(false);
    expect(framesSince(r.wire, t + 11_000, 0x102)).toHaveLength(0);
    await r.vehicleBus.send({ id: 0x408, extended: false, data: Uint8Array.of(0) });
    await r.clock.advanceAsync(150);
    expect(r.attachment.awake).toBe(true);
    expect(framesSince(r.wire, r.clock.now() - 120, 0x102).length).toBeGreaterThan(0);
    expect(r.dev.snapshot().contactor).toBe('open'); // the status frames have not come back
  });

  it('a cell drifting low shows in 0x6F2 (and in 0x332 as a minimum only); the controller trips and the contactors open', async () => {
    const r = await rig({ maxCellDeviationV: 0.1 });
    await driftUntilTripped(r, { settleMs: 3000, cell: 70, socPerHour: 1 });
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 71 at /);
    expect(r.clock.now()).toBeGreaterThan(30_000); // a drift, not the start-up spread
    await r.clock.advanceAsync(700);
    expect(r.dev.snapshot().contactor).toBe('open');
  });

  it('isolation, interlock and contactor faults in 0x212', async () => {
    const iso = await rig({ minInsulationKOhm: 100 });
    await injectAfter(iso, 4000, { kind: 'insulation', kOhm: 20 }, 300);
    expect(iso.vehicle.reading.isolationKOhm).toBe(20);
    expect(iso.vehicle.tripped).toBe('isolation 20 kOhm');
    await iso.clock.advanceAsync(3000);
    expect(iso.dev.snapshot().contactor).toBe('open');
    const hvil = await rig();
    await injectAfter(hvil, 4000, { kind: 'internal-fault' }, 3000);
    expect(hvil.vehicle.reading).toMatchObject({ hvilStatus: 1, hvilOn: 0, bmsState: BMS_STATE.fault });
    expect(hvil.vehicle.tripped).toBe('HV interlock fault');
    const weld = await rig();
    await weld.clock.advanceAsync(4000);
    weld.dev.injectFault({ kind: 'contactor-welded' });
    weld.vehicle.goSilent('test');
    await weld.clock.advanceAsync(1000);
    expect(weld.vehicle.reading).toMatchObject({ contactorState: CONTACTOR.welded, bmsState: BMS_STATE.weld });
    const dead = await rig();
    dead.dev.injectFault({ kind: 'contactor-fails-to-close' });
    await dead.clock.advanceAsync(4000);
    expect(dead.vehicle.reading.contactorState).not.toBe(CONTACTOR.closed);
    expect(dead.vehicle.reading.bmsState).toBe(BMS_STATE.fault); // the contactor fault latches
    expect(dead.vehicle.tripped).toBe('BMS state FAULT');
  });
});
