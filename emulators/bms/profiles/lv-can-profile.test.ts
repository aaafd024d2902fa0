import { join } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import type { CanBus } from '../../../protocols/can/bus';
import { loadDbc, type Database } from '../../../protocols/can/dbc';
import { makeFrame, type CanFrame } from '../../../protocols/can/frame';
import { openBus } from '../../../protocols/can/registry';
import { BmsDevice } from '../device/bms-device';
import type { BmsSnapshot } from '../device/snapshot';
import { loadPackFixture } from '../pack/fixtures';
import { attachLvCan } from './lv-can-profile';
import type { CanProfileAttachment } from './can-link';

const DBC_DIR = join(__dirname, '../../../data/dbc');
const pylonDb = loadDbc(join(DBC_DIR, 'pylon-lv.dbc'));
const smaDb = loadDbc(join(DBC_DIR, 'sma-lv.dbc'));

let n = 0;
interface Rig {
  clock: VirtualClock;
  dev: BmsDevice;
  battery: CanBus;
  inverter: CanBus;
  got: CanFrame[];
  link?: CanProfileAttachment;
}
const rigs: Rig[] = [];

async function rig(pack = 'lfp-lishen-16s-202ah'): Promise<Rig> {
  const clock = new VirtualClock();
  const channel = `virtual:lv-profile-${n++}`;
  const battery = await openBus(channel, { clock });
  const inverter = await openBus(channel, { clock });
  const dev = new BmsDevice(loadPackFixture(pack), { seed: 3, initialSoc: 0.6, clock });
  for (let i = 0; i < 5; i++) {
    clock.advance(1000);
    dev.step(1); // through precharge: contactor closed, limits up
  }
  const got: CanFrame[] = [];
  inverter.onFrame((f) => got.push(f));
  const r = { clock, dev, battery, inverter, got };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    r.link?.detach();
    await r.battery.close();
    await r.inverter.close();
  }
});

/** Decode every frame with the DBC (each must be a known message of exactly its length). */
function decodeAll(db: Database, frames: CanFrame[]): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  for (const f of frames) {
    const d = db.decode(f);
    expect({ id: f.id, len: f.data.length }).toEqual({ id: f.id, len: d.message.length });
    out.set(f.id, d.signals);
  }
  return out;
}

function chars(sig: Record<string, number>, prefix: string): string {
  return Array.from({ length: 8 }, (_, i) => String.fromCharCode(sig[`${prefix}${i}`]!)).join('');
}

