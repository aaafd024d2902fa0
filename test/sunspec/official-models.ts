/**
 * Checks a served SunSpec map against the official model definitions in ../shared/sunspec-models, the way a client
 * sees it: walk the chain through readHoldingRegisters, lay each model out from the official JSON (independently of
 * protocols/modbus/sunspec/layout.ts; repeating groups sized by their count point or by L), and compare every
 * point's offset, type, size, scale factor and access, each model's L, and each point's value decoded from the
 * registers read against the device's own value. For use by every emulator that serves SunSpec (inverter, BMS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec';
import { decodeRaw, discoverSunSpec, readBlock, readerFor } from '../../protocols/modbus/sunspec';
import type { ReadRegisters, SunSpecPointType } from '../../protocols/modbus/sunspec';

export const OFFICIAL_MODELS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'sunspec-models');
export const haveOfficialModels = existsSync(OFFICIAL_MODELS_DIR);

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
export interface ExpectedPoint {
  path: string;
  offset: number;
  type: string;
  size: number;
  sfPath?: string;
  access: 'R' | 'RW';
}

function fixedSize(g: JsonGroup): number {
  return g.points.reduce((s, p) => s + p.size, 0) + (g.groups ?? []).reduce((s, sg) => s + (sg.count === undefined ? fixedSize(sg) : 0), 0);
}

/** Size of one instance of a group, given counts read so far is not needed: nested repeats are sized by the caller. */
export function expectedLayout(id: number, length: number, regs: ArrayLike<number>): { points: ExpectedPoint[]; length: number } {
  const def = JSON.parse(readFileSync(join(OFFICIAL_MODELS_DIR, `model_${id}.json`), 'utf8')) as { id: number; group: JsonGroup };
  if (def.id !== id) throw new Error(`official model_${id}.json has id ${def.id}`);
  const out: ExpectedPoint[] = [];
  let off = 0;
  const walk = (g: JsonGroup, prefix: string, scopes: Array<{ prefix: string; names: Set<string> }>): void => {
    const here = [{ prefix, names: new Set(g.points.map((p) => p.name)) }, ...scopes];
    for (const p of g.points) {
      let sfPath: string | undefined;
      if (typeof p.sf === 'string') {
        const s = here.find((sc) => sc.names.has(p.sf as string));
        if (!s) throw new Error(`model ${id}: ${prefix}${p.name} refers to unknown sf ${p.sf}`);
        sfPath = s.prefix + p.sf;
      }
      out.push({ path: prefix + p.name, offset: off, type: p.type, size: p.size, access: p.access === 'RW' ? 'RW' : 'R', ...(sfPath ? { sfPath } : {}) });
      off += p.size;
    }
    for (const sg of g.groups ?? []) {
      if (sg.count === undefined) {
        walk(sg, `${prefix}${sg.name}.`, here);
        continue;
      }
      let n: number;
      if (typeof sg.count === 'string') {
        // The count point's value as the client read it.
        const s = here.find((sc) => sc.names.has(sg.count as string));
        const cp = s && out.find((x) => x.path === s.prefix + sg.count);
        if (!cp) throw new Error(`model ${id}: group ${sg.name} counted by unknown point ${sg.count}`);
        n = regs[cp.offset]!;
      } else if (sg.count > 0) n = sg.count;
      else {
        // Sized by L: what the fixed part leaves, in whole instances (only for a group without nested repeats).
        n = (length + 2 - fixedSize(def.group)) / fixedSize(sg);
        if (!Number.isInteger(n)) throw new Error(`model ${id}: L ${length} does not hold whole ${sg.name} groups`);
      }
      for (let i = 0; i < n; i++) walk(sg, `${prefix}${sg.name}[${i}].`, here);
    }
  };
  walk(def.group, '', []);
  return { points: out, length: off - 2 };
}

export interface ConformanceResult {
  models: number[];
  points: number;
  /** Points whose value is not the not-implemented pattern. */
  implemented: number;
}

/**
 * Run the checks with jest `expect`. `read` is how the client reads (default: straight from the device; pass a
 * Modbus client's read to check over the wire). The device itself is used for its layout and values only.
 * Resolves with counts so callers can assert the map is not empty of meaning.
 */
export async function expectMatchesOfficial(device: SunSpecDevice, read: ReadRegisters = readerFor(device)): Promise<ConformanceResult> {
  const found = await discoverSunSpec(read);
  let points = 0;
  let implemented = 0;
  const seen = new Map<number, number>();
  for (const fm of found.models) {
    const nth = seen.get(fm.id) ?? 0;
    seen.set(fm.id, nth + 1);
    const regs = await readBlock(read, fm.address, fm.length + 2);
    const exp = expectedLayout(fm.id, fm.length, regs);
    expect({ id: fm.id, L: fm.length }).toEqual({ id: fm.id, L: exp.length });
    const model = device.model(fm.id, nth)!;
    expect(model.layout.points.map((p) => p.name)).toEqual(exp.points.map((p) => p.path));
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
      const raw = decodeRaw(e.type as SunSpecPointType, regs, e.offset, e.size);
      let clientValue: number | string | null = typeof raw === 'bigint' ? Number(raw) : raw;
      if (typeof clientValue === 'number' && e.sfPath) {
        const sfDef = exp.points.find((x) => x.path === e.sfPath)!;
        const sf = decodeRaw('sunssf', regs, sfDef.offset, 1);
        clientValue = sf === null ? null : Number((clientValue * 10 ** Number(sf)).toFixed(Math.max(0, -Number(sf))));
      }
      expect({ path: `${fm.id}.${e.path}`, v: clientValue }).toEqual({ path: `${fm.id}.${e.path}`, v: model.get(e.path) });
      points++;
      if (clientValue !== null) implemented++;
    }
  }
  return { models: found.models.map((m) => m.id), points, implemented };
}
