/**
 * The full register images of the SunSpec maps (inverter: 101/102/103 with 1, 120-124, 160, 701, 702, 704; battery:
 * 1, 802, 803, 804) in several plant states, and the answer to every write a client can aim at an RW point, compared
 * with the copy saved before the maps were split into one file per model (sunspec-register-images.json). A change
 * that moves a value, a scale factor or a write check by one bit fails here, naming the state, model and offset.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BmsDevice } from '../../emulators/bms/device/bms-device';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';
import { createBmsSunSpec, type BmsSunSpec } from '../../emulators/bms/profiles/sunspec-battery';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter, type InverterConfig } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { encodeRaw } from '../../protocols/modbus/sunspec/point-codec';
import { expectGolden, hexRows } from '../support/golden';

const GOLDEN = join(__dirname, 'sunspec-register-images.json');

/** Every model's registers as a client reads them (ID and L included), in chunks of at most 125 registers. */
function image(map: SunSpecDevice, face: ModbusDevice = map): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  const seen = new Map<number, number>();
  for (const m of map.models) {
    const nth = seen.get(m.id) ?? 0;
    seen.set(m.id, nth + 1);
    const at = map.addressOf(m.id, nth)!;
    const regs: number[] = [];
    let code: number | undefined;
    for (let a = at; a < at + m.registers.length && code === undefined; a += 125) {
      const r = face.readHoldingRegisters!(a, Math.min(125, at + m.registers.length - a));
      if (typeof r === 'number') code = r;
      else regs.push(...Array.from(r));
    }
    out[`${m.id}${nth > 0 ? `#${nth}` : ''}@${at}`] = code !== undefined ? `exception ${code}` : hexRows(regs);
  }
  return out;
}

const hash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/** Raw words a sweep writes to each RW point (the point's last register carries the value, the others 0). */
const SWEEP = [0, 1, 2, 3, 50, 100, 1000, 0x7fff, 0x8000, 0xfffe, 0xffff];

/**
 * For every RW point of every model, on a fresh device: each sweep value written alone (answer recorded), then the
 * plant run for 2 s and the whole image hashed.
 */
function sweep(build: () => { map: SunSpecDevice; face: ModbusDevice; run: (s: number) => void }): Record<string, string> {
  const out: Record<string, string> = {};
  const probe = build();
  for (const m of probe.map.models) {
    for (const p of m.layout.points) {
      if (p.access !== 'RW' || p.offset < 2) continue;
      const b = build();
      const at = b.map.addressOf(m.id)! + p.offset;
      const codes = SWEEP.map((v) => {
        const words = new Array<number>(p.size).fill(0);
        words[p.size - 1] = v;
        return b.face.writeRegisters!(at, words) ?? 'ok';
      });
      b.run(2);
      out[`${m.id} ${p.name}`] = `${codes.join(',')} ${hash(image(b.map, b.face))}`;
    }
  }
  return out;
}

// ---- inverter

interface Rig {
  inv: Inverter;
  bat: SimpleBatteryPort | undefined;
  map: SunSpecDevice;
  run: (s: number) => void;
  /** Write engineering values as a client does (scaled by the model's scale factor). */
  write: (model: number, point: string, value: number) => void;
}

function inverterRig(config: InverterConfig & { withBattery?: boolean; batterySoc?: number }): Rig {
  const bat = config.withBattery ? new SimpleBatteryPort({ soc: config.batterySoc ?? 50 }) : undefined;
  const inv = new Inverter({ ...config, ...(bat ? { battery: bat } : {}) });
  const map = createInverterSunSpec(inv, { epoch2000S: 1000 }).device;
  const run = (s: number): void => {
    for (let i = 0; i < Math.round(s / 0.1); i++) {
      inv.step(0.1);
      bat?.step(0.1);
    }
  };
  const write = (model: number, point: string, value: number): void => {
    const m = map.model(model)!;
    const p = m.layout.point(point)!;
    const sf = m.scaleOf(p) ?? 0;
    const code = map.writeRegisters(map.addressOf(model)! + p.offset, encodeRaw(p.type, p.size, Math.round(value / 10 ** sf), point));
    if (code !== undefined) throw new Error(`write ${model} ${point} ${value}: exception ${code}`);
  };
  return { inv, bat, map, run, write };
}

const INVERTERS: Record<string, InverterConfig & { withBattery?: boolean; batterySoc?: number }> = {
  'pv-single': { profile: constant(800), seed: 2 },
  'hybrid-three-40k': { phases: 'three', ratedW: 40000, profile: constant(900), withBattery: true, seed: 5 },
  'hybrid-split-night': { phases: 'split', profile: constant(0), siteLoadW: 1500, withBattery: true, batterySoc: 60, seed: 7 },
};

