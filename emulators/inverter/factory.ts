/**
 * Build an inverter device from plain data (a bench file's device entry): parameters checked with a schema,
 * `map: sunspec` (default) or a vendor map file, an optional battery port. What the bench's device factory calls.
 */
import { resolve } from 'node:path';
import { compileSchemaCached } from '../../core/schema-cache';
import { ConfigError } from '../../core/errors';
import { schemaIssues } from '../../core/schema-errors';
import { packagePath } from '../../core/package-root';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec';
import type { BatteryPort } from './battery-port';
import type { FaultHandle, InverterFaultSpec } from './faults';
import { Inverter } from './inverter';
import type { InverterConfig } from './inverter-types';
import { clearDay, cloudyDay, constant, dawn, dusk } from './irradiance';
import type { IrradianceProfile } from './irradiance';
import { CONTROLS, QUANTITIES } from './quantities';
import { createInverterSunSpec } from './sunspec-map';
import type { VendorBehaviourEngine } from './vendor-behaviour';
import { loadVendorMap } from './vendor-map';
import { vendorMapUnits } from './vendor-map-device';
import type { VendorMapDevice } from './vendor-map-device';

/** Device parameters as written in a bench file (all optional). Times of day: seconds or "HH:MM[:SS]". */
export interface InverterParams {
  seed?: number;
  ratedW?: number;
  ratedVA?: number;
  phases?: 'single' | 'split' | 'three';
  nominalV?: number;
  nominalHz?: number;
  strings?: Array<{ modules: number; mpptSettleS?: number }>;
  ambientC?: number;
  startTime?: number | string;
  profile?:
    | { kind: 'clear'; sunrise?: number | string; sunset?: number | string; peak?: number }
    | { kind: 'cloudy'; seed?: number; sunrise?: number | string; sunset?: number | string; peak?: number; cloudsPerHour?: number }
    | { kind: 'constant'; irradiance: number }
    | { kind: 'dawn' | 'dusk'; start: number | string; durationS: number; irradiance?: number };
  rampPctPerS?: number;
  startDelayS?: number;
  wakeW?: number;
  batteryMaxW?: number;
  /** false: the inverter trusts its EMS and does not clamp battery power to the BMS limits (see InverterConfig). */
  honourBmsLimits?: boolean;
  /** House consumption behind the site meter, W (default 0; see InverterConfig.siteLoadW). */
  siteLoadW?: number;
  /** Grid charging allowed at start (124 ChaGriSet GRID; default true). */
  gridCharging?: boolean;
  /** Minimum reserve at start, % (124 MinRsvPct; default 0). */
  minReservePct?: number;
  grid?: { vMinPu?: number; vMaxPu?: number; fMinOffset?: number; fMaxOffset?: number; tripDelayS?: number; reconnectDelayS?: number };
  /** SunSpec base address (40000, 0 or 50000). */
  sunspecBase?: number;
  /** Weekday the run starts on, for vendor maps' time-of-use weekday masks (0 Sunday .. 6 Saturday; default 0). */
  startWeekday?: number;
}

