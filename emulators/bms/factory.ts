/**
 * Build a bench BMS from plain data (a bench file's device entry): a pack profile (bundled id or a JSON path),
 * parameters checked with a schema, and one protocol profile (LV CAN Pylontech/SMA, Pylon HV CAN, SunSpec 802).
 * What the bench's device factory calls; mirrors emulators/inverter/factory.ts.
 */
import { isAbsolute, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { schemaIssues } from '../../core/schema-errors';
import type { CanBus } from '../../protocols/can/bus';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { BmsDevice, type BmsDeviceOptions } from './device/bms-device';
import type { FaultHandle } from './device/fault-spec';
import type { BmsSnapshot } from './device/snapshot';
import { BMS_FAULT_KINDS, BMS_FAULT_SCHEMA, toDeviceFault, type BmsFaultSpec } from './factory-faults';
import { BmsFlag } from './logic/flags';
import type { AgingSegment } from './pack/aging';
import { listPackFixtures, loadPackFixture } from './pack/fixtures';
import { SOC_MAX, SOC_MIN } from './pack/ocv-table';
import { loadPackProfile } from './pack/profile-schema';
import type { HeartbeatReaction, PackProfile } from './pack/profile-types';
import type { CanProfileAttachment, CanProfileStats } from './profiles/can-link';
import { LV_CAN_VARIANTS, lvCanVariant, type VariantWatchdog } from './profiles/lv-can';
import { attachLvCan } from './profiles/lv-can-profile';
import { attachPylonHv, PYLON_HV_VARIANTS, pylonHvVariant } from './profiles/pylon-hv';
import { createBmsSunSpec } from './profiles/sunspec-battery';
import { attachNissanLeaf } from './profiles/nissan-leaf';
import { attachDalyCan } from './profiles/daly-can';
import { attachJkCan } from './profiles/jk-can';
import { attachOrionBms2 } from './profiles/orion-bms2';
import { attachBmwI3 } from './profiles/bmw-i3';
import { attachRenaultZoe, type ZoeVariant } from './profiles/renault-zoe';
import { attachKiaHyundai64 } from './profiles/kia-hyundai-64';
import { attachTeslaLegacy } from './profiles/tesla-legacy';

/** Aftermarket BMS profiles (emulators/bms/profiles/<name>/): one line each. */
const AFTERMARKET_CAN: Readonly<Record<string, (d: BmsDevice, bus: CanBus, o: { clock?: Clock }) => CanProfileAttachment>> = {
  'orion-bms2': attachOrionBms2,
  'daly-can': attachDalyCan,
  'jk-can': attachJkCan,
};

export { BMS_FAULT_SCHEMA, BMS_FAULT_KINDS } from './factory-faults';
export type { BmsFaultSpec, BmsFaultKind } from './factory-faults';

export const BMS_PROTOCOLS = ['pylon-lv', 'sma-lv', 'pylon-hv', 'sunspec-802', 'nissan-leaf', 'bmw-i3', 'renault-zoe', 'kia-hyundai-64', 'tesla-legacy', 'orion-bms2', 'daly-can', 'jk-can'] as const;
/** BMS protocols served over Modbus; every other one is carried on CAN. */
export const MODBUS_BMS_PROTOCOLS: readonly BmsProtocol[] = ['sunspec-802'];
export type BmsProtocol = (typeof BMS_PROTOCOLS)[number];

/**
 * Device parameters as written in a bench file (all optional). Percentages are 0..100 (soc, soh); temperatures
 * degC; currents A (+ charge).
 */
export interface BmsParams {
  seed?: number;
  /** Initial SOC as the BMS reports it (string SOC), % (default: cells at 50 % mean). */
  soc?: number;
  /** State of health as reported, % of nameplate capacity (default the profile's); with `agingHistory`, the SOH before it. */
  soh?: number;
  /** Resistance relative to fresh (default the profile's). */
  resistanceFactor?: number;
  /** Ambient temperature, degC (default the profile's). */
  ambientC?: number;
  /** Initial module temperature, degC (default the ambient). */
  temperatureC?: number;
  /** Overrides of the profile's cell spread (second-life scatter). */
  spread?: Partial<PackProfile['spread']>;
  /**
   * Heartbeat watchdog: timeout, reaction, and whether it is armed before the first beat. Default: the protocol
   * variant's (what firmware speaking it does, e.g. 60 s for Pylontech LV, 180 s for SMA; see
   * docs/protocols/battery-can.md), or the pack profile's for sunspec-802. CI benches set a strict 3 s on purpose.
   */
  heartbeat?: { timeoutS?: number; reaction?: HeartbeatReaction; armAtStart?: boolean };
  /**
   * Protocol variant where public implementations disagree: sma-lv 'sma' (default) or 'sma-bigendian'; pylon-lv
   * 'pylon'; pylon-hv 'pylon' (default), 'pylon-discharge-positive' or 'battery-emulator'; renault-zoe 'ze40'
   * (default) or 'ze22' (the Gen1 battery generation).
   */
  variant?: string;
  /** 'pass' (default) or 'clamp' currents above the limits. */
  currentPolicy?: 'pass' | 'clamp';
  /** Close the contactors at power-up (default true). */
  autoClose?: boolean;
  /** Usage history to age the pack by at build. */
  agingHistory?: AgingSegment[];
  /** Protocol options: LV/HV manufacturer name, LV pack count, BMS name, Victron extensions, cycle, id offset, SunSpec. */
  manufacturer?: string;
  packCount?: number;
  bmsName?: string;
  extensions?: boolean;
  periodMs?: number;
  idOffset?: 0 | 1;
  sunspecBase?: 40000 | 0 | 50000;
  sunspecDetail?: boolean;
  /** Native Nissan Leaf: battery generation (ze0, aze0, ze1; default aze0). */
  generation?: 'ze0' | 'aze0' | 'ze1';
}

// Plausible bounds (docs/input-limits.md): the scenario temperature range, resistance up to 100x new, a century of
// aging history, cycle periods and watchdog timeouts of at most a day.
const num = { type: 'number', minimum: -60, maximum: 100 };
const pos = { type: 'number', exclusiveMinimum: 0, maximum: 100 };
const frac = { type: 'number', minimum: 0, maximum: 1 };
const PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: { type: 'integer' },
    soc: { type: 'number', minimum: 0, maximum: 100 },
    soh: { type: 'number', exclusiveMinimum: 0, maximum: 150 },
    resistanceFactor: pos,
    ambientC: { type: 'number', minimum: -60, maximum: 100 },
    temperatureC: { type: 'number', minimum: -60, maximum: 100 },
    spread: {
      type: 'object',
      additionalProperties: false,
      properties: {
        capacitySigma: { type: 'number', minimum: 0, maximum: 0.5 },
        resistanceSigma: { type: 'number', minimum: 0, maximum: 1 },
        selfDischargeSigma: { type: 'number', minimum: 0, maximum: 2 },
        weakCells: { type: 'integer', minimum: 0, maximum: 100_000 },
        weakCapacityFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1.5 },
        weakResistanceFactor: pos,
        weakSelfDischargeFactor: { type: 'number', minimum: 0, maximum: 100 },
        weakAgingFactor: pos,
        socSigma: { type: 'number', minimum: 0, maximum: 0.3 },
      },
    },
    heartbeat: {
      type: 'object',
      additionalProperties: false,
      properties: { timeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 }, reaction: { enum: ['open-contactors', 'zero-limits', 'none'] }, armAtStart: { type: 'boolean' } },
    },
    currentPolicy: { enum: ['pass', 'clamp'] },
    autoClose: { type: 'boolean' },
    agingHistory: {
      type: 'array',
      items: {
        type: 'object',
        required: ['days'],
        additionalProperties: false,
        properties: { days: { type: 'number', minimum: 0, maximum: 36_500 }, efc: { type: 'number', minimum: 0, maximum: 100_000 }, tempC: num, soc: frac, dod: frac, cRate: { type: 'number', minimum: 0, maximum: 100 } },
      },
    },
    manufacturer: { type: 'string', maxLength: 16, pattern: '^[\\x20-\\x7e]*$' },
    packCount: { type: 'integer', minimum: 0, maximum: 255 },
    bmsName: { type: 'string', maxLength: 16, pattern: '^[\\x20-\\x7e]*$' },
    extensions: { type: 'boolean' },
    periodMs: { type: 'number', exclusiveMinimum: 0, maximum: 86_400_000 },
    idOffset: { enum: [0, 1] },
    variant: { type: 'string' },
    sunspecBase: { enum: [40000, 0, 50000] },
    sunspecDetail: { type: 'boolean' },
    generation: { enum: ['ze0', 'aze0', 'ze1'] },
  },
} as const;