function inverterStates(name: string): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  const r = inverterRig(INVERTERS[name]!);
  states['initial'] = image(r.map);
  r.run(60);
  states['after 60 s'] = image(r.map);
  r.write(123, 'WMaxLimPct_RvrtTms', 60);
  r.write(123, 'WMaxLimPct', 30);
  r.write(123, 'WMaxLim_Ena', 1);
  r.write(123, 'OutPFSet', -0.9);
  r.write(123, 'OutPFSet_Ena', 1);
  r.write(704, 'WMaxLimPctRvrt', 70);
  r.write(704, 'WMaxLimPctEnaRvrt', 1);
  r.write(121, 'WGra', 15);
  if (r.bat) {
    r.write(124, 'MinRsvPct', 20);
    r.write(124, 'InWRte', 50);
    r.write(124, 'OutWRte', -20);
    r.write(124, 'InOutWRte_RvrtTms', 30);
    r.write(124, 'StorCtl_Mod', 3);
  }
  r.run(10);
  states['after commands + 10 s'] = image(r.map);
  r.write(704, 'WMaxLimPctRvrtTms', 20);
  r.write(704, 'WMaxLimPct', 55);
  r.write(704, 'WMaxLimPctEna', 1);
  r.write(704, 'PFWInj.PF', 0.95);
  r.write(704, 'PFWInj.Ext', 1);
  r.write(704, 'PFWInjEna', 1);
  r.write(702, 'WMax', r.inv.ratedW * 0.9);
  r.run(45);
  states['704 limit, reverted + 45 s'] = image(r.map);
  const f1 = r.inv.injectFault({ kind: 'grid-frequency', hz: 52 });
  const f2 = r.inv.injectFault({ kind: 'over-temperature', heatsinkC: 80 });
  r.run(5);
  states['grid trip, derating'] = image(r.map);
  f1.clear();
  f2.clear();
  r.inv.injectFault({ kind: 'fault-code', events: ['GROUND_FAULT'], vendorCode: 0x1234 });
  r.run(3);
  states['fault code'] = image(r.map);
  return states;
}

describe('inverter SunSpec register images match the copy saved before the per-model split', () => {
  it.each(Object.keys(INVERTERS))('%s: images in six states', (name) => {
    expectGolden(GOLDEN.replace('.json', `.inverter-${name}.json`), inverterStates(name));
  });

  it('hybrid: every RW point answers each sweep value as before, and leaves the same image', () => {
    const build = () => {
      const r = inverterRig(INVERTERS['hybrid-three-40k']!);
      r.run(20);
      return { map: r.map, face: r.map, run: r.run };
    };
    expectGolden(GOLDEN.replace('.json', '.inverter-sweep.json'), sweep(build));
  });
});

// ---- battery

function batteryRig(pack: string, detail = true): { dev: BmsDevice; ss: BmsSunSpec; run: (s: number) => void } {
  const dev = new BmsDevice(loadPackFixture(pack), { seed: 11, initialSoc: 0.55 });
  for (let i = 0; i < 5; i++) dev.step(1);
  const ss = createBmsSunSpec(dev, { detail });
  const run = (s: number): void => {
    for (let i = 0; i < s; i++) dev.step(1);
  };
  return { dev, ss, run };
}

function batteryStates(pack: string, detail: boolean): Record<string, unknown> {
  const { dev, ss, run } = batteryRig(pack, detail);
  const states: Record<string, unknown> = {};
  const w = (model: number, point: string, ...values: number[]): string => {
    const m = ss.sunspec.model(model)!;
    return String(ss.modbus.writeRegisters!(ss.sunspec.addressOf(model)! + m.layout.point(point)!.offset, values) ?? 'ok');
  };
  states['initial'] = image(ss.sunspec, ss.modbus);
  states['writes 1'] = [w(802, 'SetOp', 1), w(802, 'CtrlHb', 7), w(802, 'SetInvState', 3), w(802, 'SocRsvMax', 900), w(802, 'SoCRsvMin', 950), w(802, 'SoCRsvMin', 100)];
  dev.setCurrent(-25);
  run(30);
  states['discharging 30 s'] = image(ss.sunspec, ss.modbus);
  dev.injectFault({ kind: 'external-heat', module: 0, watts: 400 });
  dev.setCurrent(40);
  run(600);
  states['charging, hot module'] = image(ss.sunspec, ss.modbus);
  states['writes 2'] = [w(802, 'AlmRst', 1), w(802, 'SetOp', 2), ...(detail ? [w(803, 'string[0].StrSetEna', 1), w(804, 'SetEna', 3), w(804, 'SetCon', 2)] : [])];
  run(5);
  states['after writes 2'] = image(ss.sunspec, ss.modbus);
  dev.injectFault({ kind: 'comms-loss' });
  run(1);
  states['comms lost'] = image(ss.sunspec, ss.modbus);
  return states;
}

describe('battery SunSpec register images match the copy saved before the helpers were shared', () => {
  it.each<[string, boolean]>([
    ['nissan-leaf-24kwh', true],
    ['lfp-lishen-16s-202ah', true],
    ['bmw-i3-60ah', false],
  ])('%s (detail %s): images in five states and the write answers', (pack, detail) => {
    expectGolden(GOLDEN.replace('.json', `.battery-${pack}.json`), batteryStates(pack, detail));
  });

  it('leaf: every RW point answers each sweep value as before, and leaves the same image', () => {
    const build = () => {
      const r = batteryRig('nissan-leaf-24kwh');
      return { map: r.ss.sunspec, face: r.ss.modbus, run: r.run };
    };
    expectGolden(GOLDEN.replace('.json', '.battery-sweep.json'), sweep(build));
  });
});
