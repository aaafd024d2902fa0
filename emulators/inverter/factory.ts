/**
 * Build an inverter device from plain data (a bench file's device entry): parameters checked with a schema,
 * `map: sunspec` (default) or a vendor map file, an optional battery port. What the bench's device factory calls.
 */
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { ConfigError } from '../../core/errors';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { BatteryPort } from './battery-port';
import type { FaultHandle, InverterFaultSpec } from './faults';
import { Inverter } from './inverter';
import type { InverterConfig } from './inverter-types';
import { clearDay, cloudyDay, constant, dawn, dusk } from './irradiance';
import type { IrradianceProfile } from './irradiance';
import { CONTROLS, QUANTITIES } from './quantities';
import { createInverterSunSpec } from './sunspec-map';
import { loadVendorMap } from './vendor-map';
import { VendorMapDevice } from './vendor-map-device';

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
  grid?: { vMinPu?: number; vMaxPu?: number; fMinOffset?: number; fMaxOffset?: number; tripDelayS?: number; reconnectDelayS?: number };
  /** SunSpec base address (40000, 0 or 50000). */
  sunspecBase?: number;
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
    grid: {
      type: 'object',
      additionalProperties: false,
      properties: { vMinPu: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, vMaxPu: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, fMinOffset: { type: 'number', minimum: -100, maximum: 100 }, fMaxOffset: { type: 'number', minimum: -100, maximum: 100 }, tripDelayS: seconds, reconnectDelayS: seconds },
    },
    sunspecBase: { enum: [40000, 0, 50000] },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(PARAMS_SCHEMA);

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
  return (validate.errors ?? []).map((e) => {
    if (e.keyword === 'additionalProperties') {
      const k = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: `${e.instancePath}/${k}`, message: `unknown parameter '${k}'` };
    }
    if (e.keyword === 'enum') return { path: e.instancePath, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    return { path: e.instancePath, message: e.message ?? 'is not valid' };
  });
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
  /** 'sunspec' or the vendor map file. */
  readonly map: string;
  step(dtSeconds: number): void;
  injectFault(spec: InverterFaultSpec): FaultHandle;
  /**
   * A value by name, for scenario expressions: a quantity (`ac.power`), a control (`limit_pct`), a SunSpec point
   * (`WMaxLimPct`, the first model in the chain that has it, or `123.WMaxLimPct`), or a vendor register name.
   * `undefined` if unknown or not implemented.
   */
  signal(name: string): number | undefined;
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
    ...(p.grid !== undefined ? { grid: p.grid } : {}),
    ...(o.battery ? { battery: o.battery } : {}),
  };
  const inverter = new Inverter(config);
  const map = o.map ?? 'sunspec';
  let modbus: ModbusDevice;
  let signal: (name: string) => number | undefined;
  if (map === 'sunspec') {
    const { device } = createInverterSunSpec(inverter, { base: p.sunspecBase ?? 40000 });
    modbus = device;
    signal = (name) => {
      const dot = /^(\d+)\.(.+)$/.exec(name);
      const models = dot ? device.models.filter((m) => m.id === Number(dot[1])) : device.models;
      const point = dot ? dot[2]! : name;
      const m = models.find((x) => x.has(point));
      if (!m) return undefined;
      m.onRead?.();
      const v = m.get(point);
      return typeof v === 'number' ? v : undefined;
    };
  } else {
    const vm = new VendorMapDevice(inverter, loadVendorMap(resolve(o.baseDir ?? process.cwd(), map)));
    modbus = vm;
    signal = (name) => {
      const r = vm.map.registers.find((x) => x.name === name);
      return r ? vm.valueOf(r) : undefined;
    };
  }
  return {
    name: o.name,
    inverter,
    modbus,
    map,
    step: (dt) => inverter.step(dt),
    injectFault: (spec) => inverter.injectFault(spec),
    signal(name) {
      if (name in QUANTITIES) return QUANTITIES[name]!(inverter);
      if (name in CONTROLS) return CONTROLS[name]!.read(inverter);
      return signal(name);
    },
  };
}