// One Ajv instance (each compiles its meta-schema, tens of ms of start-up); the fault schema compiled on first use.
const ajv = new Ajv({ allErrors: true, verbose: true });
const validate = ajv.compile(PARAMS_SCHEMA);
let faultValidator: ValidateFunction | undefined;
const faultCheck = (): ValidateFunction => (faultValidator ??= ajv.compile(BMS_FAULT_SCHEMA));

/** Throws `ConfigError` saying what is wrong with a fault spec (unknown kind, missing or bad field). */
function checkFaultSpec(spec: unknown, where: string): void {
  const checkFault = faultCheck();
  if (checkFault(spec)) return;
  const kind = (spec as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(BMS_FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`${where} has no fault '${String(kind)}' (it takes: ${BMS_FAULT_KINDS.join(', ')})`);
  }
  // Only the errors of the branch of this kind.
  const branch = BMS_FAULT_SCHEMA.oneOf.findIndex((b) => b.properties.kind.const === kind);
  const detail = schemaIssues(checkFault.errors ?? [], { subject: 'field', fallback: 'fault', noun: 'field', schemaPath: `#/oneOf/${branch}/` })
    .map((i) => i.message)
    .slice(0, 3)
    .join('; ');
  throw new ConfigError(`${where}: fault '${kind}': ${detail}`);
}

