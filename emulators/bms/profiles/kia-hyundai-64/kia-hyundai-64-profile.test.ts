/**
 * The Kia/Hyundai 64 kWh BMS profile: its UDS answers against the real capture of Battery-Emulator, and read back by a
 * controller-side decoder written from the cited sources only (examples/controllers/kia64-vehicle/kia64-decoder.ts).
 */
import { join } from 'node:path';
import { loadDbc } from '../../../../protocols/can/dbc';
import { Kia64Vehicle, type Kia64VehicleOptions } from '../../../../examples/controllers/kia64-vehicle/controller';
import { decodeKia64Frame, decodeKia64Pid, type Kia64Broadcast, type Kia64Pids } from '../../../../examples/controllers/kia64-vehicle/kia64-decoder';
import { LeafAnswerAssembler } from '../../../../examples/controllers/leaf-vehicle/leaf-decoder';
import { driftUntilTripped, framesSince, injectAfter, nativeRigs, silenceVehicle } from '../../../../test/support/native-pack-rig';
import { emptySnapshot } from '../../device/snapshot';
import { attachKiaHyundai64 } from './kia-hyundai-64-profile';
import { Kia64FrameEncoder } from './kia64-frames';
import { kia64Pid } from './kia64-pids';

const db = loadDbc(join(__dirname, '../../../../data/dbc/kia-hyundai-64.dbc'));

/**
 * The answers of dalathegreat/Battery-Emulator test/can_log_based/can_logs/17_Kia64_UDSpolls.txt @ 00ea53e6 ("Real
 * data capture from a battery connected to BE, polling all groups"), 0x7EC frames per PID.
 */
const CAPTURE: Record<number, string[]> = {
  0x0101: ['10 3e 62 01 01 ff f7 e7', '21 ff 32 00 00 00 00 07', '22 ff c1 0d b5 16 14 14', '23 14 15 15 00 00 15 b3', '24 2c b2 01 00 00 78 00', '25 01 98 c7 00 01 97 7e', '26 00 00 95 ec 00 00 90', '27 8b 01 02 1d 12 09 01', '28 5e 7f ff 7f ff 00 00'],
  0x0102: ['10 27 62 01 02 ff ff ff', '21 ff b2 b2 b2 b2 b2 b2', '22 b2 b2 b2 b2 b3 b3 b3', '23 b3 b3 b3 b3 b3 b3 b3', '24 b2 b3 b3 b3 b3 b2 b3', '25 b3 b3 b3 b3 b3 aa aa'],
  0x0103: ['10 27 62 01 03 ff ff ff', '21 ff b3 b3 b3 b3 b3 b3', '22 b3 b3 b3 b3 b3 b3 b3', '23 b3 b3 b3 b3 b2 b2 b3', '24 b2 b2 b3 b2 b3 b2 b3', '25 b3 b3 b3 b3 b3 aa aa'],
  0x0104: ['10 27 62 01 04 ff ff ff', '21 ff b3 b3 b3 b3 b3 b3', '22 b3 b3 b3 b3 b3 b3 b3', '23 b3 b2 b3 b3 b3 b3 b3', '24 b3 b3 b3 b2 b3 b3 b3', '25 b3 b3 b3 b3 b3 aa aa'],
  0x0105: ['10 2e 62 01 05 00 3f ff', '21 90 00 00 00 00 00 00', '22 00 00 15 78 5e 01 21', '23 34 1f 0e 00 01 64 1e', '24 33 03 b6 00 00 5b 00', '25 33 00 00 b3 b3 01 00', '26 1e 00 00 00 00 aa aa'],
  0x0106: ['10 1b 62 01 06 ff ff ff', '21 ff 15 00 d0 00 00 00', '22 00 00 00 00 04 00 00', '23 00 00 08 0f 31 ea 00'],
  0x0111: ['10 19 62 01 11 f8 00 00', '21 00 00 00 00 38 00 00', '22 00 27 00 00 03 b5 00', '23 00 05 94 0d 69 aa aa'],
};
const bytes = (line: string): Uint8Array => Uint8Array.from(line.split(' ').map((h) => parseInt(h, 16)));
function reassemble(lines: string[]): Uint8Array {
  const asm = new LeafAnswerAssembler();
  let out: Uint8Array | undefined;
  for (const l of lines) out = asm.push(bytes(l)) ?? out;
  return out!;
}

const rig = nativeRigs((o: Kia64VehicleOptions = {}, silentVehicle = false) => ({
  packId: 'kia-hyundai-64kwh',
  seed: 7,
  attach: (dev, bus) => attachKiaHyundai64(dev, bus),
  vehicle: (bus, clock) => {
    const v = new Kia64Vehicle('pack1', bus, clock, o);
    if (silentVehicle) v.goSilent('test');
    return v;
  },
}));