// Plausible bounds (docs/input-limits.md): a hybrid inverter of up to 10 MW (utility central inverters are a few MW),
// low-voltage AC (IEC 60038: up to 1000 V), 50/60 Hz grids, the scenario ambient range, irradiance below 2000 W/m2.
const tod = { anyOf: [{ type: 'number', minimum: 0, maximum: 86_400 }, { type: 'string', pattern: '^\\d{1,2}:\\d{2}(:\\d{2})?$' }] };
const watts = { type: 'number', exclusiveMinimum: 0, maximum: 1e7 };
const seconds = { type: 'number', minimum: 0, maximum: 86_400 };
const irradiance = { type: 'number', minimum: 0, maximum: 2000 };
const PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: { type: 'integer' },
    ratedW: watts,
    ratedVA: watts,
    phases: { enum: ['single', 'split', 'three'] },
    nominalV: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
    nominalHz: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    strings: {
      type: 'array',
      minItems: 1,
      maxItems: 4,
      items: { type: 'object', required: ['modules'], additionalProperties: false, properties: { modules: { type: 'integer', minimum: 1, maximum: 1000 }, mpptSettleS: { type: 'number', exclusiveMinimum: 0, maximum: 3600 } } },
    },
    ambientC: { type: 'number', minimum: -60, maximum: 100 },
    startTime: tod,
    profile: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { enum: ['clear', 'cloudy', 'constant', 'dawn', 'dusk'] },
        sunrise: tod,
        sunset: tod,
        peak: { type: 'number', exclusiveMinimum: 0, maximum: 2000 },
        seed: { type: 'integer' },
        cloudsPerHour: { type: 'number', minimum: 0, maximum: 3600 },
        irradiance,
        start: tod,
        durationS: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
      },
      additionalProperties: false,
    },
    rampPctPerS: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
    startDelayS: seconds,
    wakeW: { type: 'number', minimum: 0, maximum: 1e7 },
    batteryMaxW: watts,
    honourBmsLimits: { type: 'boolean' },
    siteLoadW: { type: 'number', minimum: 0 },
    gridCharging: { type: 'boolean' },
    minReservePct: { type: 'number', minimum: 0, maximum: 100 },
    grid: {
      type: 'object',
      additionalProperties: false,
      properties: { vMinPu: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, vMaxPu: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, fMinOffset: { type: 'number', minimum: -100, maximum: 100 }, fMaxOffset: { type: 'number', minimum: -100, maximum: 100 }, tripDelayS: seconds, reconnectDelayS: seconds },
    },
    sunspecBase: { enum: [40000, 0, 50000] },
    startWeekday: { type: 'integer', minimum: 0, maximum: 6 },
  },
} as const;

// validateSchema false: this is our own fixed schema, so no draft-07 meta-schema compile at every start (issue 19).
const validate = compileSchemaCached(PARAMS_SCHEMA, { allErrors: true, verbose: true, validateSchema: false });

export interface ParamProblem {
  /** JSON pointer below `params` (`/strings/0/modules`), for the bench loader to turn into file:line:column. */
  path: string;
  message: string;
}

/** Check parameters; an empty list means valid. */
export function checkInverterParams(params: unknown): ParamProblem[] {
  if (validate(params ?? {})) {
    const p = (params ?? {}) as InverterParams;
    const out: ParamProblem[] = [];
    if (p.ratedVA !== undefined && p.ratedVA < (p.ratedW ?? 5000)) out.push({ path: '/ratedVA', message: 'ratedVA must be >= ratedW' });
    if (p.profile?.kind === 'constant' && typeof (p.profile as { irradiance?: unknown }).irradiance !== 'number') {
      out.push({ path: '/profile', message: "profile kind 'constant' needs 'irradiance'" });
    }
    const prof = p.profile as { kind?: string; start?: unknown; durationS?: unknown } | undefined;
    if ((prof?.kind === 'dawn' || prof?.kind === 'dusk') && (prof.start === undefined || prof.durationS === undefined)) {
      out.push({ path: '/profile', message: `profile kind '${prof.kind}' needs 'start' and 'durationS'` });
    }
    return out;
  }
  return schemaIssues(validate.errors ?? [], { subject: 'none', noun: 'parameter', listAllowed: false }).map((i) => ({ path: i.pointer, message: i.message }));
}

/** Seconds since midnight from seconds or "HH:MM[:SS]". */
export function timeOfDay(v: number | string): number {
  if (typeof v === 'number') return v;
  const [h, m, s] = v.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
}

function profileOf(p: NonNullable<InverterParams['profile']>, seed: number): IrradianceProfile {
  const day = {
    ...('sunrise' in p && p.sunrise !== undefined ? { sunrise: timeOfDay(p.sunrise) } : {}),
    ...('sunset' in p && p.sunset !== undefined ? { sunset: timeOfDay(p.sunset) } : {}),
    ...('peak' in p && p.peak !== undefined ? { peak: p.peak } : {}),
  };
  switch (p.kind) {
    case 'clear':
      return clearDay(day);
    case 'cloudy':
      return cloudyDay({ ...day, seed: p.seed ?? seed, ...(p.cloudsPerHour !== undefined ? { cloudsPerHour: p.cloudsPerHour } : {}) });
    case 'constant':
      return constant(p.irradiance);
    case 'dawn':
      return dawn(timeOfDay(p.start), p.durationS, p.irradiance);
    case 'dusk':
      return dusk(timeOfDay(p.start), p.durationS, p.irradiance);
  }
}