/** Parameters that only mean something for some protocols. */
const PROTOCOL_ONLY: Record<string, readonly BmsProtocol[]> = {
  packCount: ['pylon-lv'],
  bmsName: ['pylon-lv'],
  extensions: ['pylon-lv'],
  periodMs: ['pylon-lv', 'sma-lv'],
  idOffset: ['pylon-hv'],
  sunspecBase: ['sunspec-802'],
  sunspecDetail: ['sunspec-802'],
  generation: ['nissan-leaf'],
  manufacturer: ['pylon-lv', 'sma-lv', 'pylon-hv', 'sunspec-802'],
};

export interface ParamProblem {
  /** JSON pointer below `params`, for the bench loader to turn into file:line:column. */
  path: string;
  message: string;
}

/** Check parameters (for `protocol`, when given); an empty list means valid. */
export function checkBmsParams(params: unknown, protocol?: string): ParamProblem[] {
  if (!validate(params ?? {})) {
    return schemaIssues(validate.errors ?? [], { subject: 'none', noun: 'parameter', listAllowed: false }).map((i) => ({ path: i.pointer, message: i.message }));
  }
  const p = (params ?? {}) as Record<string, unknown>;
  const out: ParamProblem[] = [];
  if (protocol !== undefined && (BMS_PROTOCOLS as readonly string[]).includes(protocol)) {
    for (const [k, only] of Object.entries(PROTOCOL_ONLY)) {
      if (p[k] !== undefined && !only.includes(protocol as BmsProtocol)) out.push({ path: `/${k}`, message: `'${k}' applies to protocol ${only.join(', ')}, not ${protocol}` });
    }
    if (typeof p.variant === 'string') {
      const known = PROTOCOL_VARIANTS[protocol as BmsProtocol];
      if (!known) out.push({ path: '/variant', message: `protocol ${protocol} has no variants (variants exist for ${Object.keys(PROTOCOL_VARIANTS).join(', ')})` });
      else if (!known.includes(p.variant)) out.push({ path: '/variant', message: `protocol ${protocol} has no variant '${p.variant}' (known: ${known.join(', ')})` });
    }
  }
  return out;
}

