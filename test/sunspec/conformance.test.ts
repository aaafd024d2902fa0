/**
 * Conformance of the served SunSpec maps with the official model definitions in ../shared/sunspec-models (the
 * source the bundled copies came from). For every model the inverter emulator exposes, a client walks the chain
 * through readHoldingRegisters; every point's offset, type, size, scale factor and access, and every model's L, are
 * checked against an independent reading of the official JSON, and each point's value decoded from the registers
 * the client read (at the official offset, with the official type and scale factor) must equal the device's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import type { PhaseConfig } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { decodeRaw, discoverSunSpec, readBlock, readerFor } from '../../protocols/modbus/sunspec';
import type { SunSpecPointType } from '../../protocols/modbus/sunspec';

const OFFICIAL = resolve(__dirname, '..', '..', '..', 'shared', 'sunspec-models');

interface JsonPoint {
  name: string;
  type: string;
  size: number;
  sf?: string | number;
  access?: string;
}
interface JsonGroup {
  name: string;
  count?: number | string;
  points: JsonPoint[];
  groups?: JsonGroup[];
}
interface Expected {
  path: string;
  offset: number;
  type: string;
  size: number;
  /** Path of the scale-factor point, resolved in the nearest enclosing group. */
  sfPath?: string;
  access: 'R' | 'RW';
}

function groupSize(g: JsonGroup): number {
  return g.points.reduce((s, p) => s + p.size, 0) + (g.groups ?? []).reduce((s, sg) => s + groupSize(sg) * (sg.count === undefined ? 1 : 0), 0);
}

/** Lay out a model from the official JSON; repeating groups of count 0 get as many instances as `length` holds. */
function expectedLayout(id: number, length: number): { points: Expected[]; length: number } {
  const def = JSON.parse(readFileSync(join(OFFICIAL, `model_${id}.json`), 'utf8')) as { id: number; group: JsonGroup };
  expect(def.id).toBe(id);
  const out: Expected[] = [];
  let off = 0;
  const walk = (g: JsonGroup, prefix: string, scopes: Array<{ prefix: string; names: Set<string> }>): void => {
    const here = [{ prefix, names: new Set(g.points.map((p) => p.name)) }, ...scopes];
    for (const p of g.points) {
      let sfPath: string | undefined;
      if (typeof p.sf === 'string') {
        const s = here.find((sc) => sc.names.has(p.sf as string));
        expect(s).toBeDefined();
        sfPath = s!.prefix + p.sf;
      }
      out.push({ path: prefix + p.name, offset: off, type: p.type, size: p.size, access: p.access === 'RW' ? 'RW' : 'R', ...(sfPath ? { sfPath } : {}) });
      off += p.size;
    }
    for (const sg of g.groups ?? []) {
      if (sg.count === undefined) walk(sg, `${prefix}${sg.name}.`, here);
      else {
        // Top-level repeating group sized by L (the only kind the exposed models use).
        expect(sg.count).toBe(0);
        const fixed = groupSize(def.group);
        const n = (length + 2 - fixed) / groupSize(sg);
        expect(Number.isInteger(n)).toBe(true);
        for (let i = 0; i < n; i++) walk(sg, `${prefix}${sg.name}[${i}].`, here);
      }
    }
  };
  walk(def.group, '', []);
  return { points: out, length: off - 2 };
}

const hasOfficial = existsSync(OFFICIAL);
const maybe = hasOfficial ? describe : describe.skip;
if (!hasOfficial) {
  if (process.env.CI === 'true') throw new Error(`CI=true and the official SunSpec models are missing at ${OFFICIAL}`);
  process.stderr.write(`[skip] SunSpec conformance: official models not found at ${OFFICIAL}\n`);
}

maybe('SunSpec conformance of the inverter emulator against the official model JSON', () => {
  it.each<[PhaseConfig, number]>([
    ['single', 101],
    ['split', 102],
    ['three', 103],
  ])('%s-phase hybrid: every point of every model matches (inverter model %i)', async (phases, invModel) => {
    const inv = new Inverter({ phases, ratedW: phases === 'three' ? 40000 : 5000, profile: constant(900), battery: new SimpleBatteryPort(), seed: 5 });
    for (let i = 0; i < 600; i++) inv.step(0.1);
    const { device } = createInverterSunSpec(inv);
    const read = readerFor(device);
    const found = await discoverSunSpec(read);
    expect(found.base).toBe(40000);
    expect(found.models.map((m) => m.id)).toEqual([1, invModel, 120, 121, 122, 123, 124, 160, 701, 702, 704]);
    let checkedPoints = 0;
    let implemented = 0;
    for (const fm of found.models) {
      const exp = expectedLayout(fm.id, fm.length);
      expect({ id: fm.id, L: fm.length }).toEqual({ id: fm.id, L: exp.length });
      const regs = await readBlock(read, fm.address, fm.length + 2);
      const model = device.model(fm.id)!;
      const served = model.layout.points;
      expect(served.map((p) => p.name)).toEqual(exp.points.map((p) => p.path));
      for (const e of exp.points) {
        const at = device.pointAt(fm.address + e.offset);
        expect(at?.point.name).toBe(e.path);
        const p = at!.point;
        expect({ path: e.path, offset: p.offset, type: p.type, size: p.size, access: p.access, sf: p.sf }).toEqual({
          path: e.path,
          offset: e.offset,
          type: e.type,
          size: e.size,
          access: e.access,
          sf: e.sfPath,
        });
        // Value as a client decodes it from the official position vs the device's own value.
        const raw = decodeRaw(e.type as SunSpecPointType, regs, e.offset, e.size);
        let clientValue: number | string | null = typeof raw === 'bigint' ? Number(raw) : raw;
        if (typeof clientValue === 'number' && e.sfPath) {
          const sfDef = exp.points.find((x) => x.path === e.sfPath)!;
          const sf = decodeRaw('sunssf', regs, sfDef.offset, 1);
          clientValue = sf === null ? null : Number((clientValue * 10 ** Number(sf)).toFixed(Math.max(0, -Number(sf))));
        }
        expect({ path: `${fm.id}.${e.path}`, v: clientValue }).toEqual({ path: `${fm.id}.${e.path}`, v: model.get(e.path) });
        checkedPoints++;
        if (clientValue !== null) implemented++;
      }
    }
    // The map is not empty of meaning: most points carry values (all models, mandatory or not).
    expect(checkedPoints).toBeGreaterThan(380);
    expect(implemented).toBeGreaterThan(checkedPoints * 0.5);
  });
});