/** Check the common LV signals against the snapshot, within each field's scale. */
function expectCommon(d: Map<number, Record<string, number>>, s: Readonly<BmsSnapshot>): void {
  const lim = d.get(0x351)!;
  expect(lim.ChargeVoltageLimit).toBeCloseTo(s.chargeVoltageLimit, 1);
  expect(lim.DischargeVoltageLimit).toBeCloseTo(s.dischargeVoltageLimit, 1);
  expect(Math.abs(lim.ChargeCurrentLimit! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
  expect(Math.abs(lim.DischargeCurrentLimit! - s.dischargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
  const soc = d.get(0x355)!;
  expect(soc.SOC).toBe(Math.round(s.soc * 100));
  expect(soc.SOH).toBe(Math.round(s.soh * 100));
  // Pylontech sends 4 bytes (no 0.01 % SOC); the SMA variant adds it.
  if (soc.SOC_HiRes !== undefined) expect(Math.abs(soc.SOC_HiRes - s.soc * 100)).toBeLessThanOrEqual(0.005 + 1e-9);
  const m = d.get(0x356)!;
  expect(Math.abs(m.BatteryVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
  expect(Math.abs(m.BatteryCurrent! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
  expect(Math.abs(m.BatteryTemperature! - s.tempAvg)).toBeLessThanOrEqual(0.05 + 1e-9);
}

describe('attachLvCan, Pylontech variant (data/dbc/pylon-lv.dbc)', () => {
  it('sends every battery message of the DBC at once, then every 1 s, decoding to the snapshot', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery, { variant: 'pylon', bmsName: 'SECOND-LIFE-LFP' });
    const batteryIds = pylonDb.messages.filter((m) => m.senders.includes('BMS')).map((m) => m.frameId).sort();
    expect([...new Set(r.got.map((f) => f.id))].sort()).toEqual(batteryIds);
    const s = r.dev.snapshot();
    const d = decodeAll(pylonDb, r.got);
    expectCommon(d, s);
    expect(chars(d.get(0x35e)!, 'NameChar')).toBe('PYLON   ');
    expect(chars(d.get(0x370)!, 'Name1Char') + chars(d.get(0x371)!, 'Name2Char')).toBe('SECOND-LIFE-LFP ');
    const x = d.get(0x373)!;
    expect(x.MinCellVoltage).toBeCloseTo(s.cellVMin, 3);
    expect(x.MaxCellVoltage).toBeCloseTo(s.cellVMax, 3);
    expect(Math.abs(x.MaxCellTemperature! - s.cellTMax)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(d.get(0x379)!.InstalledCapacity).toBe(Math.round(s.nominalAh));
    expect(d.get(0x35f)!.CapacityAvailable).toBe(Math.round(s.fullChargeAh));
    expect(d.get(0x372)!).toMatchObject({ ModulesOk: s.modules, ModulesBlockingCharge: 0, ModulesBlockingDischarge: 0 });
    expect(d.get(0x35a)!).toMatchObject({ GeneralAlarm: 2, HighVoltageAlarm: 2, GeneralWarning: 2 }); // 10 = OK
    expect([...r.got.find((f) => f.id === 0x35a)!.data]).toEqual([0xaa, 0xaa, 0xaa, 0x02, 0xaa, 0xaa, 0xaa, 0x02]);
    expect(d.get(0x35c)!).toMatchObject({ ChargeEnable: 1, DischargeEnable: 1 });

    const first = r.got.length;
    r.clock.advance(999);
    expect(r.got.length).toBe(first);
    r.clock.advance(1);
    expect(r.got.length).toBe(2 * first);
    expect(r.link.stats.framesSent).toBe(2 * first);
  });

  it('encodes the state current at each cycle', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery, { variant: 'pylon' });
    for (const amps of [-50, 30, -7.5]) {
      r.got.length = 0;
      r.dev.setCurrent(amps);
      r.clock.advance(1000);
      r.dev.step(1); // after the cycle: frames must show the state at the next one, not this one
      expect(r.got.length).toBe(13);
      const before = decodeAll(pylonDb, r.got).get(0x356)!.BatteryCurrent!;
      r.got.length = 0;
      r.clock.advance(1000);
      const d = decodeAll(pylonDb, r.got);
      expectCommon(d, r.dev.snapshot());
      expect(Math.abs(d.get(0x356)!.BatteryCurrent! - amps)).toBeLessThan(1);
      expect(before).not.toBeCloseTo(amps, 0);
    }
  });

  it('flags alarms in 0x359 and 0x35A and blocks charge in 0x35C and 0x372', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery, { variant: 'pylon' });
    r.dev.injectFault({ kind: 'internal-fault' });
    for (let i = 0; i < 3; i++) r.dev.step(1);
    r.got.length = 0;
    r.clock.advance(1000);
    const d = decodeAll(pylonDb, r.got);
    // 0x35A pairs: 01 active, 10 OK; 0x359 byte 1 bit 3 system error.
    expect(d.get(0x35a)!).toMatchObject({ GeneralAlarm: 1, BmsInternalAlarm: 1, HighVoltageAlarm: 2 });
    expect(d.get(0x359)!).toMatchObject({ ProtectionSystemError: 1, WarningInternalCommFail: 1 });
    expect(d.get(0x35c)!).toMatchObject({ ChargeEnable: 0, DischargeEnable: 0 });
    expect(d.get(0x372)!).toMatchObject({ ModulesBlockingCharge: r.dev.snapshot().modules });
  });
});

describe('attachLvCan, SMA variant (data/dbc/sma-lv.dbc)', () => {
  it('sends the SMA set every 100 ms in the Pylontech byte and field order', async () => {
    const r = await rig();
    r.dev.injectFault({ kind: 'wrong-value', field: 'chargeCurrentLimit', factor: 0.25 }); // make the limits differ
    r.link = attachLvCan(r.dev, r.battery, { variant: 'sma' });
    const batteryIds = smaDb.messages.filter((m) => m.senders.includes('BMS')).map((m) => m.frameId).sort();
    expect([...new Set(r.got.map((f) => f.id))].sort()).toEqual(batteryIds);
    const s = r.dev.snapshot();
    expect(s.chargeCurrentLimit).not.toBeCloseTo(s.dischargeCurrentLimit, 0);
    const d = decodeAll(smaDb, r.got);
    expectCommon(d, s);
    expect(chars(d.get(0x35e)!, 'NameChar')).toBe('SMA     ');
    expect(d.get(0x35b)!).toMatchObject({ EventCode: 0, EventFlags: 0 });
    // The documented SMA layout is the Pylontech one: the Pylontech DBC reads the same limits.
    expect(pylonDb.decode(r.got.find((f) => f.id === 0x351)!).signals.ChargeCurrentLimit).toBeCloseTo(s.chargeCurrentLimit, 1);
    const perCycle = r.got.length;
    r.clock.advance(1000);
    expect(r.got.length).toBe(11 * perCycle);
  });

  it('reports the alarm bits and the event code in 0x35B', async () => {
    const r = await rig();
    r.dev.injectFault({ kind: 'insulation', kOhm: 1 });
    for (let i = 0; i < 3; i++) r.dev.step(1);
    r.link = attachLvCan(r.dev, r.battery, { variant: 'sma' });
    const s = r.dev.snapshot();
    expect(s.alarms).not.toBe(0);
    const ev = decodeAll(smaDb, r.got).get(0x35b)!;
    expect(ev.EventFlags).toBe(s.alarms);
    expect(ev.EventCode).toBe(Math.log2(s.alarms & -s.alarms) + 1);
    expect(ev.EventCounter).toBe(s.counters.alarmEvents & 0xff);
  });
});

describe('attachLvCan: heartbeat, faults and bad input', () => {
  it('feeds the heartbeat watchdog from 0x305 and the BMS reacts when it stops', async () => {
    const r = await rig('nissan-leaf-24kwh'); // reaction: open the contactors after 3 s of silence
    r.link = attachLvCan(r.dev, r.battery);
    const beat = makeFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0]);
    for (let t = 1; t <= 5; t++) {
      await r.inverter.send(beat);
      r.clock.advance(1000);
      r.dev.step(1);
    }
    expect(r.link.stats.heartbeats).toBe(5);
    expect(r.dev.snapshot().heartbeatLost).toBe(false);
    expect(r.dev.contactorClosed()).toBe(true);
    for (let t = 0; t < 5; t++) {
      r.clock.advance(1000);
      r.dev.step(1);
    }
    expect(r.dev.snapshot().heartbeatLost).toBe(true);
    expect(r.dev.contactorClosed()).toBe(false);
  });

  it('counts and ignores malformed 0x305 frames; other ids are not its business', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery);
    await r.inverter.send(makeFrame(0x305, [0, 0, 0, 0]));
    await r.inverter.send(makeFrame(0x305, [], { rtr: true, dlc: 8 }));
    await r.inverter.send(makeFrame(0x305, []));
    await r.inverter.send(makeFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0], { extended: true }));
    await r.inverter.send(makeFrame(0x123, [1]));
    expect(r.link.stats).toMatchObject({ malformedIgnored: 3, heartbeats: 0 });
    expect(r.dev.logic.watchdog.beats).toBe(0);
    r.clock.advance(1000);
    expect(r.link.stats.framesSent).toBe(26); // still cycling
  });

  it('comms-loss silences the cycle and the heartbeat; clearing it resumes', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery);
    const fault = r.dev.injectFault({ kind: 'comms-loss' });
    r.got.length = 0;
    await r.inverter.send(makeFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0]));
    r.clock.advance(3000);
    expect(r.got).toHaveLength(0);
    expect(r.link.stats).toMatchObject({ silencedByCommsLoss: 3, heartbeats: 0 });
    fault.clear();
    r.clock.advance(1000);
    expect(r.got).toHaveLength(13);
  });

  it('stale data keeps the cycle going with the frozen values', async () => {
    const r = await rig();
    r.link = attachLvCan(r.dev, r.battery);
    r.dev.injectFault({ kind: 'stale-data' });
    const frozen = decodeAll(pylonDb, r.got.splice(0)).get(0x356)!;
    r.dev.setCurrent(-80);
    for (let i = 0; i < 5; i++) {
      r.dev.step(1);
      r.clock.advance(1000);
    }
    expect(r.dev.pack.ahDischarged).toBeGreaterThan(0); // the pack did move
    const later = decodeAll(pylonDb, r.got.splice(-13)).get(0x356)!;
    expect(later).toEqual(frozen);
  });

  it('detach stops the cycle; a closed bus is counted, not thrown', async () => {
    const r = await rig();
    const link = attachLvCan(r.dev, r.battery);
    await r.battery.close();
    r.clock.advance(1000);
    await Promise.resolve();
    expect(link.stats.sendErrors).toBe(13);
    link.detach();
    link.detach();
    r.clock.advance(5000);
    expect(link.stats.sendErrors).toBe(13);
    expect(r.clock.pending).toBe(0);
  });
});