export interface CreateBmsOptions {
  name: string;
  /** A bundled pack profile id (data/packs, e.g. `nissan-leaf-24kwh`) or a path to a profile JSON. */
  pack: string;
  protocol: string;
  params?: unknown;
  /** Directory relative pack paths resolve against (the bench file's). */
  baseDir?: string;
  /** Time of the device (heartbeat watchdog) and of the CAN cycles (default: each bus's clock). */
  clock?: Clock;
}

/**
 * A BMS on a bench: the device (also the inverter's `BatteryPort`), its protocol face, and what scenarios drive.
 *
 * Signals (`signal(name)`, listed by `signalNames()`), as the BMS reports them (its snapshot; a 'frozen-data' fault
 * freezes them) unless prefixed `pack.` (the physical truth):
 * soc, soh (%), voltage (V), current (A, + charge), temperature.max/min/avg (degC), cell.voltage.max/min (V),
 * chargeCurrentLimit, dischargeCurrentLimit (A), chargeVoltageLimit, dischargeVoltageLimit (V), contactorClosed,
 * chargeEnable, dischargeEnable, heartbeatLost, commsLost (booleans), insulationKOhm, balancingCells, remainingAh,
 * fullChargeAh, energyInWh, energyOutWh, cycles, alarm.<n> / warning.<n> / latched.<n> booleans for n in
 * any, overVoltage, underVoltage, overTemperature, underTemperature, overCurrent, chargeOverCurrent,
 * dischargeOverCurrent, insulation, internal, internalComms, contactor, sensor, imbalance, temperatureSpread,
 * heartbeatLost; pack.soc, pack.voltage, pack.temperature.max/min (truth); protocol figures framesSent,
 * sendErrors, malformedIgnored, heartbeats, requestsAnswered, silencedByCommsLoss (summed over CAN attachments).
 */
export interface BmsBenchDevice {
  readonly name: string;
  /** The device; also the `BatteryPort` to give an inverter. */
  readonly device: BmsDevice;
  readonly protocol: BmsProtocol;
  /** Pack profile id. */
  readonly pack: string;
  /** CAN protocols: start the profile on `bus`; returns its detach. Throws `ConfigError` for a Modbus protocol. */
  attachCan(bus: CanBus): () => void;
  /** For 'sunspec-802': the Modbus unit to serve (and the SunSpec map behind it). */
  readonly modbus?: ModbusDevice;
  readonly sunspec?: SunSpecDevice;
  step(dtSeconds: number): void;
  /** Inject a fault (checked against BMS_FAULT_SCHEMA, then by the device); throws `ConfigError` naming what is wrong. */
  injectFault(spec: BmsFaultSpec): FaultHandle;
  /** Detach every CAN attachment (stops cycles and listeners); idempotent. Buses stay open. */
  close(): void;
  signal(name: string): number | boolean | undefined;
  signalNames(): string[];
  /**
   * Stimuli: 'ambientC' (alias 'ambient', degC), 'current' (A, + charge: external load/charger). False for an
   * unknown name or a non-finite value.
   */
  setInput(name: string, value: number): boolean;
  /**
   * Initial conditions of a scenario, applied at once: soc (%; every cell shifted, keeping the spread), soh (%),
   * resistanceFactor, temperatureC (alias temperature; modules, and the ambient unless ambientC is given),
   * ambientC (alias ambient). Throws
   * `ConfigError` naming an unknown key or a bad value (nothing changes then).
   */
  applyInitial(values: Readonly<Record<string, unknown>>): void;
}

/** Load a pack by bundled id or path. */
function loadPack(pack: string, baseDir: string | undefined): PackProfile {
  if (pack.endsWith('.json') || pack.includes('/') || isAbsolute(pack)) return loadPackProfile(resolve(baseDir ?? process.cwd(), pack));
  return loadPackFixture(pack);
}