export interface CreateInverterOptions {
  name: string;
  params?: unknown;
  /** `sunspec` (default) or a vendor map file path. */
  map?: string;
  /** Directory relative map paths resolve against (the bench file's). */
  baseDir?: string;
  battery?: BatteryPort;
}

/** An inverter with its Modbus face, for benches and scenarios. */
export interface InverterDevice {
  readonly name: string;
  readonly inverter: Inverter;
  readonly modbus: ModbusDevice;
  /** 'sunspec', a built-in map name (`sungrow-sh`) or a vendor map file. */
  readonly map: string;
  /**
   * Vendor maps: every unit id the map answers on and its device (one layout per unit id; Victron's system and
   * vebus services are two). Absent for SunSpec: `modbus` serves the bench's unit id.
   */
  readonly units?: ReadonlyMap<number, ModbusDevice>;
  /** Seconds the device stays silent after a Modbus TCP connect (a vendor map's `limits.connectDelayS`; else 0). */
  readonly connectDelayS: number;
  step(dtSeconds: number): void;
  injectFault(spec: InverterFaultSpec): FaultHandle;
  /**
   * A value by name, for scenario expressions: a quantity (`ac.power`), a control (`limit_pct`), a SunSpec point
   * (`WMaxLimPct`, the first model in the chain that has it, or `123.WMaxLimPct`), or a vendor register name. On a
   * vendor-map inverter `InWRte`, `OutWRte`, `StorCtl_Mod`, `WMaxLimPct` and `WMaxLim_Ena` give the 124/123 state its
   * vendor commands became; `behaviour.kind` (0 auto, 1 command, 2 setpoint) and `behaviour.timeout_remaining` (s)
   * show the behaviour engine, `behaviour.period` the time-of-use period the programme is in (1-based; 0 none).
   * `undefined` if unknown or not implemented.
   */
  signal(name: string): number | undefined;
}

/** Built-in vendor maps (data/inverters/<name>.yaml), by name. */
export const BUILTIN_VENDOR_MAPS = ['sungrow-sh', 'victron-gx', 'huawei-sun2000', 'deye-sunsynk', 'sma-sbse', 'fronius-gen24'] as const;

/** A map name (`sungrow-sh`) or a file path (relative to `baseDir`) to the file to load. */
export function resolveVendorMap(map: string, baseDir?: string): string {
  if ((BUILTIN_VENDOR_MAPS as readonly string[]).includes(map)) return packagePath('data', 'inverters', `${map}.yaml`);
  return resolve(baseDir ?? process.cwd(), map);
}

/** A SunSpec point's value by name (`W`, or `124.OutWRte` for the point of model 124), refreshed from the model. */
function sunspecPoint(device: SunSpecDevice, name: string): number | undefined {
  const dot = /^(\d+)\.(.+)$/.exec(name);
  const models = dot ? device.models.filter((m) => m.id === Number(dot[1])) : device.models;
  const point = dot ? dot[2]! : name;
  const m = models.find((x) => x.has(point));
  if (!m) return undefined;
  m.refresh();
  const v = m.get(point);
  return typeof v === 'number' ? v : undefined;
}

