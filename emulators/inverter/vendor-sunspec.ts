/**
 * The SunSpec side of a vendor map that has a `sunspec` section (Fronius GEN24: SunSpec plus Fronius' own registers
 * on one unit id). The chain is put together from the SunSpec emulator's own models (sunspec-map.ts, unchanged), in
 * the order and shape the brand serves:
 *
 * - `models` picks and orders the models; 101, 102 and 103 all stand for the inverter model that fits the bench's
 *   phase count; 124 needs a battery port.
 * - `commonLength: 65` serves model 1 without its final `Pad` register (L = 65), as Fronius does; 66 is the standard.
 * - `common` overrides model 1's Mn, Md, Opt, Vr text (default: the map's vendor and model, the inverter's version).
 * - `mppt` lays out model 160 with one module per entry: `pvN` (PV string N), `battery.charge` (the battery port's
 *   charge power as a DC input: Fronius' "module 3"), `battery.discharge` (its discharge power: "module 4"). A PV
 *   module's DCWH is its string's lifetime energy; a battery module's counts from the model steps (`step`).
 * - `scaleFactors` sets a model's scale factor points to the brand's exponents (`124.ChaState_SF: -2`); values are
 *   then stored at that scale (a client that assumes the brand's fixed exponents reads them right).
 * - `constants` gives raw values to points the emulator leaves not implemented (`123.VArPct_Ena: 0`); `follow` makes
 *   a point read as another of its model on every read (`103.StVnd: 103.St`).
 *
 * Contract: `buildVendorSunSpec` throws `ConfigError` naming the map file when the chain cannot be built (unknown or
 * unavailable model, a storage module without a battery). Writes follow the SunSpec emulator's semantics per model
 * (124 StorCtl_Mod/InWRte/OutWRte/ChaGriSet/MinRsvPct with InOutWRte_RvrtTms reverting, 123 limits...).
 */
import { ConfigError } from '../../core/errors';
import { SunSpecDevice, SunSpecModel, buildLayout, loadModelDef } from '../../protocols/modbus/sunspec';
import type { SunSpecModelDef } from '../../protocols/modbus/sunspec';
import type { Inverter } from './inverter';
import { OperatingState } from './inverter';
import { createInverterSunSpec } from './sunspec-map';

/** A map's `sunspec` section, resolved (addresses are wire addresses). */
export interface VendorSunSpec {
  /** Wire address of `SunS`. */
  base: number;
  models: number[];
  commonLength: 65 | 66;
  common: { Mn?: string; Md?: string; Opt?: string; Vr?: string };
  /** Model 160 modules, in order (absent: the emulator's one module per PV string). */
  mppt?: string[];
  /** Scale factors the brand uses where the emulator's differ: `124.ChaState_SF` -> exponent. */
  scaleFactors: Record<string, number>;
  /** Raw values of points the emulator leaves not implemented but the brand fills (`103.EvtVnd2` -> 0). */
  constants: Record<string, number>;
  /** Points that read as another point of the same model (`103.StVnd` -> `103.St`: Fronius' vendor state). */
  follow: Record<string, string>;
  /** Where the section is in its file. */
  location: string;
}

/** What model 160 modules can show. */
export const MPPT_SOURCES = /^(pv[1-9]|battery\.charge|battery\.discharge)$/;

/** Ids a `models` list may name (the ones the SunSpec emulator implements). */
export const VENDOR_SUNSPEC_MODELS = [1, 101, 102, 103, 120, 121, 122, 123, 124, 160, 701, 702, 704] as const;

export interface BuiltVendorSunSpec {
  device: SunSpecDevice;
  /** Advance the energy counters of the 160 modules by one model step. */
  step(dtSeconds: number): void;
}

/** Model 1 as a brand serves it: the standard definition, without `Pad` when `commonLength` is 65. */
function commonModel(spec: VendorSunSpec, values: Record<string, string | number | null>): SunSpecModel {
  const def = loadModelDef(1);
  const trimmed: SunSpecModelDef =
    spec.commonLength === 65 ? { ...def, group: { ...def.group, points: def.group.points.filter((p) => p.name !== 'Pad') } } : def;
  return new SunSpecModel(buildLayout(trimmed), { values });
}

