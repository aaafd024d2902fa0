/**
 * The Renault Zoe Gen1 LBC profile: its frames against the capture-based log of Battery-Emulator, and read back by
 * a controller-side decoder written from the cited sources only (examples/controllers/zoe-vehicle/zoe-decoder.ts).
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import type { CanFrame } from '../../../../protocols/can/frame';
import { ZoeVehicle } from '../../../../examples/controllers/zoe-vehicle/controller';
import { decodeZoeFrame, type ZoeBroadcast } from '../../../../examples/controllers/zoe-vehicle/zoe-decoder';
import { LeafAnswerAssembler } from '../../../../examples/controllers/leaf-vehicle/leaf-decoder';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs } from '../../../../test/support/native-pack-rig';
import { emptySnapshot } from '../../device/snapshot';
import { attachRenaultZoe, type ZoeVariant } from './renault-zoe-profile';
import { ZoeFrameEncoder } from './zoe-frames';
import { ZOE_DTC, zoeActiveDtcs } from './zoe-dtcs';
import { BmsFlag } from '../../logic/flags';

const db = loadDbc(join(__dirname, '../../../../data/dbc/renault-zoe.dbc'));

/**
 * Frames of dalathegreat/Battery-Emulator test/can_log_based/can_logs/28_RenaultZoe1_base_pid.txt @ 62532e94
 * ("synthetic, based on the real DDT4ALL capture": 96 cells at 3700 mV, 0 A, 84.98 % SOC, 18-21 degC).
 */
const LOG: Record<number, number[]> = {
  0x155: [0x00, 0x07, 0xd0, 0x00, 0x84, 0xc8, 0x00, 0x00],
  0x424: [0x00, 0x00, 0x3c, 0x3c, 0x3a, 0x63, 0x55, 0x3d],
  0x425: [0x00, 0x00, 0x00, 0x00, 0x02, 0x1c, 0x01, 0x0e],
  0x427: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x37, 0x00],
  0x42e: [0x00, 0x00, 0x00, 0x5c, 0x80, 0x07, 0x80, 0x00],
  0x445: [0x00, 0x00, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00],
  0x654: [0x00, 0x00, 0x00, 0x55, 0x00, 0x00, 0x00, 0x00],
};
/** First frames of the log's group answers: `10 len 61 gg`. */
const LOG_FIRST: Record<number, number> = { 0x41: 0x7e, 0x42: 0x46, 0x03: 0x1d, 0x04: 0x4f, 0x07: 0x0e, 0x61: 0x14 };

const rig = nativeRigs((variant: ZoeVariant = 'ze22', o: ConstructorParameters<typeof ZoeVehicle>[3] = {}) => ({
  packId: variant === 'ze22' ? 'renault-zoe-22kwh' : 'renault-zoe-41kwh',
  seed: 6,
  attach: (dev, bus) => attachRenaultZoe(dev, bus, { variant }),
  vehicle: (bus, clock) => new ZoeVehicle('pack1', bus, clock, { pollIntervalS: 0.25, ...o }),
}));

