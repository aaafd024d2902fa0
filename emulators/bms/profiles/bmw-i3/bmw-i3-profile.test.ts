/**
 * The BMW i3 SME profile read back by a controller-side decoder written from the cited sources only
 * (examples/controllers/i3-vehicle/i3-decoder.ts: Battery-Emulator and OVMS readings), with the tiny i3 controller
 * playing the vehicle as Battery-Emulator does.
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import type { CanFrame } from '../../../../protocols/can/frame';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs, type NativeRig } from '../../../../test/support/native-pack-rig';
import { I3Vehicle } from '../../../../examples/controllers/i3-vehicle/controller';
import { I3AnswerAssembler, j1850 } from '../../../../examples/controllers/i3-vehicle/i3-decoder';
import { attachBmwI3, type BmwI3Attachment } from './bmw-i3-profile';
import { I3_DTC, i3ActiveDtcs } from './i3-dtcs';
import { emptySnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';

const db = loadDbc(join(__dirname, '../../../../data/dbc/bmw-i3.dbc'));

type Rig = NativeRig<BmwI3Attachment, I3Vehicle> & { sme: BmwI3Attachment };
const opened = nativeRigs((vehicleOptions: ConstructorParameters<typeof I3Vehicle>[3] = {}, packId: string = 'bmw-i3-60ah') => ({
  packId,
  seed: 4,
  attach: (dev, bus) => attachBmwI3(dev, bus),
  vehicle: (bus, clock) => new I3Vehicle('pack1', bus, clock, { pollIntervalS: 0.25, ...vehicleOptions }),
}));
const rig = async (...args: Parameters<typeof opened>): Promise<Rig> => opened(...args).then((r) => Object.assign(r, { sme: r.attachment }));

const since = (r: Rig, t: number, id: number): CanFrame[] => framesSince(r.wire, t, id);

/** One UDS request as tester F1 with BE's flow control; the answer from the SID on. */
async function ask(r: Rig, req: number[]): Promise<Uint8Array | undefined> {
  const asm = new I3AnswerAssembler();
  let got: Uint8Array | undefined;
  const off = r.vehicleBus.onFrame((f) => {
    if (f.id !== 0x607 || f.data[0] !== 0xf1) return;
    const p = asm.push(f.data);
    if (p === 'first') void r.vehicleBus.send({ id: 0x6f1, extended: false, data: Uint8Array.of(0x07, 0x30, 0x00, 0x02) });
    else if (p) got = p;
  });
  await r.vehicleBus.send({ id: 0x6f1, extended: false, data: Uint8Array.of(0x07, req.length, ...req) });
  await r.clock.advanceAsync(20);
  off();
  return got;
}

