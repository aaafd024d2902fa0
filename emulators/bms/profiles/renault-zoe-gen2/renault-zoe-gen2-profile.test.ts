/**
 * The Renault Zoe Gen2 (ZE50) LBC profile, read back by a controller-side decoder written from the cited source only
 * (examples/controllers/zoe-gen2-vehicle/zoe-gen2-decoder.ts), by the DBC, and against Battery-Emulator's one Zoe Gen2
 * log line (test/can_log_based/can_logs/29_RenaultZoe2_cv88.txt @ 62532e94).
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import { ZoeGen2Vehicle, type ZoeGen2VehicleOptions } from '../../../../examples/controllers/zoe-gen2-vehicle/controller';
import { decodeZoeGen2Answer, decodeZoeGen2Frame, type ZoeGen2Reading } from '../../../../examples/controllers/zoe-gen2-vehicle/zoe-gen2-decoder';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs } from '../../../../test/support/native-pack-rig';
import { emptySnapshot } from '../../device/snapshot';
import { attachRenaultZoeGen2 } from './renault-zoe-gen2-profile';
import { INTERLOCK_OK, Zoe2FrameEncoder, zoe2Crc } from './zoe2-frames';
import { cellDid, zoe2Did } from './zoe2-dids';

const db = loadDbc(join(__dirname, '../../../../data/dbc/renault-zoe-gen2.dbc'));

const rig = nativeRigs((o: ZoeGen2VehicleOptions = {}) => ({
  packId: 'renault-zoe-52kwh',
  seed: 10,
  attach: (dev, bus) => attachRenaultZoeGen2(dev, bus),
  vehicle: (bus, clock) => new ZoeGen2Vehicle('pack1', bus, clock, { pollIntervalMs: 50, ...o }),
}));

/** The single-frame answer the LBC sends for `did` (as the profile's UDS server does). */
const answer = (did: number, v: number): Uint8Array => Uint8Array.of(0x05, 0x62, did >> 8, did & 0xff, v >> 8, v & 0xff, 0xaa, 0xaa);