const FLAG_SIGNALS: Record<string, number> = {
  overVoltage: BmsFlag.CellOverVoltage,
  underVoltage: BmsFlag.CellUnderVoltage,
  overTemperature: BmsFlag.OverTemperature,
  underTemperature: BmsFlag.UnderTemperature,
  overCurrent: BmsFlag.ChargeOverCurrent | BmsFlag.DischargeOverCurrent,
  chargeOverCurrent: BmsFlag.ChargeOverCurrent,
  dischargeOverCurrent: BmsFlag.DischargeOverCurrent,
  insulation: BmsFlag.Insulation,
  internal: BmsFlag.InternalFault,
  internalComms: BmsFlag.InternalComms,
  contactor: BmsFlag.ContactorFault,
  sensor: BmsFlag.SensorFault,
  imbalance: BmsFlag.CellImbalance,
  temperatureSpread: BmsFlag.TemperatureSpread,
  heartbeatLost: BmsFlag.HeartbeatLost,
  any: ~0,
};

type Reader = (s: Readonly<BmsSnapshot>, d: BmsDevice) => number | boolean;
const SNAPSHOT_SIGNALS: Record<string, Reader> = {
  soc: (s) => s.soc * 100,
  soh: (s) => s.soh * 100,
  voltage: (s) => s.packVoltage,
  current: (s) => s.current,
  'temperature.max': (s) => s.cellTMax,
  'temperature.min': (s) => s.cellTMin,
  'temperature.avg': (s) => s.tempAvg,
  'cell.voltage.max': (s) => s.cellVMax,
  'cell.voltage.min': (s) => s.cellVMin,
  chargeCurrentLimit: (s) => s.chargeCurrentLimit,
  dischargeCurrentLimit: (s) => s.dischargeCurrentLimit,
  chargeVoltageLimit: (s) => s.chargeVoltageLimit,
  dischargeVoltageLimit: (s) => s.dischargeVoltageLimit,
  contactorClosed: (_s, d) => d.contactorClosed(),
  chargeEnable: (s) => s.chargeEnable,
  dischargeEnable: (s) => s.dischargeEnable,
  heartbeatLost: (s) => s.heartbeatLost,
  commsLost: (_s, d) => d.faults.commsLost,
  insulationKOhm: (s) => s.insulationKOhm,
  balancingCells: (s) => s.balancingCells,
  remainingAh: (s) => s.remainingAh,
  fullChargeAh: (s) => s.fullChargeAh,
  energyInWh: (s) => s.energyInWh,
  energyOutWh: (s) => s.energyOutWh,
  cycles: (s) => s.cycles,
  'pack.soc': (_s, d) => d.pack.stringSoc() * 100,
  'pack.voltage': (_s, d) => d.pack.packVoltage,
  'pack.temperature.max': (_s, d) => d.pack.maxTempC,
  'pack.temperature.min': (_s, d) => d.pack.minTempC,
};
for (const [n, bit] of Object.entries(FLAG_SIGNALS)) {
  SNAPSHOT_SIGNALS[`alarm.${n}`] = (s) => (s.alarms & bit) !== 0;
  SNAPSHOT_SIGNALS[`warning.${n}`] = (s) => (s.warnings & bit) !== 0;
  SNAPSHOT_SIGNALS[`latched.${n}`] = (s) => (s.latched & bit) !== 0;
}
const PROTOCOL_SIGNALS: ReadonlyArray<keyof CanProfileStats> = ['framesSent', 'sendErrors', 'malformedIgnored', 'heartbeats', 'requestsAnswered', 'silencedByCommsLoss', 'commandsApplied'];

/** Largest pack voltage the LV CAN 0x356 field holds (s16, 0.01 V). */
const LV_MAX_VOLTS = 327.67;

const INITIAL_KEYS = ['soc', 'soh', 'resistanceFactor', 'temperatureC', 'ambientC'] as const;
const INITIAL_ALIASES: Record<string, string> = { temperature: 'temperatureC', ambient: 'ambientC' };

