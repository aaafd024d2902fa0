/**
 * The Leaf LBC profile read back by a controller-side decoder written from the cited sources only
 * (examples/controllers/leaf-vehicle/leaf-decoder.ts: Battery-Emulator and OVMS readings), with the tiny test
 * controller playing the vehicle the way Battery-Emulator does (BS = 1 flow control after every frame).
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import type { CanFrame } from '../../../../protocols/can/frame';
import { framesSince, injectAfter, nativeRigs, type NativeRig } from '../../../../test/support/native-pack-rig';
import { LeafVehicle } from '../../../../examples/controllers/leaf-vehicle/controller';
import { crc85, LeafAnswerAssembler } from '../../../../examples/controllers/leaf-vehicle/leaf-decoder';
import { attachNissanLeaf, type NissanLeafAttachment } from './nissan-leaf-profile';
import type { LeafGeneration } from './variants';

const db = loadDbc(join(__dirname, '../../../../data/dbc/nissan-leaf.dbc'));

type Rig = NativeRig<NissanLeafAttachment, LeafVehicle> & { leaf: NissanLeafAttachment };
const opened = nativeRigs((generation: LeafGeneration = 'aze0', vehicleOptions: ConstructorParameters<typeof LeafVehicle>[3] = {}, packId: string = 'nissan-leaf-24kwh') => ({
  packId,
  seed: 5,
  attach: (dev, bus) => attachNissanLeaf(dev, bus, { generation }),
  vehicle: (bus, clock) => new LeafVehicle('pack1', bus, clock, { pollIntervalS: 0.5, ...vehicleOptions }),
}));
const rig = async (...args: Parameters<typeof opened>): Promise<Rig> => opened(...args).then((r) => Object.assign(r, { leaf: r.attachment }));

const since = (r: Rig, t: number, id: number): CanFrame[] => framesSince(r.wire, t, id);

describe('Nissan Leaf LBC profile', () => {
  it('wakes into relays-open, closes them once the vehicle frames come, and reads back within the protocol resolution', async () => {
    const r = await rig();
    expect(r.dev.logic.closeRequested).toBe(false);
    await r.clock.advanceAsync(4000);
    expect(r.dev.contactorClosed()).toBe(true);
    r.dev.setCurrent(-30);
    await r.clock.advanceAsync(3000); // every group polled at least once at 0.5 s per group
    r.stepping.on = false; // freeze the state; let every frame and one more poll round carry it
    await r.clock.advanceAsync(2100);
    const s = r.dev.snapshot();
    const b = r.vehicle.broadcast;
    const g = r.vehicle.groups;
    expect(b.crcErrors).toBe(0);
    expect(Math.abs(b.current! - s.current)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(b.current!).toBeLessThan(-29);
    expect(Math.abs(b.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(b.soc! - s.soc * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(b.soh).toBe(Math.round(s.soh * 100));
    expect(b.mainRelayOn).toBe(true);
    expect([b.relayCut, b.interlock]).toEqual([0, true]);
    for (const [got, want] of [
      [b.tempMax, s.cellTMax],
      [b.tempMin, s.cellTMin],
      [b.tempAvg, s.tempAvg],
    ] as const) expect(Math.abs(got! - want)).toBeLessThanOrEqual(0.5 + 1e-9);
    const nominalV = 96 * (4.1 + 3.3) / 2;
    expect(Math.abs(b.gids! - (s.remainingAh * nominalV) / 77)).toBeLessThanOrEqual(0.5 + 1e-9);
    // Every cell voltage, through the group 0x02 poll, within the 1 mV resolution.
    const cells = r.dev.measuredCellVoltages();
    expect(g.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(g.cells![i]! - cells[i]!)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(Math.abs(g.packVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    // Temperatures through group 0x04: thermistors within 0.102 degC / 2 of a module, bytes within 0.5 degC.
    const temps = Array.from(r.dev.measuredTemperatures());
    expect(g.thermistorC).toHaveLength(3); // AZE0: three thermistors
    for (const t of g.thermistorC!) expect(Math.min(...temps.map((m) => Math.abs(m - t)))).toBeLessThanOrEqual(0.051 + 1e-9);
    for (const t of g.byteC!) expect(Math.min(...temps.map((m) => Math.abs(m - t)))).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(g.insulationKOhm).toBe(Math.min(0xffff, s.insulationKOhm));
    expect(Math.abs(g.capacityAh! - s.fullChargeAh)).toBeLessThanOrEqual(0.00005 + 1e-9);
    expect(g.balancing).toBeDefined();
    expect(r.leaf.diag.isotp.txTimeouts).toBe(0);
  });

  it('sends each frame at its period with a rolling counter and a valid CRC, and every frame decodes with the DBC', async () => {
    const r = await rig();
    await r.clock.advanceAsync(3000);
    const t0 = 1000;
    const count = (id: number): number => r.wire.filter((f) => f.id === id && f.timestamp! >= t0 && f.timestamp! < t0 + 2000).length;
    expect([count(0x1db), count(0x1dc), count(0x55b), count(0x5bc), count(0x5c0), count(0x59e)]).toEqual([200, 200, 20, 20, 4, 4]);
    for (const id of [0x1db, 0x1dc, 0x55b]) {
      const fs = since(r, 0, id);
      for (let i = 0; i < fs.length; i++) {
        expect(fs[i]!.data[7]).toBe(crc85(fs[i]!.data));
        expect(fs[i]!.data[6]! & 3).toBe(i & 3);
      }
    }
    const last1db = since(r, 0, 0x1db).pop()!;
    const sig = db.decode(last1db).signals;
    expect(sig.LB_Total_Voltage).toBeCloseTo(r.vehicle.broadcast.voltage!, 6);
    expect(sig.LB_Current).toBeCloseTo(r.vehicle.broadcast.current!, 6);
    for (const id of [0x1dc, 0x55b, 0x5bc, 0x5c0, 0x59e]) expect(() => db.decode(since(r, 0, id).pop()!)).not.toThrow();
    expect(db.decode(since(r, 0, 0x55b).pop()!).signals.LB_SOC).toBeCloseTo(r.vehicle.broadcast.soc!, 6);
  });

  it('opens its relays 2 s after the vehicle goes silent, reports P30E0, then sleeps; the vehicle wakes it again', async () => {
    const r = await rig();
    await r.clock.advanceAsync(3000);
    expect(r.dev.contactorClosed()).toBe(true);
    const t = r.clock.now();
    r.vehicle.goSilent('test');
    await r.clock.advanceAsync(1900);
    expect(r.dev.contactorClosed()).toBe(true);
    await r.clock.advanceAsync(400);
    expect(r.leaf.vehicleLost).toBe(true);
    expect(r.dev.contactorClosed()).toBe(false);
    await r.clock.advanceAsync(200);
    expect(since(r, r.clock.now() - 50, 0x1db).every((f) => (f.data[3]! & 0x20) === 0)).toBe(true);
    // DTCs over UDS 0x19 02 0E (BE's request), answered in one frame.
    const asm = new LeafAnswerAssembler();
    let dtc: Uint8Array | undefined;
    const off = r.vehicleBus.onFrame((f) => {
      if (f.id === 0x7bb) dtc = asm.push(f.data) ?? dtc;
    });
    await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x03, 0x19, 0x02, 0x0e, 0, 0, 0, 0) });
    await r.clock.advanceAsync(10);
    off();
    expect(Array.from(dtc!)).toEqual([0x59, 0x02, 0x4e, 0x30, 0xe0, 0x00, 0x4e]);
    // Asleep after 10 s of silence: no frames, no answers.
    await r.clock.advanceAsync(t + 10_100 - r.clock.now());
    expect(r.leaf.awake).toBe(false);
    const quietFrom = r.clock.now();
    await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x02, 0x21, 0x01, 0, 0, 0, 0, 0) });
    await r.clock.advanceAsync(1000);
    expect(r.wire.filter((f) => f.timestamp! > quietFrom && f.id !== 0x79b)).toEqual([]);
    expect(r.leaf.diag.uds.silenced).toBe(1);
    // The vehicle comes back: the LBC wakes and the relays close again.
    r.vehicle.silent = false;
    await r.clock.advanceAsync(3000);
    expect(r.leaf.awake).toBe(true);
    expect(r.dev.contactorClosed()).toBe(true);
  });

  it('a cell drifting low shows only in the group 0x02 poll; the controller names the cell and trips', async () => {
    const r = await rig('aze0', { pollIntervalS: 1, groups: [2] });
    await r.clock.advanceAsync(3000);
    r.dev.injectFault({ kind: 'cell-drift', cell: 40, direction: 'down', socPerHour: 2 });
    const before = { ...r.vehicle.broadcast };
    for (let i = 0; i < 900 && !r.vehicle.tripped; i++) await r.clock.advanceAsync(1000);
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 40 at /);
    expect(r.clock.now()).toBeGreaterThan(60_000); // about two minutes of drift (2 capacities/h), not the start-up spread
    // Nothing in the broadcast names a cell: the trip could only come from the poll.
    expect(Object.keys(r.vehicle.broadcast).sort()).toEqual(Object.keys(before).sort());
    await r.clock.advanceAsync(2500);
    expect(r.dev.contactorClosed()).toBe(false);
  });

  it('an isolation fault shows in group 0x01, as DTC P33E0 and as a relay cut request', async () => {
    const r = await rig('aze0', { pollIntervalS: 0.5, groups: [1], minInsulationKOhm: 100 });
    await injectAfter(r, 3000, { kind: 'insulation', kOhm: 30 }, 5000);
    expect(r.vehicle.groups.insulationKOhm).toBe(30);
    expect(r.vehicle.tripped).toBe('insulation 30 kOhm');
    expect(r.vehicle.broadcast.relayCut).toBe(1);
    expect(r.dev.contactorClosed()).toBe(false);
    const asm = new LeafAnswerAssembler();
    let dtc: Uint8Array | undefined;
    r.vehicleBus.onFrame((f) => {
      if (f.id !== 0x7bb) return;
      dtc = asm.push(f.data) ?? dtc;
      if (f.data[0]! >> 4 === 1) void r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x30, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff) });
    });
    await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x03, 0x19, 0x02, 0x0e, 0, 0, 0, 0) });
    await r.clock.advanceAsync(10);
    // 59 02 4E, then P33E0 (isolation) and P30E0 (the vehicle went silent when it tripped), each with status 0x4E.
    expect(Array.from(dtc!)).toEqual([0x59, 0x02, 0x4e, 0x33, 0xe0, 0x00, 0x4e, 0x30, 0xe0, 0x00, 0x4e]);
  });

  it('keeps the generations apart: group lengths, thermistors, 0x59E and the 0x5BC period', async () => {
    const want: Record<LeafGeneration, { g1: number; g4: number; therm: number; has59e: boolean; per5bc: number }> = {
      ze0: { g1: 39, g4: 14, therm: 4, has59e: false, per5bc: 4 },
      aze0: { g1: 41, g4: 14, therm: 3, has59e: true, per5bc: 20 },
      ze1: { g1: 51, g4: 29, therm: 3, has59e: true, per5bc: 20 },
    };
    for (const gen of ['ze0', 'aze0', 'ze1'] as const) {
      const r = await rig(gen, { pollIntervalS: 0.25 });
      const lens = new Map<number, number>();
      const asm = new LeafAnswerAssembler();
      r.vehicleBus.onFrame((f) => {
        if (f.id !== 0x7bb) return;
        const p = asm.push(f.data);
        if (p) lens.set(p[1]!, p.length - 2);
      });
      await r.clock.advanceAsync(3000);
      expect([lens.get(1), lens.get(2), lens.get(4), lens.get(6)]).toEqual([want[gen].g1, 196, want[gen].g4, 24]);
      expect(r.vehicle.groups.thermistorC).toHaveLength(want[gen].therm);
      expect(since(r, 0, 0x59e).length > 0).toBe(want[gen].has59e);
      // BE marks a pack ZE1 on any of 0x380, 0x5EB, 0x5BF, 0x1ED, 0x1C2
      for (const id of [0x380, 0x5eb, 0x5bf, 0x1ed, 0x1c2]) expect(r.wire.filter((f) => f.id === id && f.timestamp! >= 1000 && f.timestamp! < 3000)).toHaveLength(gen === 'ze1' ? 20 : 0);
      expect(r.wire.filter((f) => f.id === 0x5bc && f.timestamp! >= 1000 && f.timestamp! < 3000)).toHaveLength(want[gen].per5bc);
      expect(r.vehicle.groups.capacityAh).toBeCloseTo(r.dev.snapshot().fullChargeAh, 3);
    }
  });

  it('a ZE1 40 kWh pack reads back through the ZE1 layouts (capacity at 35..37, 29-byte temperatures)', async () => {
    const r = await rig('ze1', { pollIntervalS: 0.25 }, 'nissan-leaf-40kwh');
    await r.clock.advanceAsync(3000);
    r.stepping.on = false;
    await r.clock.advanceAsync(1100);
    const s = r.dev.snapshot();
    expect(Math.abs(r.vehicle.groups.capacityAh! - s.fullChargeAh)).toBeLessThanOrEqual(0.00005 + 1e-9);
    expect(s.fullChargeAh).toBeGreaterThan(80); // 2 x 56.3 Ah at 80 % SOH
    const cells = r.dev.measuredCellVoltages();
    for (let i = 0; i < 96; i++) expect(Math.abs(r.vehicle.groups.cells![i]! - cells[i]!)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(Math.abs(r.vehicle.broadcast.soc! - s.soc * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    // the 62 kWh e+ (96s3p of the same cells): the same layouts, a third more capacity
    const e = await rig('ze1', { pollIntervalS: 0.25 }, 'nissan-leaf-62kwh');
    await e.clock.advanceAsync(3000);
    e.stepping.on = false;
    await e.clock.advanceAsync(1100);
    expect(Math.abs(e.vehicle.groups.capacityAh! - e.dev.snapshot().fullChargeAh)).toBeLessThanOrEqual(0.00005 + 1e-9);
    expect(e.dev.snapshot().fullChargeAh).toBeGreaterThan(120); // 3 x 56.3 Ah at 80 % SOH
    expect(e.wire.some((f) => f.id === 0x1ed)).toBe(true);
  });

  it('goes silent under a comms-loss fault, refuses unknown groups, and counts malformed vehicle frames', async () => {
    const r = await rig();
    await r.clock.advanceAsync(1000);
    const asm = new LeafAnswerAssembler();
    let got: Uint8Array | undefined;
    r.vehicleBus.onFrame((f) => {
      if (f.id === 0x7bb) got = asm.push(f.data) ?? got;
    });
    await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x02, 0x21, 0x42, 0, 0, 0, 0, 0) });
    await r.vehicleBus.send({ id: 0x1f2, extended: false, data: Uint8Array.of(1, 2, 3) });
    await r.clock.advanceAsync(5);
    expect(Array.from(got!)).toEqual([0x7f, 0x21, 0x31]);
    expect(r.leaf.stats.malformedIgnored).toBe(1);
    const f = r.dev.injectFault({ kind: 'comms-loss' });
    const t = r.clock.now();
    await r.clock.advanceAsync(1000);
    expect(r.wire.filter((x) => x.timestamp! > t && [0x1db, 0x1dc, 0x55b, 0x5bc, 0x7bb].includes(x.id))).toEqual([]);
    expect(r.leaf.stats.silencedByCommsLoss).toBeGreaterThan(90);
    f.clear();
    await r.clock.advanceAsync(100);
    expect(since(r, r.clock.now() - 50, 0x1db).length).toBeGreaterThan(3);
  });
});