describe('BMW i3 SME profile', () => {
  it('closes on the 0x10B command and reads back within the protocol resolution, every cell through the routine', async () => {
    const r = await rig();
    expect(r.dev.logic.closeRequested).toBe(false);
    await r.clock.advanceAsync(4000);
    expect(r.dev.contactorClosed()).toBe(true);
    r.dev.setCurrent(-40);
    await r.clock.advanceAsync(3000);
    r.stepping.on = false;
    await r.clock.advanceAsync(2100);
    const s = r.dev.snapshot();
    const b = r.vehicle.broadcast;
    const d = r.vehicle.diag;
    expect(b.crcErrors).toBe(0);
    expect(Math.abs(b.current! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(b.current!).toBeLessThan(-39);
    expect(Math.abs(b.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(b.displaySoc! - s.soc * 100)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(b.contactorStatus).toBe(2);
    expect([b.interlock, b.isolationInternal, b.weld, b.requestOpen]).toEqual([1, 1, 0, 0]);
    expect(Math.abs(b.tempMin! - s.cellTMin)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(b.tempMax! - s.cellTMax)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(b.chargeCurrentLimit! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(b.dischargeVoltageLimit! - s.dischargeVoltageLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    const nominal = 96 * ((r.dev.profile.bms.chargeVoltagePerCell + r.dev.profile.bms.dischargeVoltagePerCell) / 2);
    expect(Math.abs(b.energyContentWh! - s.nominalAh * s.soh * nominal)).toBeLessThanOrEqual(10 + 1e-9);
    expect(b.energyContentWh!).toBeLessThan(22050); // Battery-Emulator tells a 60 Ah pack by it
    // Diagnostics (UDS DIDs, OVMS layouts).
    expect(Math.abs(d.soc! - s.soc * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(d.soh).toBe(Math.round(s.soh * 100));
    expect(Math.abs(d.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(d.current! - s.current)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(d.tempMean! - s.tempAvg)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(d.cellMin! - s.cellVMin)).toBeLessThanOrEqual(0.0005 + 1e-9);
    // Every cell, through the per-cell routine, within 1 mV.
    const cells = r.dev.measuredCellVoltages();
    expect(r.vehicle.sweeps).toBeGreaterThan(1);
    expect(d.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(d.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.0005 + 1e-9);
  });

  it('sends each frame at its period, 0x2BD with a valid CRC and a 0..14 alive counter, and every frame decodes with the DBC', async () => {
    const r = await rig();
    await r.clock.advanceAsync(3000);
    const count = (id: number): number => r.wire.filter((f) => f.id === id && f.timestamp! >= 1000 && f.timestamp! < 3000).length;
    expect([0x112, 0x2bd, 0x2f5, 0x239, 0x431, 0x432, 0x1fa, 0x40d].map(count)).toEqual([200, 20, 20, 10, 10, 10, 2, 2]);
    const bd = since(r, 0, 0x2bd);
    bd.forEach((f, i) => {
      expect(f.data[0]).toBe(j1850(f.data, 0x15));
      expect(f.data[1]! & 0x0f).toBe(i % 15);
    });
    for (const id of [0x112, 0x1fa, 0x2bd, 0x2f5, 0x239, 0x40d, 0x431, 0x432, 0x10b, 0x12f]) expect(() => db.decode(since(r, 0, id).pop()!)).not.toThrow();
    expect(db.decode(since(r, 0, 0x112).pop()!).signals.Voltage).toBeCloseTo(r.vehicle.broadcast.voltage!, 6);
    expect(db.decode(since(r, 0, 0x10b).pop()!).signals.ContactorRequest).toBe(1);
  });

  it('opens its contactors within 0.5 s once 0x10B stops, and sleeps 10 s after 0x12F stops', async () => {
    const r = await rig();
    await r.clock.advanceAsync(3000);
    expect(r.dev.contactorClosed()).toBe(true);
    r.vehicle.silent = true;
    await r.clock.advanceAsync(400);
    expect(r.dev.contactorClosed()).toBe(true);
    await r.clock.advanceAsync(300);
    expect(r.sme.vehicleLost).toBe(true);
    expect(r.dev.contactorClosed()).toBe(false);
    await r.clock.advanceAsync(9500);
    expect(r.sme.awake).toBe(false);
    const t = r.clock.now();
    expect(await ask(r, [0x22, 0xdd, 0x68])).toBeUndefined();
    await r.clock.advanceAsync(1000);
    expect(r.wire.filter((f) => f.timestamp! > t && f.id !== 0x6f1)).toEqual([]);
    r.vehicle.silent = false;
    await r.clock.advanceAsync(3000);
    expect(r.sme.awake).toBe(true);
    expect(r.dev.contactorClosed()).toBe(true);
  });

  it('a cell drifting low shows only in the per-cell routine; the controller names the cell and commands the contactors open', async () => {
    const r = await rig();
    await driftUntilTripped(r, { settleMs: 3000, cell: 17, socPerHour: 2 });
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 18 at /); // the routine numbers cells from 1
    expect(r.clock.now()).toBeGreaterThan(60_000);
    await r.clock.advanceAsync(500);
    expect(r.dev.contactorClosed()).toBe(false);
  });

  it('an isolation fault shows in 0x1FA (internal isolation error, warning) and in the open request of 0x112', async () => {
    const r = await rig();
    await injectAfter(r, 3000, { kind: 'insulation', kOhm: 30 }, 4000);
    const b = r.vehicle.broadcast;
    expect([b.isolationInternal, b.isolationWarning, b.requestOpen]).toEqual([2, 2, 1]);
    expect(r.vehicle.tripped).toBe('isolation error reported in 0x1FA');
    expect(r.dev.contactorClosed()).toBe(false);
  });

  it('an interlock (internal-fault) and a welded contactor show in 0x1FA', async () => {
    const r = await rig();
    const f = await injectAfter(r, 3000, { kind: 'internal-fault' }, 3000);
    expect(r.vehicle.broadcast.interlock).toBe(2);
    f.clear();
    r.dev.resetFaults();
    const r2 = await rig();
    await r2.clock.advanceAsync(3000);
    r2.dev.injectFault({ kind: 'contactor-welded' });
    r2.vehicle.silent = true; // the vehicle stops commanding: the SME opens, the contactor stays welded
    await r2.clock.advanceAsync(3000);
    expect(r2.dev.snapshot().contactor).toBe('welded');
    r2.vehicle.silent = false;
    await r2.clock.advanceAsync(1100);
    expect(r2.vehicle.broadcast.weld).toBe(1);
  });

  it('reports faults as UDS DTCs (19 02 09): 59 02, the availability mask, then 3-byte code + status (the two public codes)', async () => {
    // ISO 14229-1 records from offset 3, as BE UdsCanBattery.cpp handle_dtc_response reads a standard UDS answer.
    const codes = (a: Uint8Array): Array<[number, number]> => Array.from({ length: Math.floor((a.length - 3) / 4) }, (_, i) => [(a[3 + 4 * i]! << 16) | (a[4 + 4 * i]! << 8) | a[5 + 4 * i]!, a[6 + 4 * i]!]);
    const r = await rig();
    await r.clock.advanceAsync(3000);
    expect(Array.from((await ask(r, [0x19, 0x02, 0x09]))!)).toEqual([0x59, 0x02, 0x09]);
    r.dev.injectFault({ kind: 'contactor-fails-to-close' });
    r.vehicle.silent = true; // the vehicle stops commanding: the contactors open; then it asks to close again
    await r.clock.advanceAsync(1000);
    r.vehicle.silent = false;
    await r.clock.advanceAsync(4000);
    const a = (await ask(r, [0x19, 0x02, 0x09]))!;
    expect(r.dev.snapshot().latched).not.toBe(0);
    expect(codes(a)).toEqual([[0x21f13d, 0x09]]); // switch contactors: switch-off after a fault
    expect(Array.from((await ask(r, [0x19, 0x02, 0x40]))!)).toEqual([0x59, 0x02, 0x09]);
    expect(i3ActiveDtcs({ ...emptySnapshot(), alarms: BmsFlag.CellUnderVoltage, contactor: 'closed' })).toEqual([I3_DTC.cellSupervision]);
    expect(Array.from((await ask(r, [0x14, 0xff, 0xff, 0xff]))!)).toEqual([0x54]);
  });

  it('60 / 94 / 120 Ah packs are told apart by 0x431 the way Battery-Emulator does', async () => {
    // BE: > 33000 Wh -> 120 Ah, > 22050 Wh -> 94 Ah, else 60 Ah (second-life packs at their fixtures' SOH).
    const generation = (wh: number): number => (wh > 33000 ? 120 : wh > 22050 ? 94 : 60);
    for (const ah of [60, 94, 120]) {
      const r = await rig({}, `bmw-i3-${ah}ah`);
      await r.clock.advanceAsync(1500);
      expect(generation(r.vehicle.broadcast.energyContentWh!)).toBe(ah);
    }
  });

  it('refuses bad 0x10B CRCs and unknown DIDs, and goes silent under comms-loss', async () => {
    const r = await rig();
    await r.clock.advanceAsync(1000);
    await r.vehicleBus.send({ id: 0x10b, extended: false, data: Uint8Array.of(0x00, 0x10, 0xfc) });
    await r.clock.advanceAsync(1);
    expect(r.sme.crcErrors).toBe(1);
    expect(Array.from((await ask(r, [0x22, 0x12, 0x34]))!)).toEqual([0x7f, 0x22, 0x31]);
    expect(Array.from((await ask(r, [0x31, 0x01, 0xad, 0x6e, 97]))!)).toEqual([0x7f, 0x31, 0x31]);
    const f = r.dev.injectFault({ kind: 'comms-loss' });
    const t = r.clock.now();
    await r.clock.advanceAsync(1000);
    expect(r.wire.filter((x) => x.timestamp! > t && [0x112, 0x2bd, 0x607].includes(x.id))).toEqual([]);
    f.clear();
    await r.clock.advanceAsync(100);
    expect(since(r, r.clock.now() - 50, 0x112).length).toBeGreaterThan(3);
  });
});
