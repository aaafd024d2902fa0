/**
 * The Tesla Model 3/Y BMS profile, read back by a controller-side decoder written from the cited source only
 * (examples/controllers/tesla-model3-vehicle/tesla-model3-decoder.ts) and by the DBC.
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import { TeslaModel3Vehicle, type TeslaModel3VehicleOptions } from '../../../../examples/controllers/tesla-model3-vehicle/controller';
import { decodeTeslaModel3Frame, type TeslaModel3Reading } from '../../../../examples/controllers/tesla-model3-vehicle/tesla-model3-decoder';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs, silenceVehicle } from '../../../../test/support/native-pack-rig';
import { emptySnapshot } from '../../device/snapshot';
import { attachTeslaModel3 } from './tesla-model3-profile';
import { BMS_CONTACTOR, BMS_STATE, HVIL, HVP_SET, TeslaModel3FrameEncoder, teslaChecksum } from './tesla-model3-frames';

const db = loadDbc(join(__dirname, '../../../../data/dbc/tesla-model3.dbc'));

const rig = nativeRigs((o: TeslaModel3VehicleOptions = {}) => ({
  packId: 'tesla-model3-lr-78kwh',
  seed: 9,
  attach: (dev, bus) => attachTeslaModel3(dev, bus),
  vehicle: (bus, clock) => new TeslaModel3Vehicle('pack1', bus, clock, o),
}));

const NO_ALERTS = { brickOv: false, brickUv: false, moduleOt: false, overCurrent: false, isolation: false, hvil: false, packFullWeld: false };

describe('Tesla Model 3/Y BMS profile', () => {
  it('every frame: the decoder (from BE) and the DBC read the encoder the same way', () => {
    const s = emptySnapshot();
    Object.assign(s, { packVoltage: 371.23, current: -123.4, soc: 0.617, cellVMax: 3.902, cellVMin: 3.84, cellVMaxId: 12, cellVMinId: 70, cellTMax: 31.5, cellTMin: -2, insulationKOhm: 1234, energyInWh: 5_000_123, energyOutWh: 4_900_456, chargeVoltageLimit: 398.4, dischargeVoltageLimit: 292.8, chargeCurrentLimit: 110.3, dischargeCurrentLimit: 220 });
    const enc = new TeslaModel3FrameEncoder();
    const cells = Float64Array.from({ length: 96 }, (_, i) => 3.5 + i * 0.0071);
    const status = { bmsContactor: BMS_CONTACTOR.closed, bmsState: BMS_STATE.drive, hvState: 3, negative: 6, positive: 6, setState: HVP_SET.closed, hvil: HVIL.ok, closingBlocked: false, alerts: { ...NO_ALERTS, isolation: true } };
    const r: TeslaModel3Reading = { cells: [] };
    const frames = [enc.hvBus132(s), enc.hvp20A(status), enc.status212(s, status), enc.soc292(s, 0.6, 0.63, 78.2), enc.limits2D2(s), enc.minMax332Voltages(s), enc.minMax332Temperatures(s), enc.energy352(0, 62.5, 38.56), enc.kwh3D2(s), enc.alerts320(status.alerts), enc.thermal312(s)];
    for (let pass = 0; pass < 2; pass++) for (let m = 0; m < 32; m++) frames.push(enc.bricks401(m, cells));
    frames.push(enc.bricks401(0, cells));
    for (const f of frames) decodeTeslaModel3Frame(f.id, f.data, r);
    expect(r).toMatchObject({ contactorState: 4, bmsState: 1, packNegativeState: 6, packPositiveState: 6, packContactorSetState: 5, closingBlocked: 0, hvilStatus: 1, isolationKOhm: 1230, minPackTemp: -2, tempMax: 31.5, tempMin: -2, cellMaxNum: 13, cellMinNum: 71, totalDischargeWh: 4_900_456, totalChargeWh: 5_000_123, alertIsolation: 1, alertHvil: 0, cellCount: 96 });
    expect(r.voltage).toBeCloseTo(371.23, 6);
    expect(r.current).toBeCloseTo(-123.4, 6);
    expect([r.socMin, r.socUi, r.socMax, r.socAve].map((x) => Math.round(x! * 10))).toEqual([600, 617, 630, 617]);
    expect(r.cellMax).toBeCloseTo(3.902, 6);
    expect(r.cellMin).toBeCloseTo(3.84, 6);
    expect(r.maxChargeA).toBeCloseTo(110.3, 6);
    expect(r.minVoltage).toBeCloseTo(292.8, 6);
    expect(Math.abs(r.maxDischargeA! - 220)).toBeLessThanOrEqual(0.064);
    expect(r.nominalFullPackKwh).toBeCloseTo(62.5, 6);
    expect([r.packTMin, r.packTMax]).toEqual([-2, 31.5]);
    expect(r.nominalRemainingKwh).toBeCloseTo(38.56, 6);
    // BE keeps whole mV (raw 0.1 mV / 10): within 1 mV below.
    for (let i = 0; i < 96; i++) expect(cells[i]! - r.cells[i]!).toBeGreaterThanOrEqual(-0.00005);
    for (let i = 0; i < 96; i++) expect(cells[i]! - r.cells[i]!).toBeLessThan(0.00105);
    const d = (f: (typeof frames)[number]): Record<string, number | string> => db.decode(f).signals;
    expect(d(frames[0]!).Current).toBeCloseTo(-123.4, 6);
    expect(d(frames[0]!).RawCurrent).toBeCloseTo(123.4, 6); // Tesla's sign: + discharge
    expect(d(frames[2]!)).toMatchObject({ ContactorState: 4, State: 1, IsolationResistance: 1230 });
    expect(d(frames[5]!)).toMatchObject({ Mux: 1, BrickVoltageMaxNum: 13, BrickVoltageMinNum: 71 });
    expect(d(frames[5]!).BrickVoltageMax).toBeCloseTo(3.902, 6);
    expect(d(frames[6]!)).toMatchObject({ Mux: 0, BrickTempMax: 31.5 });
    expect(d(frames[11]!).Brick1).toBeCloseTo(cells[1]!, 4);
    expect(d(frames[10]!)).toMatchObject({ PackTMin: -2, PackTMax: 31.5 });
  });

  it('0x132 against the public capture (fl4p/tescan README: 70 96 AE FF 5C 26 FF 0F = 385.12 V, 8.2 A smooth / 9 A raw discharge)', () => {
    const captured = [0x70, 0x96, 0xae, 0xff, 0x5c, 0x26, 0xff, 0x0f];
    const s = Object.assign(emptySnapshot(), { packVoltage: 385.12, current: -8.2 });
    const ours = Array.from(new TeslaModel3FrameEncoder().hvBus132(s).data);
    expect([...ours.slice(0, 4), ...ours.slice(6)]).toEqual([...captured.slice(0, 4), ...captured.slice(6)]);
    const raw = db.decode({ id: 0x132, extended: false, data: Uint8Array.from(captured) }).signals;
    expect(raw.Voltage).toBeCloseTo(385.12, 6);
    expect(raw.Current).toBeCloseTo(-8.2, 6);
    expect(raw.RawCurrent).toBeCloseTo(9, 6); // the sample's raw current, with the offset followed
    const r: TeslaModel3Reading = { cells: [] };
    decodeTeslaModel3Frame(0x132, Uint8Array.from(captured), r);
    expect(r.current).toBeCloseTo(-8.2, 6);
    expect(db.decode({ id: 0x132, extended: false, data: Uint8Array.from(ours) }).signals.RawCurrent).toBeCloseTo(8.2, 6);
  });

  it('an LFP pack of 3n + 1 bricks ends its 0x401 round with the partial frame (status 0x02, one brick), which gives BE its count', () => {
    const enc = new TeslaModel3FrameEncoder();
    const cells = Float64Array.from({ length: 106 }, (_, i) => 3.2 + i * 0.001);
    const last = enc.bricks401(35, cells);
    expect(Array.from(last.data.slice(0, 4))).toEqual([35, 0x02, 33050 & 0xff, 33050 >> 8]); // brick 106: 3.305 V -> 33050 -> whole mV 3305
    const r: TeslaModel3Reading = { cells: [] };
    for (let m = 0; m < 36; m++) decodeTeslaModel3Frame(0x401, enc.bricks401(m, cells).data, r);
    expect(r.cellCount).toBe(106);
    expect(r.cells).toHaveLength(106);
    expect(r.cells[105]).toBe(3.305);
  });

  it('0x72A serial and BE\'s UDS sequences on 0x602 -> 0x612, answered with the exact bytes BE compares', async () => {
    const r = await rig();
    await r.clock.advanceAsync(2500);
    const serial = [0, 1].map((m) => r.wire.find((f) => f.id === 0x72a && f.data[0] === m)!).flatMap((f) => Array.from(f.data.slice(1)));
    expect(String.fromCharCode(...serial)).toBe('TG321202003AHX'); // BE: year "21", day "202"
    const got: number[][] = [];
    r.vehicleBus.onFrame((f) => {
      if (f.id === 0x612) got.push(Array.from(f.data));
    });
    const put = async (...frames: number[][]): Promise<number[][]> => {
      got.length = 0;
      for (const d of frames) {
        await r.vehicleBus.send({ id: 0x602, extended: false, data: Uint8Array.from(d) });
        await r.clock.advanceAsync(100); // BE sends one step per 100 ms
      }
      return got.slice();
    };
    const AA = (n: number): number[] => new Array<number>(n).fill(0xaa);
    // BE's BMS query: 10 03, then 22 F0 14 with its flow control 30 00 0A
    expect(await put([0x02, 0x10, 0x03, 0, 0, 0, 0, 0])).toEqual([[0x02, 0x50, 0x03, ...AA(5)]]);
    const part = await put([0x03, 0x22, 0xf0, 0x14, 0, 0, 0, 0], [0x30, 0x00, 0x0a, 0, 0, 0, 0, 0]);
    expect(part.map((f) => f[0])).toEqual([0x10, 0x21, 0x22, 0x23]);
    expect(part[3]).toEqual([0x23, 0x00, 0x00, 0x00, ...AA(4)]); // BE's termination frame, byte for byte
    const number = [...part[0]!.slice(5, 8), ...part[1]!.slice(1, 8), ...part[2]!.slice(1, 3)]; // as BE assembles it
    expect(String.fromCharCode(...number)).toBe('1104299-00-F');
    // BE's SOC reset: 27 05, its flow control, its key in three frames, then 31 01 04 07 00
    expect((await put([0x04, 0x31, 0x01, 0x04, 0x07, 0x00, 0, 0]))[0]!.slice(0, 4)).toEqual([0x03, 0x7f, 0x31, 0x33]); // locked
    const seed = await put([0x02, 0x27, 0x05, 0, 0, 0, 0, 0], [0x30, 0x00, 0x0a, 0, 0, 0, 0, 0]);
    expect(seed[0]!.slice(0, 4)).toEqual([0x10, 0x12, 0x67, 0x05]);
    const key = await put([0x10, 0x12, 0x27, 0x06, 0x35, 0x34, 0x37, 0x36], [0x21, 0x31, 0x30, 0x33, 0x32, 0x3d, 0x3c, 0x3f], [0x22, 0x3e, 0x39, 0x38, 0x3b, 0x3a, 0x00, 0x00]);
    expect(key.filter((f) => f[0] !== 0x30)).toEqual([[0x02, 0x67, 0x06, ...AA(5)]]); // "BMS ECU unlocked"
    expect(await put([0x04, 0x31, 0x01, 0x04, 0x07, 0x00, 0, 0])).toEqual([[0x05, 0x71, 0x01, 0x04, 0x07, 0x01, ...AA(2)]]); // EVENT_BATTERY_SOC_RESET_SUCCESS
    expect(await put([0x02, 0x11, 0x01, 0, 0, 0, 0, 0])).toEqual([[0x02, 0x51, 0x01, ...AA(5)]]); // EVENT_BMS_RESET_REQ_SUCCESS
  });

  it('the vehicle checksum is BE\'s: its fixed 0x221 and 0x118 frames check', () => {
    // TESLA-BATTERY.h: TESLA_221_DRIVE_Mux0 / _Mux1, TESLA_221_OFF_Mux0, TESLA_118 (counter 0).
    for (const f of [[0x60, 0x55, 0x55, 0x15, 0x54, 0x51, 0xf1, 0xd8], [0x61, 0x05, 0x55, 0x05, 0, 0, 0, 0xe3], [0, 1, 0, 0, 0, 0x50, 0xf1, 0x65]]) expect(teslaChecksum(0x221, Uint8Array.from(f), 7)).toBe(f[7]);
    expect(teslaChecksum(0x118, Uint8Array.of(0xab, 0x60, 0x2a, 0, 0, 8, 0, 0), 0)).toBe(0xab);
  });

  it('closes its contactors while 0x221 says DRIVE, and reads back within the resolution, every brick included', async () => {
    const r = await rig();
    r.dev.setCurrent(-40);
    await r.clock.advanceAsync(5000);
    expect(r.dev.snapshot().contactor).toBe('closed');
    r.stepping.on = false;
    await r.clock.advanceAsync(3300); // one whole 0x401 round (32 muxes x 100 ms) on the frozen state
    const s = r.dev.snapshot();
    const g = r.vehicle.reading;
    expect(g).toMatchObject({ contactorState: BMS_CONTACTOR.closed, bmsState: BMS_STATE.drive, packContactorSetState: HVP_SET.closed, hvilStatus: HVIL.ok, cellCount: 96 });
    expect(Math.abs(g.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(g.current! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(g.socUi! - s.soc * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(g.cellMax! - s.cellVMax)).toBeLessThanOrEqual(0.001 + 1e-9);
    expect(Math.abs(g.cellMin! - s.cellVMin)).toBeLessThanOrEqual(0.001 + 1e-9);
    expect(g.cellMinNum).toBe(s.cellVMinId + 1);
    expect(Math.abs(g.tempMax! - s.cellTMax)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(g.tempMin! - s.cellTMin)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(g.packTMax! - s.cellTMax)).toBeLessThanOrEqual(0.125 + 1e-9);
    expect(Math.abs(g.isolationKOhm! - Math.min(s.insulationKOhm, 10230))).toBeLessThanOrEqual(5 + 1e-9);
    expect(Math.abs(g.maxChargeA! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    const cells = r.dev.measuredCellVoltages();
    expect(g.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(g.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.00105);
    const count = (id: number): number => r.wire.filter((f) => f.id === id && f.timestamp! >= 2000 && f.timestamp! < 4000).length;
    expect([0x132, 0x212, 0x20a, 0x332, 0x3d2, 0x401, 0x221, 0x118].map(count)).toEqual([20, 20, 20, 20, 2, 20, 40, 200]);
    expect(r.attachment.stats.malformedIgnored).toBe(0);
  });

  it('a 0x221 with a bad checksum or a stuck counter closes nothing (counted as malformed)', async () => {
    const r = await rig({ silentAtS: 0 });
    const frame = (counter: number, fix: boolean): Uint8Array => {
      const d = Uint8Array.of(0x60, 0x55, 0x55, 0x15, 0x54, 0x51, (counter << 4) | 1, 0);
      d[7] = teslaChecksum(0x221, d, 7) ^ (fix ? 0 : 0x5a);
      return d;
    };
    for (let k = 0; k < 80; k++) {
      // 4 s of counters that advance under a wrong checksum, then 4 s of right checksums under a stuck counter
      await r.vehicleBus.send({ id: 0x221, extended: false, data: k < 40 ? frame(k & 15, false) : frame(3, true) });
      await r.clock.advanceAsync(50);
    }
    expect(r.dev.snapshot().contactor).toBe('open');
    expect(r.attachment.stats.malformedIgnored).toBeGreaterThanOrEqual(79);
  });

  it('the vehicle goes silent: contactors open within 0.5 s, asleep 10 s after the last 0x221, awake again on the next', async () => {
    const r = await rig();
    const t = await silenceVehicle(r, 5000, 700);
    expect(r.dev.snapshot().contactor).toBe('open');
    expect(r.vehicle.reading.contactorState).toBe(BMS_CONTACTOR.open);
    await r.clock.advanceAsync(10_000);
    expect(r.attachment.awake).toBe(false);
    expect(framesSince(r.wire, t + 11_000, 0x132)).toHaveLength(0);
    const d = Uint8Array.of(0x40, 0x55, 0x55, 0x05, 0x54, 0x51, 0x95, 0); // ACCESSORY, counter 9
    d[7] = teslaChecksum(0x221, d, 7);
    await r.vehicleBus.send({ id: 0x221, extended: false, data: d });
    await r.clock.advanceAsync(150);
    expect(r.attachment.awake).toBe(true);
    expect(framesSince(r.wire, r.clock.now() - 120, 0x132).length).toBeGreaterThan(0);
    expect(r.dev.snapshot().contactor).toBe('open'); // not DRIVE
  });

  it('a brick drifting low shows in 0x401; the controller powers down (ACCESSORY, GOING_DOWN, OFF) and the contactors open at once', async () => {
    const r = await rig({ maxCellDeviationV: 0.1 });
    await driftUntilTripped(r, { settleMs: 5000, cell: 70, socPerHour: 1 });
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(brick 71 at /);
    expect(r.clock.now()).toBeGreaterThan(30_000);
    await r.clock.advanceAsync(700);
    expect(r.dev.snapshot().contactor).toBe('open');
    expect(r.attachment.vehiclePowerState).toBe(2); // ACCESSORY
    await r.clock.advanceAsync(6000);
    expect(r.attachment.vehiclePowerState).toBe(0); // OFF
    expect(r.attachment.awake).toBe(true); // 0x221 keeps coming
  });

  it('isolation, interlock, weld and failure to close in 0x212 / 0x20A / 0x320', async () => {
    const iso = await rig({ minInsulationKOhm: 100 });
    await injectAfter(iso, 5000, { kind: 'insulation', kOhm: 20 }, 300);
    expect(iso.vehicle.reading.isolationKOhm).toBe(20);
    expect(iso.vehicle.tripped).toBe('isolation 20 kOhm');
    await iso.clock.advanceAsync(3000);
    expect(iso.dev.snapshot().contactor).toBe('open');
    expect(iso.vehicle.reading.alertIsolation).toBe(1);
    const hvil = await rig();
    await injectAfter(hvil, 5000, { kind: 'internal-fault' }, 3000);
    expect(hvil.vehicle.reading).toMatchObject({ hvilStatus: HVIL.internalOpen, bmsState: BMS_STATE.fault, alertHvil: 1 });
    expect(hvil.vehicle.tripped).toMatch(/HVIL status 3|BMS state FAULT/);
    const weld = await rig();
    await weld.clock.advanceAsync(5000);
    weld.dev.injectFault({ kind: 'contactor-welded' });
    weld.vehicle.goSilent('test');
    await weld.clock.advanceAsync(1000);
    expect(weld.vehicle.reading).toMatchObject({ contactorState: BMS_CONTACTOR.welded, bmsState: BMS_STATE.weld, packContactorSetState: HVP_SET.welded });
    const dead = await rig();
    dead.dev.injectFault({ kind: 'contactor-fails-to-close' });
    await dead.clock.advanceAsync(5000);
    expect(dead.vehicle.reading.contactorState).not.toBe(BMS_CONTACTOR.closed);
    expect(dead.vehicle.reading.bmsState).toBe(BMS_STATE.fault);
    expect(dead.vehicle.reading).toMatchObject({ closingBlocked: 1, packContactorSetState: HVP_SET.blocked });
    expect(dead.vehicle.tripped).toBe('BMS state FAULT');
  });
});
