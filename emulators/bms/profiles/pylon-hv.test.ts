import { join } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import type { CanBus } from '../../../protocols/can/bus';
import { loadDbc } from '../../../protocols/can/dbc';
import { makeFrame, type CanFrame } from '../../../protocols/can/frame';
import { openBus } from '../../../protocols/can/registry';
import { BmsDevice } from '../device/bms-device';
import { emptySnapshot } from '../device/snapshot';
import { loadPackFixture } from '../pack/fixtures';
import type { CanProfileAttachment } from './can-link';
import { attachPylonHv, PylonHvEncoder } from './pylon-hv';

const db = loadDbc(join(__dirname, '../../../data/dbc/pylon-hv.dbc'));
const REQ = 0x4200;
const ensembleIds = [0x4210, 0x4220, 0x4230, 0x4240, 0x4250, 0x4260, 0x4270, 0x4280, 0x4290];
const systemIds = [0x7310, 0x7320, 0x7330, 0x7340];

let n = 0;
const open: Array<{ a: CanBus; b: CanBus; link?: CanProfileAttachment }> = [];

async function rig(pack = 'bmw-i3-60ah'): Promise<{ clock: VirtualClock; dev: BmsDevice; inverter: CanBus; battery: CanBus; got: CanFrame[]; entry: (typeof open)[number] }> {
  const clock = new VirtualClock();
  const ch = `virtual:hv-${n++}`;
  const battery = await openBus(ch, { clock });
  const inverter = await openBus(ch, { clock });
  const dev = new BmsDevice(loadPackFixture(pack), { seed: 5, initialSoc: 0.7, clock });
  for (let i = 0; i < 5; i++) {
    clock.advance(1000);
    dev.step(1);
  }
  const got: CanFrame[] = [];
  inverter.onFrame((f) => got.push(f));
  const entry: (typeof open)[number] = { a: battery, b: inverter };
  open.push(entry);
  return { clock, dev, inverter, battery, got, entry };
}

afterEach(async () => {
  for (const e of open.splice(0)) {
    e.link?.detach();
    await e.a.close();
    await e.b.close();
  }
});

const request = (type: number, len = 8): CanFrame => makeFrame(REQ, [type, 0, 0, 0, 0, 0, 0, 0].slice(0, len), { extended: true });