describe('Renault Zoe Gen1 LBC profile', () => {
  it('encodes the logged state into the logged bytes, and the decoder and the DBC read the log as stated', () => {
    const s = emptySnapshot();
    Object.assign(s, { current: 0, soc: 0.8498, soh: 0.99, cellVMax: 3.7, cellVMin: 3.7, cellTMin: 18, cellTMax: 21, tempAvg: 20, packVoltage: 370, remainingAh: 22000 / 355.2 });
    s.chargeCurrentLimit = 30000 / s.packVoltage; // 0x3C x 500 W
    s.dischargeCurrentLimit = 30000 / s.packVoltage;
    const enc = new ZoeFrameEncoder();
    const ours: Record<number, CanFrame> = {
      0x155: enc.power155(s),
      0x424: enc.status424(s, 0),
      0x425: enc.cells425(s),
      0x427: enc.energy427(s, 355.2),
      0x42e: enc.voltage42E(s),
      0x445: enc.heartbeat445(0),
      0x654: enc.soc654(s),
    };
    const known: Record<number, number[]> = { 0x155: [1, 2, 4, 5], 0x424: [0, 1, 2, 3, 4, 5, 6, 7], 0x425: [4, 5, 6, 7], 0x427: [6, 7], 0x42e: [3, 4, 5, 6], 0x445: [2], 0x654: [3] };
    for (const [id, bytes] of Object.entries(known)) for (const i of bytes) expect({ id: Number(id).toString(16), i, b: ours[Number(id)]!.data[i] }).toEqual({ id: Number(id).toString(16), i, b: LOG[Number(id)]![i] });
    const b: ZoeBroadcast = { badHeartbeats: 0 };
    for (const [id, d] of Object.entries(LOG)) decodeZoeFrame(Number(id), Uint8Array.from(d), b);
    expect(b).toMatchObject({ current: 0, soh: 99, tempMin: 18, tempMax: 21, cellMax: 3.7, cellMin: 3.7, kwhRemaining: 22, tempAvg: 20, soc: 85, badHeartbeats: 0 });
    expect(b.displaySoc).toBeCloseTo(84.98, 6);
    expect(db.decode({ id: 0x155, extended: false, data: Uint8Array.from(LOG[0x155]!) }).signals.DisplaySOC).toBeCloseTo(84.98, 6);
    expect(db.decode({ id: 0x425, extended: false, data: Uint8Array.from(LOG[0x425]!) }).signals.CellVoltageMax).toBeCloseTo(3.7, 6);
    expect(db.decode({ id: 0x424, extended: false, data: Uint8Array.from(LOG[0x424]!) }).signals.CellTemperatureMax).toBe(21);
  });

  it('answers every group with the logged first frame, only while 0x423 comes, and reads back every cell within 1 mV', async () => {
    const r = await rig('ze22');
    const firsts = new Map<number, number>();
    r.vehicleBus.onFrame((f) => {
      if (f.id === 0x7bb && f.data[0] === 0x10) firsts.set(f.data[3]!, f.data[1]!);
    });
    r.dev.setCurrent(-20);
    await r.clock.advanceAsync(4000);
    r.stepping.on = false;
    await r.clock.advanceAsync(1600);
    expect(Object.fromEntries(firsts)).toEqual(LOG_FIRST);
    const s = r.dev.snapshot();
    const b = r.vehicle.broadcast;
    const g = r.vehicle.groups;
    expect(Math.abs(b.current! - s.current)).toBeLessThanOrEqual(0.125 + 1e-9);
    expect(Math.abs(b.displaySoc! - s.soc * 100)).toBeLessThanOrEqual(0.00125 + 1e-9);
    expect(Math.abs(b.packVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(b.tempMax! - s.cellTMax)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(b.cellMin! - s.cellVMin)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(b.soh).toBe(Math.round(s.soh * 100));
    const cells = r.dev.measuredCellVoltages();
    expect(g.cells).toHaveLength(96);
    for (let i = 0; i < 96; i++) expect(Math.abs(g.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(Math.abs(g.realSoc! - s.soc * 100)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(g.moduleTemps).toHaveLength(12);
    expect(b.badHeartbeats).toBe(0);
    // The vehicle goes silent: the broadcast goes on, diagnostics stop after 1 s.
    r.vehicle.goSilent('test');
    await r.clock.advanceAsync(1100);
    expect(r.attachment.vehiclePresent).toBe(false);
    const asm = new LeafAnswerAssembler();
    let got: Uint8Array | undefined;
    r.vehicleBus.onFrame((f) => {
      if (f.id === 0x7bb) got = asm.push(f.data) ?? got;
    });
    await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x02, 0x21, 0x03, 0, 0, 0, 0, 0) });
    await r.clock.advanceAsync(100);
    expect(got).toBeUndefined();
    expect(r.attachment.diag.uds.silenced).toBeGreaterThan(0);
    expect(framesSince(r.wire, r.clock.now() - 50, 0x155).length).toBeGreaterThan(3);
  });

  it('reports active faults as DTCs the way Battery-Emulator reads them: 10 C0, then 19 02 09 -> 59 02 + 4-byte records', async () => {
    const direct = zoeActiveDtcs({ ...emptySnapshot(), alarms: BmsFlag.Insulation | BmsFlag.CellUnderVoltage, contactor: 'welded' }, true);
    expect(direct).toEqual([ZOE_DTC.cellUnderVoltage, ZOE_DTC.insulation, ZOE_DTC.canTimeout, ZOE_DTC.contactorStuckClosed]);
    const r = await rig('ze40', { pollIntervalS: 1e6 }); // the vehicle keeps the LBC awake and sends the flow control
    const asm = new LeafAnswerAssembler();
    const answers: Uint8Array[] = [];
    r.vehicleBus.onFrame((f) => {
      if (f.id !== 0x7bb) return;
      const p = asm.push(f.data);
      if (p) answers.push(p);
    });
    const ask = async (...req: number[]): Promise<Uint8Array> => {
      answers.length = 0;
      await r.vehicleBus.send({ id: 0x79b, extended: false, data: Uint8Array.from([req.length, ...req, ...Array(7 - req.length).fill(0)]) });
      await r.clock.advanceAsync(200);
      return answers[0]!;
    };
    // BE's parser [RENAULT-ZOE-GEN1-BATTERY.cpp @ 95860073]: after 59 (and the report type), 4 bytes per code from offset 2.
    const codes = (a: Uint8Array): Array<[number, number]> => Array.from({ length: Math.floor((a.length - 2) / 4) }, (_, i) => [(a[2 + 4 * i]! << 16) | (a[3 + 4 * i]! << 8) | a[4 + 4 * i]!, a[5 + 4 * i]!]);
    await r.clock.advanceAsync(2000);
    expect(Array.from(await ask(0x10, 0xc0))).toEqual([0x50, 0xc0]);
    expect(Array.from(await ask(0x19, 0x02, 0x09))).toEqual([0x59, 0x02]); // nothing active
    // (not isolation here: the tiny controller trips on it and stops the wake-up, after which the LBC stops answering)
    r.dev.injectFault({ kind: 'internal-fault' });
    await r.clock.advanceAsync(4000);
    const a = await ask(0x19, 0x02, 0x09);
    expect(a[0]).toBe(0x59);
    expect(codes(a)).toEqual([[0x0c9500, 0x09]]); // HV INTERLOCK ERROR
    expect(Array.from(await ask(0x19, 0x02, 0x04))).toEqual([0x59, 0x02]); // mask without testFailed / confirmed
    expect(Array.from(await ask(0x14, 0xff, 0xff, 0xff))).toEqual([0x54]);
  });

  it('ZE40 sends neither 0x427 nor 0x42E; periods as stated', async () => {
    const r = await rig('ze40');
    await r.clock.advanceAsync(3000);
    const count = (id: number): number => r.wire.filter((f) => f.id === id && f.timestamp! >= 1000 && f.timestamp! < 3000).length;
    expect([0x155, 0x424, 0x425, 0x445, 0x654, 0x427, 0x42e].map(count)).toEqual([200, 20, 20, 20, 4, 0, 0]);
  });

  it('a cell drifting low shows only in groups 0x41/0x42; an isolation fault in 0x424; the controller trips on both', async () => {
    const drift = await rig('ze40', { pollIntervalS: 0.5 });
    await driftUntilTripped(drift, { settleMs: 3000, cell: 70, socPerHour: 1 });
    expect(drift.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 71 at /);
    expect(drift.clock.now()).toBeGreaterThan(30_000); // a drift of tens of seconds at least, not the start-up spread
    const iso = await rig('ze40');
    await injectAfter(iso, 2000, { kind: 'insulation', kOhm: 20 }, 4000);
    expect(iso.vehicle.broadcast.isolation).toBe(2);
    expect(iso.vehicle.tripped).toBe('isolation fault in 0x424');
  });
});