describe('Kia/Hyundai 64 kWh BMS profile', () => {
  it('encodes the captured state into the captured bytes, and the decoder reads the capture as the sources state', () => {
    const cap = Object.fromEntries(Object.entries(CAPTURE).map(([k, v]) => [k, reassemble(v)])) as Record<number, Uint8Array>;
    const cells = new Float64Array(98);
    for (const pid of [0x0102, 0x0103, 0x0104]) for (let i = 0; i < 32; i++) cells[(pid - 0x0102) * 32 + i] = (cap[pid]![7 + i]! * 20) / 1000;
    cells[96] = cells[97] = (0xb3 * 20) / 1000;
    const s = emptySnapshot();
    Object.assign(s, { soc: 0.25, soh: 0.95, current: 6.3, packVoltage: 350.9, cellTMax: 22, cellTMin: 20, tempAvg: 21, cellVMax: 3.58, cellVMaxId: 43, cellVMin: 3.56, cellVMinId: 0, insulationKOhm: 0 });
    const st = { snapshot: s, cells, temps: Float64Array.from([20, 20, 21, 21]), relaysOn: true, inverterV: 350, operatingS: 0 };
    for (const pid of [0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0111]) expect({ pid, len: kia64Pid(pid, st)!.length }).toEqual({ pid, len: cap[pid]!.length });
    const known: Record<number, number[]> = {
      0x0101: [0, 1, 2, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29, 54, 55, 60, 61],
      0x0102: Array.from({ length: 39 }, (_, i) => i),
      0x0103: Array.from({ length: 39 }, (_, i) => i),
      0x0104: Array.from({ length: 39 }, (_, i) => i),
    };
    for (const [pid, at] of Object.entries(known)) {
      const ours = kia64Pid(Number(pid), st)!;
      for (const i of at) expect({ pid, i, b: ours[i] }).toEqual({ pid, i, b: cap[Number(pid)]![i] });
    }
    // The capture's BMS SOC (0101, 25.0 %) and display SOC (0105, 25.5 %) differ; the emulator sends one SOC in both.
    const five = kia64Pid(0x0105, { ...st, snapshot: { ...s, soc: 0.255 } })!;
    for (const i of [0, 1, 2, 28, 29, 34, 37, 38]) expect({ i, b: five[i] }).toEqual({ i, b: cap[0x0105]![i] });
    const out: Kia64Pids = { cells: [] };
    for (const pid of [0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0111]) expect(decodeKia64Pid(cap[pid]!, out)).toBe(true);
    expect(out).toMatchObject({ relayByte: 7, bmsSoc: 25, current: -6.3, voltage: 350.9, tempMax: 22, tempMin: 20, moduleTemps: [20, 20, 21, 21], cellMax: 3.58, cellMaxNo: 44, cellMin: 3.56, cellMinNo: 1, inverterVoltage: 350, isolationKOhm: 0, soh: 95, displaySoc: 25.5 });
    expect(out.cells).toHaveLength(98);
    expect(Math.min(...out.cells)).toBeCloseTo(3.56, 9);
  });

  it('broadcast: the decoder and the DBC read the encoder the same way', () => {
    const s = emptySnapshot();
    Object.assign(s, { soc: 0.6, current: -42.5, packVoltage: 371.3, cellTMin: -3, cellTMax: 27, chargeCurrentLimit: 100, dischargeCurrentLimit: 150, tempAvg: 20 });
    const enc = new Kia64FrameEncoder();
    const b: Kia64Broadcast = { pollTriggers: 0 };
    for (const f of [enc.soc542(s), enc.power594(s), enc.current595(s), enc.temps596(s, 12), enc.sensors5D5(164, 20)]) decodeKia64Frame(f.id, f.data, b);
    expect(b).toMatchObject({ displaySoc: 60, bmsSoc: 60, current: -42.5, voltage: 371.3, tempMin: -3, tempMax: 27, aux12V: 12, waterSensor: 164 });
    expect(Math.abs(b.chargePowerW! - 100 * 371.3)).toBeLessThanOrEqual(10);
    const d = db.decode(enc.current595(s)).signals;
    expect(d.Current).toBeCloseTo(42.5, 6); // + discharge on the wire
    expect(d.Voltage).toBeCloseTo(371.3, 6);
    expect(db.decode(enc.temps596(s, 12)).signals.TemperatureMin).toBe(-3);
    expect(db.decode(enc.power594(s)).signals.ChargePowerAllowed).toBe(Math.round((100 * 371.3) / 5) * 5);
  });

  it('closes its relays for the vehicle, reads back through broadcast and every PID, answers as captured (0xAA padding)', async () => {
    const r = await rig();
    const firsts = new Map<number, string>();
    let lastPad: number | undefined;
    r.vehicleBus.onFrame((f) => {
      if (f.id === 0x7ec && f.data[0] === 0x10) firsts.set((f.data[3]! << 8) | f.data[4]!, Array.from(f.data.subarray(0, 2), (x) => x.toString(16)).join(' '));
      if (f.id === 0x7ec && f.data[0] === 0x25 && f.data[7] !== 0) lastPad = f.data[7];
    });
    r.dev.setCurrent(-30);
    await r.clock.advanceAsync(5000);
    expect(r.dev.snapshot().contactor).toBe('closed');
    r.stepping.on = false;
    await r.clock.advanceAsync(2000); // one full poll cycle (9 PIDs, one per 200 ms) on the frozen state
    expect(Object.fromEntries(firsts)).toMatchObject({ 257: '10 3e', 258: '10 27', 259: '10 27', 260: '10 27', 261: '10 2e', 262: '10 1b', 273: '10 19' });
    expect(lastPad).toBe(0xaa);
    const s = r.dev.snapshot();
    const b = r.vehicle.broadcast;
    const p = r.vehicle.pids;
    expect(Math.abs(b.current! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(b.voltage! - s.packVoltage)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(b.displaySoc! - s.soc * 100)).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(Math.abs(b.tempMax! - s.cellTMax)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(b.tempMin! - s.cellTMin)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(p.current! + s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(p.soh).toBeCloseTo(s.soh * 100, 1);
    expect(p.relayByte! & 1).toBe(1);
    expect(p.isolationKOhm).toBe(Math.round(s.insulationKOhm));
    expect(Math.abs(p.inverterVoltage! - s.packVoltage)).toBeLessThanOrEqual(1);
    const cells = r.dev.measuredCellVoltages();
    expect(p.cells).toHaveLength(98);
    for (let i = 0; i < 98; i++) expect(Math.abs(p.cells[i]! - cells[i]!)).toBeLessThanOrEqual(0.01 + 1e-9);
    expect(p.serial).toMatch(/^HIL-KIA64/);
    expect(r.attachment.diag.isotp).toMatchObject({ txTimeouts: 0, sequenceErrors: 0, malformed: 0 });
  });

  it('the vehicle goes silent: relays open within 0.5 s, asleep after 10 s, awake again on the next 0x200', async () => {
    const r = await rig();
    const t = await silenceVehicle(r, 3000, 700);
    expect(r.attachment.vehicleLost).toBe(true);
    expect(r.dev.snapshot().contactor).toBe('open');
    expect(framesSince(r.wire, r.clock.now() - 200, 0x595).length).toBeGreaterThan(0); // still awake
    await r.clock.advanceAsync(10_000);
    expect(r.attachment.awake).toBe(false);
    expect(r.wire.filter((f) => f.timestamp! > t + 10_600 && f.id !== 0x7e4).length).toBe(0);
    await r.vehicleBus.send({ id: 0x7e4, extended: false, data: Uint8Array.of(0x03, 0x22, 0x01, 0x01, 0, 0, 0, 0) });
    await r.clock.advanceAsync(100);
    expect(r.wire.filter((f) => f.id === 0x7ec && f.timestamp! > t).length).toBe(0);
    expect(r.attachment.diag.uds.silenced).toBeGreaterThan(0);
    await r.vehicleBus.send({ id: 0x200, extended: false, data: Uint8Array.of(0, 0x80, 0xd8, 0x10, 0, 0x3b, 0xd0, 0) });
    await r.clock.advanceAsync(150);
    expect(r.attachment.awake).toBe(true);
    expect(framesSince(r.wire, r.clock.now() - 120, 0x542).length).toBeGreaterThan(0);
  });

  it('a frozen 0x200 is no keep-alive; a missing needed frame keeps the relays open', async () => {
    const r = await rig({}, true);
    const send = (id: number, d: number[]): Promise<void> => r.vehicleBus.send({ id, extended: false, data: Uint8Array.from(d) });
    for (let i = 0; i < 100; i++) {
      await send(0x200, [0, 0x80, 0xd8, 0x10, 0, 0x3b, 0xd0, 0]); // byte 5 never rolls
      if (i % 10 === 0) for (const id of [0x553, 0x57f, 0x2a1]) await send(id, [0, 0, 0, 0, 0, 0, 0, 0]);
      await r.clock.advanceAsync(10);
    }
    expect(r.attachment.stuckCounters).toBeGreaterThan(90);
    expect(r.dev.snapshot().contactor).toBe('open');
    for (let i = 0; i < 300; i++) {
      await send(0x200, [0, 0x80, 0xd8, 0x10, 0, [0x3b, 0x7b, 0xbb, 0xfb][i % 4]!, 0xd0, 0]);
      if (i % 10 === 0) for (const id of [0x553, 0x57f]) await send(id, [0, 0, 0, 0, 0, 0, 0, 0]); // no 0x2A1
      await r.clock.advanceAsync(10);
    }
    expect(r.attachment.vehicleLost).toBe(false);
    expect(r.dev.snapshot().contactor).toBe('open');
  });

  it("the tester's relay I/O control: refused in the default session, holds the relays open in the extended one until it ends", async () => {
    const r = await rig({ pollEvery: 0 });
    await r.clock.advanceAsync(3000);
    expect(r.dev.snapshot().contactor).toBe('closed');
    const answers: string[] = [];
    const asm = new LeafAnswerAssembler();
    r.vehicleBus.onFrame((f) => {
      const p = f.id === 0x7ec ? asm.push(f.data) : undefined;
      if (p) answers.push(Array.from(p, (x) => x.toString(16).padStart(2, '0')).join(' '));
    });
    const req = async (d: number[]): Promise<void> => {
      await r.vehicleBus.send({ id: 0x7e4, extended: false, data: Uint8Array.from([...d, 0, 0, 0, 0, 0, 0, 0].slice(0, 8)) });
      await r.clock.advanceAsync(20);
    };
    await req([0x04, 0x2f, 0xf0, 0x32, 0x00]);
    await req([0x02, 0x10, 0x03]);
    await req([0x04, 0x2f, 0xf0, 0x32, 0x00]);
    await req([0x04, 0x2f, 0xf0, 0x33, 0x00]);
    expect(answers).toEqual(['7f 2f 7f', '50 03 00 32 01 f4', '6f f0 32 00', '7f 2f 31']);
    await r.clock.advanceAsync(1000);
    expect(r.attachment.heldOpenByTester).toBe(true);
    expect(r.dev.snapshot().contactor).toBe('open');
    await r.clock.advanceAsync(4500); // S3: 5 s after the last request the extended session ends
    expect(r.attachment.heldOpenByTester).toBe(false);
    await r.clock.advanceAsync(3000);
    expect(r.dev.snapshot().contactor).toBe('closed');
    await req([0x02, 0x10, 0x03]);
    await req([0x04, 0x2f, 0xf0, 0x31, 0x00]);
    expect(r.attachment.heldOpenByTester).toBe(true);
    await req([0x02, 0x10, 0x01]);
    expect(r.attachment.heldOpenByTester).toBe(false);
  });

  it('a cell drifting low shows only in the PID polls; the controller trips and opens the relays over UDS', async () => {
    const r = await rig({ maxCellDeviationV: 0.1 });
    await driftUntilTripped(r, { settleMs: 3000, cell: 70, socPerHour: 1 });
    expect(r.vehicle.tripped).toMatch(/cell deviation \d+ mV \(cell 71 at /);
    expect(r.clock.now()).toBeGreaterThan(30_000);
    await r.clock.advanceAsync(600);
    expect(r.attachment.heldOpenByTester).toBe(true); // BE's fault sequence: 10 03, 2F F0 32 00 on the next two poll slots
    expect(r.dev.snapshot().contactor).toBe('open');
  });

  it('isolation, interlock and contactor faults as the controller sees them', async () => {
    const iso = await rig({ minInsulationKOhm: 100 });
    await injectAfter(iso, 3000, { kind: 'insulation', kOhm: 20 }, 3000);
    expect(iso.vehicle.pids.isolationKOhm).toBe(20);
    expect(iso.vehicle.tripped).toBe('isolation 20 kOhm');
    expect(iso.dev.snapshot().contactor).toBe('open');
    const hvil = await rig();
    await injectAfter(hvil, 3000, { kind: 'internal-fault' }, 4000);
    expect(hvil.dev.snapshot().contactor).toBe('open');
    expect(hvil.vehicle.pids.relayByte).toBe(0);
    const weld = await rig();
    await weld.clock.advanceAsync(3000);
    weld.dev.injectFault({ kind: 'contactor-welded' });
    weld.vehicle.goSilent('test');
    await weld.clock.advanceAsync(1000);
    expect(weld.attachment.vehicleLost).toBe(true);
    expect(weld.dev.snapshot().contactor).toBe('welded');
    const dead = await rig();
    dead.dev.injectFault({ kind: 'contactor-fails-to-close' });
    await dead.clock.advanceAsync(4000);
    expect(dead.attachment.vehicleLost).toBe(false);
    expect(dead.vehicle.pids.relayByte).toBe(0);
  });
});