describe('Pylon HV CAN profile (data/dbc/pylon-hv.dbc)', () => {
  it('answers 0x4200/0x00 with the ensemble frames, decoding to the snapshot', async () => {
    const r = await rig();
    r.dev.setCurrent(-42);
    r.dev.step(1);
    r.entry.link = attachPylonHv(r.dev, r.battery);
    r.clock.advance(10_000);
    expect(r.got).toHaveLength(0); // it only answers
    await r.inverter.send(request(0x00));
    expect(r.got.map((f) => [f.id, f.extended])).toEqual(ensembleIds.map((id) => [id, true]));
    const s = r.dev.snapshot();
    const d = new Map(r.got.map((f) => [f.id, db.decode(f).signals]));
    for (const f of r.got) expect(f.data.length).toBe(db.decode(f).message.length);
    const close = (a: number, b: number, tol: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol + 1e-9);
    const st = d.get(0x4210)!;
    close(st.Voltage!, s.packVoltage, 0.05);
    close(st.Current!, s.current, 0.05);
    expect(st.Current!).toBeLessThan(-40);
    close(st.Temperature!, s.tempAvg, 0.05);
    expect([st.SOC, st.SOH]).toEqual([Math.round(s.soc * 100), Math.round(s.soh * 100)]);
    const lim = d.get(0x4220)!;
    close(lim.ChargeCutoffVoltage!, s.chargeVoltageLimit, 0.05);
    close(lim.DischargeCutoffVoltage!, s.dischargeVoltageLimit, 0.05);
    close(lim.MaxChargeCurrent!, s.chargeCurrentLimit, 0.05);
    close(lim.MaxDischargeCurrent!, s.dischargeCurrentLimit, 0.05);
    expect(s.dischargeCurrentLimit).toBeGreaterThan(0);
    const cv = d.get(0x4230)!;
    close(cv.MaxCellVoltage!, s.cellVMax, 0.0005);
    close(cv.MinCellVoltage!, s.cellVMin, 0.0005);
    expect([cv.MaxCellVoltageId, cv.MinCellVoltageId]).toEqual([s.cellVMaxId, s.cellVMinId]);
    const ct = d.get(0x4240)!;
    close(ct.MaxCellTemperature!, s.cellTMax, 0.05);
    close(ct.MinCellTemperature!, s.cellTMin, 0.05);
    expect(d.get(0x4250)!).toMatchObject({ BasicStatus: 2, ErrorFlags: 0, AlarmFlags: 0, ProtectionFlags: 0 });
    // Module voltages: the sums of 12 measured elements (i3: 8 modules of 12).
    const cells = r.dev.measuredCellVoltages();
    const modules = Array.from({ length: 8 }, (_, m) => Array.from(cells.slice(m * 12, m * 12 + 12)).reduce((x, y) => x + y, 0));
    close(d.get(0x4260)!.MaxModuleVoltage!, Math.max(...modules), 0.0005);
    close(d.get(0x4260)!.MinModuleVoltage!, Math.min(...modules), 0.0005);
    expect(d.get(0x4280)!).toMatchObject({ ChargeForbidden: 0, DischargeForbidden: 0 });
    expect(r.entry.link.stats).toMatchObject({ requestsAnswered: 1, heartbeats: 1, framesSent: 9 });
  });

  it('answers 0x4200/0x02 with the system frames', async () => {
    const r = await rig();
    r.entry.link = attachPylonHv(r.dev, r.battery, { manufacturer: 'PYLON-HV-EMULATOR', softwareVersion: [2, 3] });
    await r.inverter.send(request(0x02));
    expect(r.got.map((f) => f.id)).toEqual(systemIds);
    const d = new Map(r.got.map((f) => [f.id, db.decode(f).signals]));
    expect(d.get(0x7310)!).toMatchObject({ HardwareVersionType: 1, SoftwareVersionMajor: 2, SoftwareVersionMinor: 3 });
    expect(d.get(0x7320)!).toMatchObject({ TotalSeriesCells: 96, ModulesInSeries: 8, CellsPerModule: 12, CapacityAh: Math.round(r.dev.snapshot().nominalAh) });
    const name = [0x7330, 0x7340]
      .flatMap((id) => Array.from({ length: 8 }, (_, i) => d.get(id)![`Manufacturer${id === 0x7330 ? 1 : 2}Char${i}`]!))
      .map((c) => String.fromCharCode(c))
      .join('');
    expect(name).toBe('PYLON-HV-EMULATO');
  });

  it('forbids charge and discharge with 0xAA in 0x4280 when the BMS does', async () => {
    const r = await rig();
    r.entry.link = attachPylonHv(r.dev, r.battery);
    r.dev.injectFault({ kind: 'internal-fault' });
    r.dev.step(1);
    await r.inverter.send(request(0x00));
    const fb = db.decode(r.got.find((f) => f.id === 0x4280)!).signals;
    expect(fb).toMatchObject({ ChargeForbidden: 0xaa, DischargeForbidden: 0xaa });
    expect(db.decode(r.got.find((f) => f.id === 0x4250)!).signals.ErrorFlags).toBe(0x80);
    expect(db.decode(r.got.find((f) => f.id === 0x4290)!).signals.FaultExtension).toBe(1);
  });

  it('answers on ids + 1 with idOffset 1, and rejects other offsets', async () => {
    const r = await rig();
    r.entry.link = attachPylonHv(r.dev, r.battery, { idOffset: 1 });
    await r.inverter.send(request(0x00));
    await r.inverter.send(request(0x02));
    expect(r.got.map((f) => f.id)).toEqual([...ensembleIds, ...systemIds].map((id) => id + 1));
    expect(() => new PylonHvEncoder({ idOffset: 2 })).toThrow(ConfigError);
  });

  it('answers every request with the state of that moment (request/response on a virtual clock)', async () => {
    const r = await rig();
    r.entry.link = attachPylonHv(r.dev, r.battery);
    const socs: number[] = [];
    r.dev.setCurrent(-50); // within the 60 A limit: 120 A tripped the over-current alarm and stopped the discharge
    const poll = (): void => {
      void r.inverter.send(request(0x00));
      r.clock.setTimeout(poll, 1000);
    };
    r.clock.setTimeout(poll, 1000);
    for (let t = 0; t < 120; t++) {
      r.clock.advance(1000);
      r.dev.step(1);
    }
    for (const f of r.got.filter((x) => x.id === 0x4210)) socs.push(db.decode(f).signals.SOC!);
    expect(socs).toHaveLength(120);
    expect(socs[socs.length - 1]!).toBeLessThan(socs[0]!);
    expect(r.entry.link.stats.requestsAnswered).toBe(120);
    expect(r.dev.snapshot().heartbeatLost).toBe(false);
  });

  it('counts and ignores malformed requests, never crashes; comms-loss silences it', async () => {
    const r = await rig();
    const link = attachPylonHv(r.dev, r.battery);
    r.entry.link = link;
    await r.inverter.send(request(0x00, 4)); // short
    await r.inverter.send(request(0x07)); // unknown type
    await r.inverter.send(makeFrame(REQ, [], { extended: true, rtr: true, dlc: 8 }));
    await r.inverter.send(makeFrame(0x420, [0, 0, 0, 0, 0, 0, 0, 0])); // standard id: not ours
    expect(r.got).toHaveLength(0);
    expect(link.stats).toMatchObject({ malformedIgnored: 3, requestsAnswered: 0, heartbeats: 0 });
    const f = r.dev.injectFault({ kind: 'comms-loss' });
    await r.inverter.send(request(0x00));
    expect(r.got).toHaveLength(0);
    expect(link.stats.silencedByCommsLoss).toBe(1);
    f.clear();
    await r.inverter.send(request(0x00));
    expect(r.got).toHaveLength(9);
    link.detach();
    await r.inverter.send(request(0x00));
    expect(r.got).toHaveLength(9);
  });

  it('hears the inverter commands: null values do nothing, short frames are malformed, comms-loss silences them', async () => {
    const r = await rig();
    const link = attachPylonHv(r.dev, r.battery);
    r.entry.link = link;
    const cmd = (id: number, bytes: number[]): CanFrame => makeFrame(id, [...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8), { extended: true });
    await r.inverter.send(cmd(0x8200, [0x12])); // null
    await r.inverter.send(cmd(0x8210, [0x00, 0x00])); // null
    await r.inverter.send(makeFrame(0x8200, [0x55], { extended: true })); // 1 byte: malformed
    expect(link.stats).toMatchObject({ commandsApplied: 0, malformedIgnored: 1, heartbeats: 0 });
    for (let i = 0; i < 3; i++) r.dev.step(1);
    expect(r.dev.contactorClosed()).toBe(true);
    const f = r.dev.injectFault({ kind: 'comms-loss' });
    await r.inverter.send(cmd(0x8200, [0x55]));
    expect(link.stats).toMatchObject({ commandsApplied: 0, silencedByCommsLoss: 1 });
    f.clear();
    await r.inverter.send(cmd(0x8200, [0x55]));
    await r.inverter.send(cmd(0x3010, [0x01]));
    expect(link.stats).toMatchObject({ commandsApplied: 1, heartbeats: 1 });
    for (let i = 0; i < 3; i++) r.dev.step(1);
    expect(r.dev.contactorClosed()).toBe(false);
    expect(r.got).toHaveLength(0); // commands and heartbeats get no answer
  });

  it('encodes each variant: byte order, current offset and discharge sign', () => {
    const s = { ...emptySnapshot(), chargeCurrentLimit: 50, dischargeCurrentLimit: 80, current: -12.5 };
    const word = (variant: 'pylon' | 'pylon-discharge-positive' | 'battery-emulator', id: number, at: number): number => {
      const enc = new PylonHvEncoder({ variant });
      const f = enc.ensemble(s).find((x) => x.id === id)!;
      return new DataView(f.data.buffer, f.data.byteOffset).getUint16(at, enc.variant.littleEndian);
    };
    expect([word('pylon', 0x4220, 4), word('pylon', 0x4220, 6), word('pylon', 0x4210, 2)]).toEqual([30500, 29200, 29875]);
    expect(word('pylon-discharge-positive', 0x4220, 6)).toBe(30800);
    expect([word('battery-emulator', 0x4220, 4), word('battery-emulator', 0x4220, 6)]).toEqual([500, 800]);
    expect(() => new PylonHvEncoder({ variant: 'nope' as 'pylon' })).toThrow(/unknown Pylon HV variant 'nope' \(known: pylon, pylon-discharge-positive, battery-emulator\)/);
  });
});
