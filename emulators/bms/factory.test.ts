import { join } from 'node:path';
import Ajv from 'ajv';
import { VirtualClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import { makeFrame, type CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import type { BatteryPort } from '../inverter/battery-port';
import type { FaultKind } from './device/fault-spec';
import { BMS_FAULTS, checkBmsParams, createBmsDevice, type BmsFaultSpec } from './factory';

const buses: CanBus[] = [];
let n = 0;
async function pair(clock: VirtualClock): Promise<[CanBus, CanBus]> {
  const ch = `virtual:bms-factory-${n++}`;
  const a = await openBus(ch, { clock });
  const b = await openBus(ch, { clock });
  buses.push(a, b);
  return [a, b];
}
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close();
});

function settle(clock: VirtualClock, step: (dt: number) => void, seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    step(1);
  }
}

describe('createBmsDevice', () => {
  it('builds a Pylontech LV battery from bench parameters; frames, signals and figures', async () => {
    const clock = new VirtualClock();
    const bms = createBmsDevice({ name: 'b1', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv', clock, params: { seed: 4, soc: 80, soh: 70, bmsName: 'RACK-1' } });
    const port: BatteryPort = bms.device; // what an inverter takes
    settle(clock, bms.step, 5);
    const [bat, inv] = await pair(clock);
    const got: CanFrame[] = [];
    inv.onFrame((f) => got.push(f));
    const detach = bms.attachCan(bat);
    expect(got).toHaveLength(13);
    expect(bms.signal('soc') as number).toBeCloseTo(80, 0);
    expect(bms.signal('soh') as number).toBeCloseTo(70, 0);
    expect(port.soc!()).toBeCloseTo(bms.signal('soc') as number, 9);
    expect(bms.signal('contactorClosed')).toBe(true);
    expect(bms.signal('alarm.any')).toBe(false);
    expect(bms.signal('framesSent')).toBe(13);
    expect(bms.signal('chargeCurrentLimit') as number).toBeGreaterThan(0);
    expect(bms.signal('nope')).toBeUndefined();
    await inv.send(makeFrame(0x305, [0, 0, 0]));
    expect(bms.signal('malformedIgnored')).toBe(1);
    for (const name of bms.signalNames()) expect(bms.signal(name)).toBeDefined();
    detach();
    clock.advance(5000);
    expect(got).toHaveLength(13);
    bms.attachCan(bat);
    expect(got).toHaveLength(26);
    bms.close();
    bms.close();
    clock.advance(5000);
    expect(got).toHaveLength(26);
  });

  it('builds an SMA LV battery on a 100 ms cycle and a Pylon HV battery that answers requests', async () => {
    const clock = new VirtualClock();
    const sma = createBmsDevice({ name: 'sma', pack: 'tesla-model-s-module', protocol: 'sma-lv', clock });
    const hv = createBmsDevice({ name: 'hv', pack: 'bmw-i3-60ah', protocol: 'pylon-hv', clock, params: { idOffset: 1 } });
    const [a, b] = await pair(clock);
    const [c, d] = await pair(clock);
    const smaGot: CanFrame[] = [];
    const hvGot: CanFrame[] = [];
    b.onFrame((f) => smaGot.push(f));
    d.onFrame((f) => hvGot.push(f));
    sma.attachCan(a);
    hv.attachCan(c);
    clock.advance(1000);
    expect(smaGot).toHaveLength(7 * 11);
    expect(hvGot).toHaveLength(0);
    await d.send(makeFrame(0x4200, [0, 0, 0, 0, 0, 0, 0, 0], { extended: true }));
    expect(hvGot.map((f) => f.id)).toEqual([0x4211, 0x4221, 0x4231, 0x4241, 0x4251, 0x4261, 0x4271, 0x4281, 0x4291]);
    expect(hv.signal('requestsAnswered')).toBe(1);
  });

  it('builds native packs: a Leaf (generation as a parameter) and a BMW i3, each on its own protocol', async () => {
    const clock = new VirtualClock();
    const leaf = createBmsDevice({ name: 'leaf', pack: 'nissan-leaf-40kwh', protocol: 'nissan-leaf', clock, params: { generation: 'ze1' } });
    const i3 = createBmsDevice({ name: 'i3', pack: 'bmw-i3-94ah', protocol: 'bmw-i3', clock });
    const [a, b] = await pair(clock);
    const [c, d] = await pair(clock);
    const leafIds = new Set<number>();
    const i3Ids = new Set<number>();
    b.onFrame((f) => leafIds.add(f.id));
    d.onFrame((f) => i3Ids.add(f.id));
    leaf.attachCan(a);
    i3.attachCan(c);
    clock.advance(1000);
    expect([...leafIds].sort((x, y) => x - y)).toEqual([0x1c2, 0x1db, 0x1dc, 0x1ed, 0x380, 0x55b, 0x59e, 0x5bc, 0x5bf, 0x5c0, 0x5eb]); // ZE1: with its own ids
    expect([...i3Ids].sort((x, y) => x - y)).toEqual([0x112, 0x1fa, 0x239, 0x2bd, 0x2f5, 0x40d, 0x431, 0x432]);
    expect(leaf.signal('contactorClosed')).toBe(false); // no vehicle yet
    expect(checkBmsParams({ generation: 'ze1' }, 'bmw-i3')).toEqual([{ path: '/generation', message: "'generation' applies to protocol nissan-leaf, not bmw-i3" }]);
    expect(checkBmsParams({ generation: 'ze2' }, 'nissan-leaf')[0]!.message).toMatch(/ze0, aze0, ze1/);
    expect(checkBmsParams({ variant: 'ze22' }, 'renault-zoe')).toEqual([]);
    expect(checkBmsParams({ variant: 'ze22' }, 'nissan-leaf')[0]!.path).toBe('/variant');
    const zoe = createBmsDevice({ name: 'zoe', pack: 'renault-zoe-22kwh', protocol: 'renault-zoe', clock, params: { variant: 'ze22' } });
    const [e, f] = await pair(clock);
    const zoeIds = new Set<number>();
    f.onFrame((x) => zoeIds.add(x.id));
    zoe.attachCan(e);
    clock.advance(600);
    expect([...zoeIds].sort((x, y) => x - y)).toEqual([0x155, 0x424, 0x425, 0x427, 0x42e, 0x445, 0x654]);
    zoe.close();
    const kia = createBmsDevice({ name: 'kia', pack: 'kia-hyundai-64kwh', protocol: 'kia-hyundai-64', clock });
    const [g, h] = await pair(clock);
    const kiaIds = new Set<number>();
    h.onFrame((x) => kiaIds.add(x.id));
    kia.attachCan(g);
    clock.advance(600);
    expect([...kiaIds].sort((x, y) => x - y)).toEqual([0x4de, 0x542, 0x594, 0x595, 0x596, 0x598, 0x5d5, 0x5d8]);
    expect(kia.signal('contactorClosed')).toBe(false); // no vehicle yet
    expect(checkBmsParams({ variant: 'x' }, 'kia-hyundai-64')[0]!.path).toBe('/variant');
    kia.close();
    const tesla = createBmsDevice({ name: 'tesla', pack: 'tesla-model-s-85kwh', protocol: 'tesla-legacy', clock });
    const [k, l] = await pair(clock);
    const teslaIds = new Set<number>();
    l.onFrame((x) => teslaIds.add(x.id));
    tesla.attachCan(k);
    clock.advance(600);
    expect([...teslaIds].sort((x, y) => x - y)).toEqual([0x102, 0x202, 0x212, 0x302, 0x332, 0x3d2, 0x5d2, 0x6f2, 0x7e2]);
    expect(tesla.signal('contactorClosed')).toBe(false); // no vehicle yet
    tesla.close();
    const m3 = createBmsDevice({ name: 'm3', pack: 'tesla-model3-lr-78kwh', protocol: 'tesla-model3', clock });
    const [m, n] = await pair(clock);
    const m3Ids = new Set<number>();
    n.onFrame((x) => m3Ids.add(x.id));
    m3.attachCan(m);
    clock.advance(600);
    expect([...m3Ids].sort((x, y) => x - y)).toEqual([0x132, 0x20a, 0x212, 0x252, 0x292, 0x2d2, 0x312, 0x320, 0x332, 0x352, 0x3d2, 0x401, 0x72a]);
    expect(m3.signal('contactorClosed')).toBe(false); // no vehicle yet
    m3.close();
    const z2 = createBmsDevice({ name: 'z2', pack: 'renault-zoe-52kwh', protocol: 'renault-zoe-gen2', clock });
    const [p2, q2] = await pair(clock);
    const z2Ids = new Set<number>();
    q2.onFrame((x) => z2Ids.add(x.id));
    z2.attachCan(p2);
    clock.advance(600);
    expect(z2Ids.size).toBe(0); // asleep until the vehicle's 0x373
    await q2.send({ id: 0x373, extended: false, data: Uint8Array.of(0xc1, 0x40, 0x5d, 0xb2, 0, 1, 0xff, 0xe3) });
    clock.advance(600);
    expect([...z2Ids].sort((x, y) => x - y)).toEqual([0x0f8, 0x36c, 0x4db]);
    z2.close();
    leaf.close();
    i3.close();
  });

  it('builds a SunSpec 802 battery with a Modbus face; it has no CAN face', () => {
    const bms = createBmsDevice({ name: 'ss', pack: 'tesla-model-s-module', protocol: 'sunspec-802', params: { sunspecBase: 0 } });
    expect(Array.from(bms.modbus!.readHoldingRegisters!(0, 2) as ArrayLike<number>)).toEqual([0x5375, 0x6e53]);
    expect(bms.sunspec!.model(802)).toBeDefined();
    expect(() => bms.attachCan({} as CanBus)).toThrow(/served over Modbus/);
  });

  it('loads a pack by path relative to the bench directory', () => {
    const bms = createBmsDevice({ name: 'p', pack: 'packs/bmw-i3-60ah.json', baseDir: join(__dirname, '..', '..', 'data'), protocol: 'pylon-hv' });
    expect(bms.pack).toBe('bmw-i3-60ah');
  });

  it('reports every bad parameter with its path, and bad protocols and packs by name', () => {
    expect(checkBmsParams({ soc: 140, colour: 'red', heartbeat: { reaction: 'panic' }, spread: { weakCells: -1 } }).map((p) => p.path).sort()).toEqual(
      ['/colour', '/heartbeat/reaction', '/soc', '/spread/weakCells'].sort(),
    );
    expect(checkBmsParams({ idOffset: 1 }, 'pylon-lv')).toEqual([{ path: '/idOffset', message: "'idOffset' applies to protocol pylon-hv, not pylon-lv" }]);
    expect(checkBmsParams({ idOffset: 1, seed: 3 }, 'pylon-hv')).toEqual([]);
    expect(() => createBmsDevice({ name: 'x', pack: 'nissan-leaf-24kwh', protocol: 'canopen' })).toThrow(/bms 'x': unknown protocol 'canopen'/);
    expect(() => createBmsDevice({ name: 'x', pack: 'no-such-pack', protocol: 'pylon-lv' })).toThrow(ConfigError);
    expect(() => createBmsDevice({ name: 'leaf', pack: 'nissan-leaf-24kwh', protocol: 'sma-lv' })).toThrow(/bms 'leaf': pack nissan-leaf-24kwh charges to 393.6 V.*pylon-hv or sunspec-802/);
    expect(() => createBmsDevice({ name: 'x', pack: 'nissan-leaf-24kwh', protocol: 'pylon-lv', params: { soc: 'full' } })).toThrow(/bms 'x': params\.soc: must be number/);
  });

  it('params set the heartbeat policy and the initial temperature', () => {
    const clock = new VirtualClock();
    const bms = createBmsDevice({
      name: 'hb',
      pack: 'lfp-lishen-16s-202ah',
      protocol: 'pylon-lv',
      clock,
      params: { heartbeat: { timeoutS: 10, reaction: 'open-contactors', armAtStart: true }, temperatureC: 35 },
    });
    expect(bms.signal('temperature.max') as number).toBeCloseTo(35, 0);
    settle(clock, bms.step, 9);
    expect(bms.signal('heartbeatLost')).toBe(false);
    settle(clock, bms.step, 3);
    expect(bms.signal('heartbeatLost')).toBe(true);
    expect(bms.signal('contactorClosed')).toBe(false);
  });

  it('applyInitial sets soc, soh, temperature; an unknown key is named and changes nothing', () => {
    const bms = createBmsDevice({ name: 'init', pack: 'nissan-leaf-24kwh', protocol: 'pylon-hv', params: { seed: 2 } });
    bms.applyInitial({ soc: 20, soh: 68, temperature: 40 });
    expect(bms.signal('soc') as number).toBeCloseTo(20, 1);
    // The truth behind it: the cell SOC 20 % into the BMS's 3.3-4.1 V window (Leaf table: 0.0565..0.9146).
    expect(bms.signal('pack.soc') as number).toBeCloseTo(100 * (0.0565 + 0.2 * (0.9146 - 0.0565)), 0);
    expect(bms.signal('soh') as number).toBeCloseTo(68, 1);
    expect(bms.signal('temperature.min') as number).toBeCloseTo(40, 0);
    // The SOC spread of a second-life pack stays.
    const socs = Array.from(bms.device.pack.soc);
    expect(Math.max(...socs) - Math.min(...socs)).toBeGreaterThan(0.001);
    expect(() => bms.applyInitial({ soc: 90, colour: 1 })).toThrow(/bms 'init': unknown initial condition 'colour'/);
    expect(() => bms.applyInitial({ soc: 'full' })).toThrow(/initial soc must be a finite number/);
    expect(() => bms.applyInitial({ soc: 120 })).toThrow(/initial soc 120 is not 0..100/);
    expect(bms.signal('soc') as number).toBeCloseTo(20, 1);
  });

  it('setInput drives the ambient and the load current; unknown names give false', () => {
    const clock = new VirtualClock();
    const bms = createBmsDevice({ name: 'in', pack: 'tesla-model-s-module', protocol: 'pylon-lv', clock, params: { ambientC: 20 } });
    settle(clock, bms.step, 5);
    expect(bms.setInput('ambientC', 45)).toBe(true);
    expect(bms.setInput('current', -60)).toBe(true);
    expect(bms.setInput('colour', 1)).toBe(false);
    expect(bms.setInput('current', NaN)).toBe(false);
    settle(clock, bms.step, 1800);
    expect(bms.signal('current') as number).toBeCloseTo(-60, 0);
    expect(bms.signal('temperature.max') as number).toBeGreaterThan(25);
    expect(bms.signal('soc') as number).toBeLessThan(50);
  });
});

describe('BMS fault schema', () => {
  const samples: Record<string, BmsFaultSpec> = {
    'cell-drift': { kind: 'cell-drift', cell: 1, direction: 'down', socPerHour: 0.01 },
    'sensor-stuck': { kind: 'sensor-stuck', sensor: 'temperature', index: 0 },
    'sensor-offset': { kind: 'sensor-offset', sensor: 'current', offset: 2 },
    'sensor-noise': { kind: 'sensor-noise', sensor: 'cell-voltage', sigma: 0.002 },
    'open-wire': { kind: 'open-wire', sensor: 'cell-voltage', index: 3 },
    'external-heat': { kind: 'external-heat', module: 0, watts: 50 },
    'self-heating': { kind: 'self-heating', cell: 2, watts: 5 },
    overcurrent: { kind: 'overcurrent', extraA: -50 },
    insulation: { kind: 'insulation', kOhm: 50 },
    'wrong-value': { kind: 'wrong-value', field: 'soc', factor: 0.5 },
    'soh-step': { kind: 'soh-step', factor: 0.9 },
    'resistance-step': { kind: 'resistance-step', factor: 1.5, cell: 0 },
  };
  const check = new Ajv({ allErrors: true }).compile(BMS_FAULTS.schema());

  it('declares exactly the kinds the device knows, plus frozen-data; the device refuses any other', () => {
    // Compile-time: the registry is a record keyed by the device's kind union (plus frozen-data), so a kind the device
    // gains and the registry lacks (or the reverse) fails the type check here.
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const exact: Same<(typeof BMS_FAULTS.kinds)[number], FaultKind | 'frozen-data'> = true;
    expect(exact).toBe(true);
    expect(BMS_FAULTS.kinds).toContain('stale-data');
    expect(BMS_FAULTS.kinds).toContain('frozen-data');
    const bms = createBmsDevice({ name: 'f', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv' });
    expect(() => bms.device.injectFault({ kind: 'no-such-kind' } as unknown as Parameters<typeof bms.device.injectFault>[0])).toThrow(/unknown fault kind/);
  });

  it('every kind validates and injects; bad specs fail the schema', () => {
    const bms = createBmsDevice({ name: 'f', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv' });
    for (const kind of BMS_FAULTS.kinds) {
      const spec = samples[kind] ?? ({ kind } as BmsFaultSpec);
      expect({ kind, ok: check(spec) }).toEqual({ kind, ok: true });
      const h = bms.injectFault(spec);
      h.clear();
    }
    expect(check({ kind: 'insulation' })).toBe(false);
    expect(check({ kind: 'wrong-value', field: 'contactor' })).toBe(false);
    expect(check({ kind: 'comms-loss', extra: 1 })).toBe(false);
    expect(check({ kind: 'meteor' })).toBe(false);
  });

  it('the bench device names what is wrong with a fault before the device sees it', () => {
    const bms = createBmsDevice({ name: 'f', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv' });
    const bad = (spec: unknown): void => {
      bms.injectFault(spec as BmsFaultSpec);
    };
    expect(() => bad({ kind: 'meteor' })).toThrow(/bms 'f' has no fault 'meteor' \(it takes: cell-drift, .*frozen-data/);
    expect(() => bad({ kind: 'insulation' })).toThrow(/bms 'f': fault 'insulation': missing field 'kOhm'/);
    expect(() => bad({ kind: 'insulation', kOhm: 5, ohm: 1 })).toThrow(/unknown field 'ohm'/);
    expect(() => bad({ kind: 'open-wire', sensor: 'current', index: 1 })).toThrow(/sensor must be one of: cell-voltage, temperature/);
    expect(() => bad({ kind: 'cell-drift', cell: 99, direction: 'up', socPerHour: 0.1 })).toThrow(ConfigError); // schema-valid, the device knows the pack has 16
    expect(bms.device.activeFaults()).toHaveLength(0);
  });

  it('frozen-data freezes what the BMS reports; comms-loss shows in the signals', () => {
    const bms = createBmsDevice({ name: 'f', pack: 'lfp-lishen-16s-202ah', protocol: 'pylon-lv', params: { soc: 60 } });
    for (let i = 0; i < 5; i++) bms.step(1);
    const h = bms.injectFault({ kind: 'frozen-data' });
    const soc = bms.signal('soc');
    bms.setInput('current', -150);
    for (let i = 0; i < 60; i++) bms.step(1);
    expect(bms.signal('soc')).toBe(soc);
    expect(bms.signal('pack.soc') as number).toBeLessThan(soc as number);
    h.clear();
    expect(bms.signal('soc') as number).toBeLessThan(soc as number);
    const c = bms.injectFault({ kind: 'comms-loss' });
    expect(bms.signal('commsLost')).toBe(true);
    c.clear();
    expect(bms.signal('commsLost')).toBe(false);
  });
});