/** Build a bench BMS. Throws `ConfigError` naming the device and each bad parameter's path. */
export function createBmsDevice(o: CreateBmsOptions): BmsBenchDevice {
  const where = `bms '${o.name}'`;
  if (!(BMS_PROTOCOLS as readonly string[]).includes(o.protocol)) {
    throw new ConfigError(`${where}: unknown protocol '${o.protocol}' (known: ${BMS_PROTOCOLS.join(', ')})`);
  }
  const protocol = o.protocol as BmsProtocol;
  const problems = checkBmsParams(o.params, protocol);
  if (problems.length > 0) throw new ConfigError(`${where}: ${problems.map((p) => `params${p.path.replace(/\//g, '.')}: ${p.message}`).join('; ')}`);
  const p = (o.params ?? {}) as BmsParams;
  let base: PackProfile;
  try {
    base = loadPack(o.pack, o.baseDir);
  } catch (err) {
    const known = listPackFixtures().join(', ');
    throw new ConfigError(`${where}: pack '${o.pack}': ${(err as Error).message}${(err as Error).message.includes('known') ? '' : ` (bundled: ${known})`}`, undefined, { cause: err });
  }
  const watchdog = variantWatchdog(protocol, p.variant, where);
  const profile: PackProfile = {
    ...base,
    spread: { ...base.spread, ...(p.spread ?? {}) },
    bms: { ...base.bms, heartbeat: { ...base.bms.heartbeat, ...watchdog, ...(p.heartbeat?.timeoutS !== undefined ? { timeoutS: p.heartbeat.timeoutS } : {}) } },
  };
  const maxV = profile.bms.chargeVoltagePerCell * profile.topology.series;
  if ((protocol === 'pylon-lv' || protocol === 'sma-lv') && maxV > LV_MAX_VOLTS) {
    throw new ConfigError(`${where}: pack ${profile.id} charges to ${maxV.toFixed(1)} V, above what LV CAN carries (0x356: ${LV_MAX_VOLTS} V); use pylon-hv or sunspec-802`);
  }
  const options: BmsDeviceOptions = {
    seed: p.seed ?? 1,
    initialSoc: (p.soc ?? 50) / 100,
    // With a usage history soh is the starting point of the aging; without one it is what the BMS reports (below).
    ...(p.soh !== undefined && p.agingHistory ? { soh: p.soh / 100 } : {}),
    ...(p.resistanceFactor !== undefined ? { resistanceFactor: p.resistanceFactor } : {}),
    ...(p.ambientC !== undefined ? { ambientC: p.ambientC } : {}),
    ...(p.heartbeat?.reaction !== undefined ? { heartbeatReaction: p.heartbeat.reaction } : {}),
    ...(p.heartbeat?.armAtStart !== undefined ? { armHeartbeatAtStart: p.heartbeat.armAtStart } : {}),
    ...(p.currentPolicy !== undefined ? { currentPolicy: p.currentPolicy } : {}),
    ...(p.autoClose !== undefined ? { autoClose: p.autoClose } : {}),
    ...(p.agingHistory !== undefined ? { agingHistory: p.agingHistory } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  };
  const device = new BmsDevice(profile, options);
  // soc: what the BMS reports (string SOC), not the mean cell SOC the pack starts from.
  const initial: Record<string, number> = {};
  if (p.soc !== undefined) initial.soc = p.soc;
  if (p.soh !== undefined && !p.agingHistory) initial.soh = p.soh;
  if (p.temperatureC !== undefined) Object.assign(initial, { temperatureC: p.temperatureC, ambientC: p.ambientC ?? p.temperatureC });
  if (Object.keys(initial).length > 0) applyInitial(device, initial, where);

  const attachments: CanProfileAttachment[] = [];
  let modbus: ModbusDevice | undefined;
  let sunspec: SunSpecDevice | undefined;
  if (protocol === 'sunspec-802') {
    const ss = createBmsSunSpec(device, {
      ...(p.sunspecBase !== undefined ? { base: p.sunspecBase } : {}),
      ...(p.sunspecDetail !== undefined ? { detail: p.sunspecDetail } : {}),
      ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
    });
    modbus = ss.modbus;
    sunspec = ss.sunspec;
  }

  const attachCan = (bus: CanBus): (() => void) => {
    const common = { ...(o.clock ? { clock: o.clock } : {}), ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}) };
    let a: CanProfileAttachment;
    switch (protocol) {
      case 'pylon-lv':
      case 'sma-lv':
        a = attachLvCan(device, bus, {
          ...common,
          variant: lvCanVariant(p.variant ?? (protocol === 'pylon-lv' ? 'pylon' : 'sma')),
          ...(p.packCount !== undefined ? { packCount: p.packCount } : {}),
          ...(p.bmsName !== undefined ? { bmsName: p.bmsName } : {}),
          ...(p.extensions !== undefined ? { extensions: p.extensions } : {}),
          ...(p.periodMs !== undefined ? { periodMs: p.periodMs } : {}),
        });
        break;
      case 'pylon-hv':
        a = attachPylonHv(device, bus, {
          ...common,
          variant: pylonHvVariant(p.variant ?? 'pylon'),
          ...(p.idOffset !== undefined ? { idOffset: p.idOffset } : {}),
        });
        break;
      case 'nissan-leaf':
        a = attachNissanLeaf(device, bus, { ...(o.clock ? { clock: o.clock } : {}), ...(p.generation !== undefined ? { generation: p.generation } : {}) });
        break;
      case 'bmw-i3':
        a = attachBmwI3(device, bus, o.clock ? { clock: o.clock } : {});
        break;
      case 'renault-zoe':
        a = attachRenaultZoe(device, bus, { ...(o.clock ? { clock: o.clock } : {}), ...(p.variant !== undefined ? { variant: p.variant as ZoeVariant } : {}) });
        break;
      case 'kia-hyundai-64':
        a = attachKiaHyundai64(device, bus, o.clock ? { clock: o.clock } : {});
        break;
      case 'tesla-legacy':
        a = attachTeslaLegacy(device, bus, o.clock ? { clock: o.clock } : {});
        break;
      default:
        if (!AFTERMARKET_CAN[protocol]) throw new ConfigError(`${where}: protocol ${protocol} is served over Modbus (use .modbus), not attached to a CAN bus`);
        a = AFTERMARKET_CAN[protocol](device, bus, o.clock ? { clock: o.clock } : {});
    }
    attachments.push(a);
    return () => a.detach();
  };

  const protocolFigure = (k: keyof CanProfileStats): number => attachments.reduce((sum, a) => sum + a.stats[k], 0);

  return {
    name: o.name,
    device,
    protocol,
    pack: profile.id,
    attachCan,
    ...(modbus ? { modbus } : {}),
    ...(sunspec ? { sunspec } : {}),
    step: (dt) => device.step(dt),
    injectFault(spec) {
      checkFaultSpec(spec, where);
      return device.injectFault(toDeviceFault(spec));
    },
    close() {
      for (const a of attachments) a.detach();
    },
    signal(name) {
      const r = SNAPSHOT_SIGNALS[name];
      if (r) return r(device.snapshot(), device);
      if ((PROTOCOL_SIGNALS as readonly string[]).includes(name)) return protocolFigure(name as keyof CanProfileStats);
      return undefined;
    },
    signalNames: () => [...Object.keys(SNAPSHOT_SIGNALS), ...PROTOCOL_SIGNALS],
    setInput(name, value) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (name === 'ambientC' || name === 'ambient') device.pack.ambientC = value;
      else if (name === 'current') device.setCurrent(value);
      else return false;
      return true;
    },
    applyInitial: (values) => applyInitial(device, values, where),
  };
}

/** Variants each CAN protocol takes (names in the protocol's variant table). */
const PROTOCOL_VARIANTS: Partial<Record<BmsProtocol, readonly string[]>> = {
  'pylon-lv': ['pylon'],
  'sma-lv': Object.keys(LV_CAN_VARIANTS).filter((v) => v.startsWith('sma')),
  'pylon-hv': Object.keys(PYLON_HV_VARIANTS),
  'renault-zoe': ['ze40', 'ze22'],
};

/** The watchdog of the protocol variant (none for sunspec-802); ConfigError for a variant the protocol lacks. */
function variantWatchdog(protocol: BmsProtocol, variant: string | undefined, where: string): Partial<VariantWatchdog> {
  const known = PROTOCOL_VARIANTS[protocol];
  if (!known) {
    if (variant !== undefined) throw new ConfigError(`${where}: protocol ${protocol} has no variants (got variant '${variant}')`);
    return {};
  }
  const name = variant ?? known[0]!;
  if (!known.includes(name)) throw new ConfigError(`${where}: protocol ${protocol} has no variant '${name}' (known: ${known.join(', ')})`);
  if (protocol === 'renault-zoe') return {}; // a battery generation, not a protocol dialect: no watchdog of its own
  const w = protocol === 'pylon-hv' ? pylonHvVariant(name).watchdog : lvCanVariant(name).watchdog;
  return { timeoutS: w.timeoutS, reaction: w.reaction };
}

/** See `BmsBenchDevice.applyInitial`. Validates everything before changing anything. */
function applyInitial(device: BmsDevice, values: Readonly<Record<string, unknown>>, where: string): void {
  const v: Partial<Record<(typeof INITIAL_KEYS)[number], number>> = {};
  for (const [key, x] of Object.entries(values)) {
    const k = INITIAL_ALIASES[key] ?? key;
    if (!(INITIAL_KEYS as readonly string[]).includes(k)) throw new ConfigError(`${where}: unknown initial condition '${key}' (known: ${INITIAL_KEYS.join(', ')})`);
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ConfigError(`${where}: initial ${k} must be a finite number, got ${JSON.stringify(x)}`);
    v[k as (typeof INITIAL_KEYS)[number]] = x;
  }
  const bad = (k: string, range: string): never => {
    throw new ConfigError(`${where}: initial ${k} ${String(v[k as keyof typeof v])} is not ${range}`);
  };
  if (v.soc !== undefined && (v.soc < 0 || v.soc > 100)) bad('soc', '0..100 %');
  if (v.soh !== undefined && !(v.soh > 0 && v.soh <= 150)) bad('soh', 'in (0, 150] %');
  if (v.resistanceFactor !== undefined && !(v.resistanceFactor > 0)) bad('resistanceFactor', '> 0');
  if (v.temperatureC !== undefined && (v.temperatureC < -60 || v.temperatureC > 100)) bad('temperatureC', '-60..100 degC');
  if (v.ambientC !== undefined && (v.ambientC < -60 || v.ambientC > 100)) bad('ambientC', '-60..100 degC');

  const pack = device.pack;
  if (v.soh !== undefined) {
    const f = v.soh / 100 / pack.soh();
    for (let i = 0; i < pack.series; i++) pack.capFade[i]! *= f;
  }
  if (v.resistanceFactor !== undefined) {
    let mean = 0;
    for (let i = 0; i < pack.series; i++) mean += pack.resGrowth[i]!;
    const f = v.resistanceFactor / (mean / pack.series);
    for (let i = 0; i < pack.series; i++) pack.resGrowth[i]! *= f;
  }
  if (v.soh !== undefined || v.resistanceFactor !== undefined) pack.refresh();
  if (v.temperatureC !== undefined) {
    pack.tempC.fill(v.temperatureC);
    if (v.ambientC === undefined) pack.ambientC = v.temperatureC;
  }
  if (v.ambientC !== undefined) pack.ambientC = v.ambientC;
  pack.updateCharge();
  if (v.soc !== undefined) {
    // Shift every element by the same amount (the SOC spread stays), a few times so the string SOC (weakest
    // element) lands where the BMS reports `soc` (its 0..100 % spans its voltage window); then at rest.
    const w = device.socWindow;
    const target = w.lo + (v.soc / 100) * (w.hi - w.lo);
    for (let k = 0; k < 4; k++) {
      const d = target - pack.stringSoc();
      for (let i = 0; i < pack.series; i++) pack.soc[i] = Math.min(SOC_MAX, Math.max(SOC_MIN, pack.soc[i]! + d));
      pack.updateCharge();
    }
    pack.v1.fill(0);
    pack.v2.fill(0);
  }
  pack.invalidateStepCache();
  pack.settle();
  device.resyncSoc();
}