/** Model 160 with the map's modules (PV strings and the battery's charge/discharge sides). */
function mpptModel(inv: Inverter, sources: string[], counters: number[]): SunSpecModel {
  const m: SunSpecModel = SunSpecModel.load(160, {
    groupCounts: { module: sources.length },
    scaleFactors: { DCA_SF: -2, DCV_SF: -1, DCW_SF: 0, DCWH_SF: 0 },
    onRead: () => {
      const s = inv.state;
      m.set('Evt', 0);
      sources.forEach((src, i) => {
        const p = `module[${i}].`;
        let w = 0;
        let v = 0;
        let wh = counters[i]!;
        if (src.startsWith('pv')) {
          const str = s.strings[Number(src.slice(2)) - 1];
          w = str?.watts ?? 0;
          v = str?.volts ?? 0;
          wh = str?.whTotal ?? 0;
        } else {
          const charging = src === 'battery.charge';
          w = charging ? Math.max(0, s.batteryW) : Math.max(0, -s.batteryW);
          v = s.batteryV;
        }
        m.set(`${p}DCA`, v > 0 ? w / v : 0);
        m.set(`${p}DCV`, v);
        m.set(`${p}DCW`, w);
        m.set(`${p}DCWH`, Math.floor(wh));
        m.set(`${p}Tms`, Math.floor(s.t));
        m.set(`${p}Tmp`, Math.round(s.moduleC));
        const running = s.state === OperatingState.Mppt || s.state === OperatingState.Throttled;
        m.set(`${p}DCSt`, running ? (w > 0 ? s.state : OperatingState.Standby) : s.state);
        m.set(`${p}DCEvt`, 0);
      });
    },
  });
  sources.forEach((src, i) => {
    m.set(`module[${i}].ID`, i + 1);
    const n = i + 1;
    m.set(`module[${i}].IDStr`, src.startsWith('pv') ? `String ${src.slice(2)}` : src === 'battery.charge' ? `StCha ${n}` : `StDisCha ${n}`);
  });
  return m;
}

/** Build the chain of a map's `sunspec` section for one inverter. */
export function buildVendorSunSpec(inv: Inverter, spec: VendorSunSpec, identity: { vendor?: string; model?: string }): BuiltVendorSunSpec {
  const std = createInverterSunSpec(inv, { base: spec.base }).device;
  const sources = spec.mppt ?? inv.strings.map((_, i) => `pv${i + 1}`);
  const counters = sources.map(() => 0);
  const models: SunSpecModel[] = [];
  for (const id of spec.models) {
    if (id === 1) {
      models.push(
        commonModel(spec, {
          Mn: spec.common.Mn ?? identity.vendor ?? inv.identity.manufacturer,
          Md: spec.common.Md ?? identity.model ?? inv.identity.model,
          Opt: spec.common.Opt ?? null,
          Vr: spec.common.Vr ?? inv.identity.version,
          SN: inv.identity.serial,
          DA: 1,
        }),
      );
      continue;
    }
    if (id === 160 && spec.mppt) {
      for (const s of spec.mppt) {
        if (s.startsWith('battery') && !inv.battery) throw new ConfigError(`sunspec.mppt '${s}' needs a battery port on the inverter`, spec.location);
        if (s.startsWith('pv') && Number(s.slice(2)) > inv.strings.length) throw new ConfigError(`sunspec.mppt '${s}': the inverter has ${inv.strings.length} PV string(s)`, spec.location);
      }
      models.push(mpptModel(inv, spec.mppt, counters));
      continue;
    }
    const want = id >= 101 && id <= 103 ? [101, 102, 103] : [id];
    const m = std.models.find((x) => want.includes(x.id));
    if (!m) throw new ConfigError(`sunspec model ${id} is not available on this inverter${id === 124 ? ' (it needs a battery port)' : ''}`, spec.location);
    models.push(m);
  }
  const pointOf = (field: string, key: string): [SunSpecModel, string] => {
    const dot = key.indexOf('.');
    const id = Number(key.slice(0, dot));
    const point = key.slice(dot + 1);
    const m = models.find((x) => x.id === id || (id >= 101 && id <= 103 && x.id >= 101 && x.id <= 103));
    if (!m || !m.has(point)) throw new ConfigError(`sunspec.${field} '${key}': no such point in the chain`, spec.location);
    return [m, point];
  };
  for (const [key, sf] of Object.entries(spec.scaleFactors)) {
    const [m, point] = pointOf('scaleFactors', key);
    if (m.layout.point(point)!.type !== 'sunssf') throw new ConfigError(`sunspec.scaleFactors '${key}' is not a scale factor point`, spec.location);
    m.setRaw(point, sf);
  }
  for (const [key, v] of Object.entries(spec.constants)) {
    const [m, point] = pointOf('constants', key);
    m.setRaw(point, v);
  }
  for (const [key, from] of Object.entries(spec.follow)) {
    const [m, point] = pointOf('follow', key);
    const [src, srcPoint] = pointOf('follow', from);
    if (src !== m) throw new ConfigError(`sunspec.follow '${key}': '${from}' is in another model`, spec.location);
    const before = m.onRead;
    m.onRead = () => {
      before?.();
      m.setRaw(point, m.getRaw(srcPoint));
    };
  }
  const device = new SunSpecDevice({
    base: spec.base,
    models,
    identification: { vendorName: identity.vendor ?? inv.identity.manufacturer, productCode: identity.model ?? inv.identity.model, majorMinorRevision: inv.identity.version },
  });
  return {
    device,
    step(dt) {
      const s = inv.state;
      sources.forEach((src, i) => {
        if (src === 'battery.charge') counters[i]! += (Math.max(0, s.batteryW) * dt) / 3600;
        if (src === 'battery.discharge') counters[i]! += (Math.max(0, -s.batteryW) * dt) / 3600;
      });
    },
  };
}
