/**
 * The LV CAN profile of the BMS emulator read by a real inverter-side stack: python-can 4.1 (socketcand interface)
 * connected to our socketcand hub, the emulator attached to the hub in-process (`SocketcandServer.attach`), and
 * python3-canmatrix decoding every battery message with data/dbc/pylon-lv.dbc (sma-lv.dbc for the SMA
 * variant). Python also sends 0x305 heartbeats and a malformed 0x305; the emulator counts both. The python side is
 * test/interop/py/bms_lv_peer.py; we wait on its JSON lines (events), never on a timer.
 */
import { join } from 'node:path';
import { createBmsDevice, type BmsBenchDevice } from '../../emulators/bms/factory';
import type { CanBus } from '../../protocols/can/bus';
import { loadDbc } from '../../protocols/can/dbc';
import { hexData, type CanFrame } from '../../protocols/can/frame';
import { describeWithPeers } from '../support/peers';
import type { PyEvent } from '../support/py-peer';
import { useSocketcandPeerRig } from '../support/socketcand-peer-rig';

const SCRIPT = join(__dirname, 'py', 'bms_lv_peer.py');
const DBC_DIR = join(__dirname, '../../data/dbc');
/** Resolves once `n` frames with `id` passed the bus (after the profile's own listener saw them). */
function countFrames(bus: CanBus, id: number, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = bus.onFrame((f: CanFrame) => {
      if (f.id === id && ++seen === n) {
        off();
        resolve();
      }
    });
  });
}

describeWithPeers(['python3-can', 'python3-canmatrix'], 'BMS LV CAN interop: python-can + canmatrix as the inverter, on our socketcand hub', () => {
  const rig = useSocketcandPeerRig();

  async function run(bms: BmsBenchDevice, dbc: string, channel: string): Promise<{ frames: PyEvent[]; bus: CanBus }> {
    const bus = rig.server.attach(channel);
    const heartbeatsIn = countFrames(bus, 0x305, 4);
    rig.onTeardown(bms.attachCan(bus));
    const py = rig.startPeer(SCRIPT, channel, ['--dbc', join(DBC_DIR, dbc), '--heartbeats', '3', '--malformed', '1']);
    await py.next('ready');
    await py.next('sent');
    await heartbeatsIn;
    const done = await py.next('done');
    expect(done.missing).toEqual([]);
    return { frames: py.take('frame'), bus };
  }

  it('Pylontech variant: every battery message decodes with canmatrix to what the BMS reports', async () => {
    const bms = createBmsDevice({ name: 'lv', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv', params: { seed: 6, soc: 72, periodMs: 100, bmsName: 'INTEROP-PYLON' } });
    for (let i = 0; i < 5; i++) bms.step(1);
    bms.setInput('current', -21.5);
    bms.step(1); // not stepped again: the snapshot (and every cycle's frames) stays the same during the test
    const db = loadDbc(join(DBC_DIR, 'pylon-lv.dbc'));
    const { frames } = await run(bms, 'pylon-lv.dbc', 'lvbus');
    const s = bms.device.snapshot();
    const byId = new Map(frames.map((f) => [f.id as number, f]));
    expect([...byId.keys()].sort()).toEqual(db.messages.filter((m) => m.senders.includes('BMS')).map((m) => m.frameId).sort());
    // Python's decoding equals ours, signal by signal, for every message.
    for (const [id, f] of byId) {
      const ours = db.decode({ id, extended: false, data: Buffer.from(f.data as string, 'hex') }).signals;
      const theirs = f.signals as Record<string, number>;
      for (const [name, v] of Object.entries(ours)) expect({ id, name, v: theirs[name] }).toEqual({ id, name, v: expect.closeTo(v, 6) as number });
    }
    const sig = (id: number): Record<string, number> => byId.get(id)!.signals as Record<string, number>;
    expect(sig(0x355).SOC).toBe(Math.round(s.soc * 100));
    expect(Math.abs(sig(0x355).SOC! - 72)).toBeLessThanOrEqual(1);
    expect(Math.abs(sig(0x356).BatteryCurrent! - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(sig(0x356).BatteryCurrent).toBeCloseTo(-21.5, 1);
    expect(Math.abs(sig(0x356).BatteryVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(sig(0x351).ChargeCurrentLimit! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(sig(0x35c).ChargeEnable).toBe(1);
    expect(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => sig(0x370)[`Name1Char${i}`]!))).toBe('INTEROP-');
    expect(bms.signal('heartbeats')).toBe(3);
    expect(bms.signal('malformedIgnored')).toBe(1);
    expect(bms.device.logic.watchdog.beats).toBe(3);
  });

  it('SMA variant: little-endian, charge limit first; frames decode with canmatrix and sma-lv.dbc', async () => {
    const bms = createBmsDevice({ name: 'sma', pack: 'tesla-model-s-module', protocol: 'sma-lv', params: { seed: 2, soc: 40 } });
    for (let i = 0; i < 5; i++) bms.step(1);
    const { frames } = await run(bms, 'sma-lv.dbc', 'smabus');
    const s = bms.device.snapshot();
    const byId = new Map(frames.map((f) => [f.id as number, f.signals as Record<string, number>]));
    expect(byId.size).toBe(7);
    expect(Math.abs(byId.get(0x351)!.DischargeCurrentLimit! - s.dischargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(byId.get(0x356)!.BatteryVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(byId.get(0x355)!.SOC).toBe(Math.round(s.soc * 100));
    expect(hexData(Buffer.from(frames.find((f) => f.id === 0x35e)!.data as string, 'hex'))).toBe(Buffer.from('SMA     ').toString('hex').toUpperCase());
    expect(bms.signal('heartbeats')).toBe(3);
  });

  it('sma-bigendian variant: frames decode with canmatrix and sma-lv-bigendian.dbc', async () => {
    const bms = createBmsDevice({ name: 'smabe', pack: 'tesla-model-s-module', protocol: 'sma-lv', params: { seed: 2, soc: 40, variant: 'sma-bigendian' } });
    for (let i = 0; i < 5; i++) bms.step(1);
    const { frames } = await run(bms, 'sma-lv-bigendian.dbc', 'smabebus');
    const s = bms.device.snapshot();
    const byId = new Map(frames.map((f) => [f.id as number, f.signals as Record<string, number>]));
    expect(Math.abs(byId.get(0x351)!.DischargeCurrentLimit! - s.dischargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(byId.get(0x351)!.ChargeCurrentLimit! - s.chargeCurrentLimit)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs(byId.get(0x356)!.BatteryVoltage! - s.packVoltage)).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});