/** Build an inverter device. Throws `ConfigError` naming the device and each bad parameter's path. */
export function createInverterDevice(o: CreateInverterOptions): InverterDevice {
  const problems = checkInverterParams(o.params);
  if (problems.length > 0) {
    throw new ConfigError(`inverter '${o.name}': ${problems.map((p) => `params${p.path.replace(/\//g, '.')}: ${p.message}`).join('; ')}`);
  }
  const p = (o.params ?? {}) as InverterParams;
  const seed = p.seed ?? 1;
  const config: InverterConfig = {
    seed,
    ...(p.ratedW !== undefined ? { ratedW: p.ratedW } : {}),
    ...(p.ratedVA !== undefined ? { ratedVA: p.ratedVA } : {}),
    ...(p.phases !== undefined ? { phases: p.phases } : {}),
    ...(p.nominalV !== undefined ? { nominalV: p.nominalV } : {}),
    ...(p.nominalHz !== undefined ? { nominalHz: p.nominalHz } : {}),
    ...(p.strings !== undefined ? { strings: p.strings } : {}),
    ...(p.ambientC !== undefined ? { ambientC: p.ambientC } : {}),
    ...(p.startTime !== undefined ? { startTimeOfDay: timeOfDay(p.startTime) } : {}),
    ...(p.profile !== undefined ? { profile: profileOf(p.profile, seed) } : {}),
    ...(p.rampPctPerS !== undefined ? { rampPctPerS: p.rampPctPerS } : {}),
    ...(p.startDelayS !== undefined ? { startDelayS: p.startDelayS } : {}),
    ...(p.wakeW !== undefined ? { wakeW: p.wakeW } : {}),
    ...(p.batteryMaxW !== undefined ? { batteryMaxW: p.batteryMaxW } : {}),
    ...(p.honourBmsLimits !== undefined ? { honourBmsLimits: p.honourBmsLimits } : {}),
    ...(p.siteLoadW !== undefined ? { siteLoadW: p.siteLoadW } : {}),
    ...(p.gridCharging !== undefined ? { gridCharging: p.gridCharging } : {}),
    ...(p.minReservePct !== undefined ? { minReservePct: p.minReservePct } : {}),
    ...(p.grid !== undefined ? { grid: p.grid } : {}),
    ...(o.battery ? { battery: o.battery } : {}),
  };
  const inverter = new Inverter(config);
  const map = o.map ?? 'sunspec';
  let modbus: ModbusDevice;
  let signal: (name: string) => number | undefined;
  let engine: VendorBehaviourEngine | undefined;
  let afterStep: ((dt: number) => void) | undefined;
  let units: Map<number, ModbusDevice> | undefined;
  let connectDelayS = 0;
  if (map === 'sunspec') {
    const { device } = createInverterSunSpec(inverter, { base: p.sunspecBase ?? 40000 });
    modbus = device;
    signal = (name) => sunspecPoint(device, name);
  } else {
    const vmap = loadVendorMap(resolveVendorMap(map, o.baseDir));
    const built = vendorMapUnits(inverter, vmap, { startWeekday: p.startWeekday ?? 0 });
    engine = built.engine;
    afterStep = built.step;
    units = built.units;
    connectDelayS = vmap.limits.connectDelayS;
    const first = built.units.values().next().value as VendorMapDevice;
    modbus = first;
    const chain = first.sunspec;
    signal = (name) => {
      // A map with a SunSpec chain (Fronius) answers SunSpec names from the chain itself.
      const fromChain = chain ? sunspecPoint(chain, name) : undefined;
      if (fromChain !== undefined) return fromChain;
      const c = inverter.controls;
      // SunSpec names read the 124/123 state the vendor commands were turned into (scenarios written for SunSpec
      // inverters run unchanged on a vendor-map inverter).
      if (name === 'InWRte') return c.storageCharge ? c.chargePct + 0 : 100;
      if (name === 'OutWRte') return c.storageDischarge ? c.dischargePct + 0 : 100;
      if (name === 'StorCtl_Mod') return (c.storageCharge ? 1 : 0) | (c.storageDischarge ? 2 : 0);
      if (name === 'WMaxLimPct') return c.limitEnabled ? c.limitPct + 0 : 100;
      if (name === 'WMaxLim_Ena') return c.limitEnabled ? 1 : 0;
      if (name === 'behaviour.kind') return ['auto', 'command', 'setpoint'].indexOf(built.engine.kind);
      if (name === 'behaviour.timeout_remaining') return built.engine.timeoutRemainingS;
      if (name === 'behaviour.period') return (built.engine.periodNow()?.index ?? -1) + 1;
      const r = vmap.registers.find((x) => x.name === name);
      if (!r) return undefined;
      return built.units.get(vmap.layouts.find((l) => l.registers.includes(r))!.unitIds[0]!)?.valueOf(r) ?? first.valueOf(r);
    };
  }
  return {
    name: o.name,
    inverter,
    modbus,
    map,
    ...(units ? { units } : {}),
    connectDelayS,
    step: (dt) => {
      engine?.tick();
      inverter.step(dt);
      afterStep?.(dt);
    },
    injectFault: (spec) => inverter.injectFault(spec),
    signal(name) {
      if (name in QUANTITIES) return QUANTITIES[name]!(inverter);
      if (name in CONTROLS) return CONTROLS[name]!.read(inverter);
      return signal(name);
    },
  };
}
