/**
 * SunSpec behaviour vectors (fixtures/conformance/sunspec-behaviour.yaml): the write sequences of public
 * controllers (evcc, Home Assistant integrations) against the emulated hybrid inverter, through the register
 * interface with the scale factors applied as a client applies them, and what the inverter must do in reply.
 * Every vector names at least two public sources (or says why it has one); the file is the place to read them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { Inverter } from '../../emulators/inverter/inverter';
import { QUANTITIES } from '../../emulators/inverter/quantities';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { encodeRaw } from '../../protocols/modbus/sunspec/point-codec';

const FILE = join(__dirname, '..', '..', 'fixtures', 'conformance', 'sunspec-behaviour.yaml');

type Bound = number | { min?: number; max?: number };
interface Step {
  write?: Array<[number, string, number]>;
  exception?: number;
  run?: number;
  set?: { irradiance?: number; siteLoadW?: number };
  expect?: Record<string, Bound>;
  tol?: number;
}
interface Vector {
  id: string;
  claim: string;
  sources: string[];
  'single-source'?: string;
  setup: { irradiance?: number; siteLoadW?: number; soc?: number; battery?: 'none' };
  steps: Step[];
}
interface Source {
  repo: string;
  file: string;
  commit: string;
  note: string;
}

const doc = parse(readFileSync(FILE, 'utf8')) as { sources: Record<string, Source>; vectors: Vector[] };

function rig(v: Vector) {
  let g = v.setup.irradiance ?? 0;
  const bat = v.setup.battery === 'none' ? undefined : new SimpleBatteryPort({ soc: v.setup.soc ?? 50, capacityAh: 100, maxChargeA: 150, maxDischargeA: 150 });
  const inv = new Inverter({
    ratedW: 5000,
    batteryMaxW: 5000,
    profile: { name: 'vector', irradiance: () => g },
    seed: 7,
    siteLoadW: v.setup.siteLoadW ?? 0,
    ...(bat ? { battery: bat } : {}),
  });
  const { device } = createInverterSunSpec(inv);
  const run = (s: number): void => {
    for (let i = 0; i < Math.round(s / 0.1); i++) {
      inv.step(0.1);
      bat?.step(0.1);
    }
  };
  const write = (id: number, name: string, value: number) => {
    const m = device.model(id);
    const p = m?.layout.point(name);
    if (!m || !p) throw new Error(`${v.id}: no point ${id}.${name} on the device`);
    const sf = m.scaleOf(p) ?? 0;
    return device.writeRegisters(device.addressOf(id)! + p.offset, encodeRaw(p.type, p.size, Math.round(value / 10 ** sf), name));
  };
  const read = (key: string): number => {
    if (key in QUANTITIES) return QUANTITIES[key]!(inv) ?? NaN;
    const [id, name] = [Number(key.split('.')[0]), key.slice(key.indexOf('.') + 1)];
    const m = device.model(id);
    const p = m?.layout.point(name);
    if (!m || !p) throw new Error(`${v.id}: no point ${key}`);
    const regs = device.readHoldingRegisters(device.addressOf(id)! + p.offset, p.size);
    if (typeof regs === 'number') throw new Error(`${v.id}: reading ${key} gave exception ${regs}`);
    const x = m.get(name);
    return typeof x === 'number' ? x : NaN;
  };
  return { inv, run, write, read, setIrradiance: (x: number) => (g = x) };
}

describe('SunSpec behaviour vectors (fixtures/conformance/sunspec-behaviour.yaml)', () => {
  it('cite sources that exist in the file, from at least two repositories per vector unless the vector says why not', () => {
    expect(doc.vectors.length).toBeGreaterThanOrEqual(18);
    for (const v of doc.vectors) {
      for (const s of v.sources) expect({ vector: v.id, source: s, known: doc.sources[s] !== undefined }).toEqual({ vector: v.id, source: s, known: true });
      const repos = new Set(v.sources.map((s) => doc.sources[s]?.repo));
      if (!v['single-source']) expect({ vector: v.id, independent: repos.size >= 2 }).toEqual({ vector: v.id, independent: true });
    }
    for (const s of Object.values(doc.sources)) expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(doc.vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const r = rig(v);
    r.run(60); // start-up: grid OK, trackers settled
    v.steps.forEach((step, i) => {
      const at = `${v.id} step ${i + 1}`;
      if (step.set?.irradiance !== undefined) r.setIrradiance(step.set.irradiance);
      if (step.set?.siteLoadW !== undefined) r.inv.setEnvironment({ siteLoadW: step.set.siteLoadW });
      if (step.write) {
        const codes = step.write.map(([id, name, value]) => r.write(id, name, value));
        const first = codes.find((c) => c !== undefined);
        expect({ at, exception: first }).toEqual({ at, exception: step.exception });
      }
      if (step.run !== undefined) r.run(step.run);
      for (const [key, want] of Object.entries(step.expect ?? {})) {
        const got = r.read(key);
        const tol = step.tol ?? 1;
        const lo = typeof want === 'number' ? want - tol : (want.min ?? -Infinity);
        const hi = typeof want === 'number' ? want + tol : (want.max ?? Infinity);
        const ok = got >= lo - 1e-9 && got <= hi + 1e-9;
        expect({ at, key, got, ok }).toEqual({ at, key, got, ok: true });
      }
    });
  });
});