describe('Renault Zoe Gen2 LBC profile', () => {
  it('every frame and DID: the decoder (from BE) and the DBC read the encoder the same way; the log\'s cell 88 value', () => {
    const s = emptySnapshot();
    Object.assign(s, { packVoltage: 371.2, current: -23.4, soc: 0.617, soh: 0.912, cellVMax: 3.902, cellVMin: 3.84, cellTMax: 31.5, cellTMin: -2, tempAvg: 20.25, chargeCurrentLimit: 100, dischargeCurrentLimit: 150 });
    const enc = new Zoe2FrameEncoder();
    const r: ZoeGen2Reading = { frames0F8: 0, badCrc: 0, cells: [] };
    for (let i = 0; i < 50; i++) decodeZoeGen2Frame(0x0f8, enc.interlock0F8(s, INTERLOCK_OK).data, r);
    for (const f of [enc.cells4DB(s), enc.crc36C()]) decodeZoeGen2Frame(f.id, f.data, r);
    expect(r).toMatchObject({ interlock: 0xfffe, badCrc: 0, cellMax: 3.902, cellMin: 3.84 });
    expect(r.voltage).toBeCloseTo(371.2, 6);
    const cells = Float64Array.from({ length: 96 }, (_, i) => 3.5 + i * 0.0071);
    const ctx = { snapshot: s, cells, interlock: INTERLOCK_OK };
    for (const did of [0x9001, 0x9003, 0x9005, 0x925d, 0x9007, 0x9009, 0x9012, 0x9013, 0x9014, 0x901a, 0x900e, 0x900f]) decodeZoeGen2Answer(answer(did, zoe2Did(did, ctx)!), r);
    for (let i = 0; i < 96; i++) decodeZoeGen2Answer(answer(cellDid(i), zoe2Did(cellDid(i), ctx)!), r);
    expect(r).toMatchObject({ soc: 61.7, soh: 91.2, packVoltagePolled: 371.2, cellMaxPolled: 3.902, cellMinPolled: 3.84, tempMax: 31.5, tempMin: -2, tempAvg: 20.25, interlockPolled: 0xfffe });
    expect(Math.abs(r.current! + 23.4)).toBeLessThanOrEqual(1 / 64); // 1/32 A steps
    expect(Math.abs(r.maxChargeW! - 100 * 371.2)).toBeLessThanOrEqual(5);
    // one raw step is 0.977 mV and BE keeps whole mV below it: within half a step plus 1 mV
    for (let i = 0; i < 96; i++) expect(Math.abs(r.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.0015);
    expect([cellDid(0), cellDid(30), cellDid(31), cellDid(61), cellDid(62), cellDid(88), cellDid(95)]).toEqual([0x9021, 0x903f, 0x9041, 0x905f, 0x9061, 0x907b, 0x9083]);
    // 29_RenaultZoe2_cv88.txt: "RX0 18DAF1DB [8] 00 00 90 7B 0C 7E AA AA" (marked synthetic: its first two bytes are
    // not a UDS single frame); DID 907B at bytes 2-3 and 0x0C7E at bytes 4-5 are what BE reads: 3123 mV.
    const logged = Uint8Array.of(0x00, 0x00, 0x90, 0x7b, 0x0c, 0x7e, 0xaa, 0xaa);
    const c88 = zoe2Did(0x907b, { ...ctx, cells: Float64Array.from({ length: 96 }, () => 3.123) })!;
    expect([c88 >> 8, c88 & 0xff]).toEqual([logged[4], logged[5]]);
    const viaLog: ZoeGen2Reading = { frames0F8: 0, badCrc: 0, cells: [] };
    decodeZoeGen2Answer(Uint8Array.of(0x05, 0x62, ...logged.slice(2)), viaLog);
    expect(viaLog.cells[88]).toBe(3.123);
    const d = db.decode(enc.interlock0F8(s, INTERLOCK_OK)).signals;
    expect(d.Interlock).toBe(0xfffe);
    expect(d.PackVoltage).toBeCloseTo(371.2, 6);
    const m = db.decode(enc.cells4DB(s)).signals;
    expect(m.CellVoltageMax).toBeCloseTo(3.902, 6);
    expect(m.CellVoltageMin).toBeCloseTo(3.84, 6);
    expect(db.decode(enc.crc36C()).signals.Crc).toBe(zoe2Crc(new Uint8Array(8), 0x01));
  });

  it('asleep until the 0x373 wake-up; then broadcasts and answers every DID, read back within the resolution, every cell included', async () => {
    const r = await rig({ silentAtS: 0 });
    await r.clock.advanceAsync(3000);
    expect(r.attachment.awake).toBe(false);
    expect(r.wire.filter((f) => f.id === 0x0f8)).toHaveLength(0);
    await r.close();
    const z = await rig();
    z.dev.setCurrent(-30);
    await z.clock.advanceAsync(8000); // 108 polls at 50 ms: one whole round, and 50 0x0F8 for BE's start-up filter
    z.stepping.on = false;
    await z.clock.advanceAsync(5600);
    const s = z.dev.snapshot();
    const g = z.vehicle.reading;
    expect(z.vehicle.answers).toBeGreaterThan(200);
    expect(g).toMatchObject({ interlock: 0xfffe, interlockPolled: 0xfffe, badCrc: 0 });
    expect(Math.abs(g.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(Math.abs(g.packVoltagePolled! - s.packVoltage)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(g.current! - s.current)).toBeLessThanOrEqual(0.032 + 1e-9);
    expect(Math.abs(g.soc! - s.soc * 100)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(g.soh! - s.soh * 100)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(g.cellMax! - s.cellVMax)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(Math.abs(g.cellMinPolled! - s.cellVMin)).toBeLessThanOrEqual(0.0005 + 1e-9);
    for (const [a, b] of [[g.tempMax!, s.cellTMax], [g.tempMin!, s.cellTMin], [g.tempAvg!, s.tempAvg]] as const) expect(Math.abs(a - b)).toBeLessThanOrEqual(0.07);
    // the 12 module temperatures (OVMS: raw x 0.0625 - 40 degC), asked the way OVMS does
    const temps = z.dev.measuredTemperatures();
    expect(temps).toHaveLength(12);
    for (let m = 0; m < 12; m++) {
      const got: number[] = [];
      const off = z.vehicleBus.onFrame((f) => {
        if (f.id === 0x18daf1db && f.data[1] === 0x62 && ((f.data[2]! << 8) | f.data[3]!) === 0x9131 + m) got.push((((f.data[4]! << 8) | f.data[5]!) * 0.0625) - 40);
      });
      await z.vehicleBus.send({ id: 0x18dadbf1, extended: true, data: Uint8Array.of(0x03, 0x22, 0x91, 0x31 + m, 0, 0, 0, 0) });
      await z.clock.advanceAsync(30);
      off();
      expect(got).toHaveLength(1);
      expect(Math.abs(got[0]! - temps[m]!)).toBeLessThanOrEqual(0.0625 / 2 + 1e-9);
    }
    const cells = z.dev.measuredCellVoltages();
    expect(g.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(g.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.0015);
    const count = (id: number): number => z.wire.filter((f) => f.id === id && f.timestamp! >= 2000 && f.timestamp! < 4000).length;
    expect([0x0f8, 0x4db, 0x36c, 0x373, 0x0ee].map(count)).toEqual([20, 20, 20, 20, 200]);
    expect(z.attachment.diag.uds.requests).toBeGreaterThan(200);
  });

  it('the balancing switches (912B) in the multi-frame answer, read as BE reads them (frames 0x23-0x25, cells 96 to 1)', async () => {
    const r = await rig({ silentAtS: 1e6, pollIntervalMs: 1e9 }); // the vehicle wakes the LBC and polls once at start
    await r.clock.advanceAsync(1000);
    r.stepping.on = false;
    r.dev.pack.bleedA.fill(0);
    r.dev.pack.bleedA[5] = 0.1; // cell 6
    r.dev.pack.bleedA[90] = 0.1; // cell 91
    const frames: number[][] = [];
    r.vehicleBus.onFrame((f) => {
      if (f.id !== 0x18daf1db) return;
      frames.push(Array.from(f.data));
      if (f.data[0] === 0x10) void r.vehicleBus.send({ id: 0x18dadbf1, extended: true, data: Uint8Array.of(0x30, 0, 0, 0, 0, 0, 0, 0) }); // BE's flow control
    });
    await r.vehicleBus.send({ id: 0x18dadbf1, extended: true, data: Uint8Array.of(0x03, 0x22, 0x91, 0x2b, 0, 0, 0, 0) });
    await r.clock.advanceAsync(200);
    expect(frames.map((f) => f[0])).toEqual([0x10, 0x21, 0x22, 0x23, 0x24, 0x25]);
    expect(frames[0]!.slice(1, 5)).toEqual([35, 0x62, 0x91, 0x2b]);
    // BE: balancing_status_cell[i] from 0x23 bytes 4-7 (i 0-31), 0x24 bytes 1-7 (32-87), 0x25 byte 1 (88-95); cell 96 - i
    const bits: number[] = [];
    const take = (f: number[], from: number, to: number): void => {
      for (let b = from; b <= to; b++) for (let k = 7; k >= 0; k--) bits.push((f[b]! >> k) & 1);
    };
    take(frames[3]!, 4, 7);
    take(frames[4]!, 1, 7);
    take(frames[5]!, 1, 1);
    const balancing = bits.map((on, i) => (on ? 96 - i : 0)).filter((c) => c > 0).sort((a, b) => a - b);
    expect(balancing).toEqual([6, 91]);
  });

  it('the vehicle goes silent: the LBC sleeps 2 s after the last wake-up (no frames, no answers) and wakes on the next', async () => {
    const r = await rig();
    await r.clock.advanceAsync(3000);
    r.vehicle.goSilent('test');
    const t = r.clock.now();
    await r.clock.advanceAsync(2500);
    expect(r.attachment.awake).toBe(false);
    expect(framesSince(r.wire, t + 2200, 0x0f8)).toHaveLength(0);
    await r.vehicleBus.send({ id: 0x18dadbf1, extended: true, data: Uint8Array.of(0x03, 0x22, 0x90, 0x01, 0, 0, 0, 0) });
    await r.clock.advanceAsync(200);
    expect(framesSince(r.wire, t + 2200, 0x18daf1db)).toHaveLength(0);
    await r.vehicleBus.send({ id: 0x373, extended: false, data: Uint8Array.of(0xc1, 0x40, 0x5d, 0xb2, 0, 1, 0xff, 0xe3) });
    await r.clock.advanceAsync(150);
    expect(r.attachment.awake).toBe(true);
    expect(framesSince(r.wire, r.clock.now() - 120, 0x0f8).length).toBeGreaterThan(0);
  });

  it('a cell drifting low shows only in the cell DIDs; the controller lets the LBC sleep (0x373 byte 0 0x01)', async () => {
    const r = await rig({ maxCellDeviationV: 0.1 });
    await driftUntilTripped(r, { settleMs: 8000, cell: 70, socPerHour: 1 });
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 71 at /);
    expect(r.clock.now()).toBeGreaterThan(30_000);
    const t = r.clock.now();
    await r.clock.advanceAsync(3000);
    expect(framesSince(r.wire, t + 200, 0x373).every((f) => f.data[0] === 0x01)).toBe(true);
    expect(r.attachment.awake).toBe(false);
  });

  it('an interlock fault (internal-fault) in 0x0F8 and DID 901A; the controller trips on it', async () => {
    const r = await rig();
    await injectAfter(r, 8000, { kind: 'internal-fault' }, 3000);
    expect(r.vehicle.reading.interlock).toBe(0);
    expect(r.vehicle.tripped).toBe('interlock 0x0');
  });
});
