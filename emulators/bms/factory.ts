/**
 * Build a bench BMS from plain data (a bench file's device entry): a pack profile (bundled id or a JSON path),
 * parameters checked with a schema, and one protocol profile (LV CAN Pylontech/SMA, Pylon HV CAN, SunSpec 802).
 * What the bench's device factory calls; mirrors emulators/inverter/factory.ts.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../../core/clock';
import { compileSchemaCached } from '../../core/schema-cache';
import { ConfigError } from '../../core/errors';
import { schemaIssues } from '../../core/schema-errors';
import type { CanBus } from '../../protocols/can/bus';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { BmsDevice, type BmsDeviceOptions } from './device/bms-device';
import type { FaultHandle } from './device/fault-spec';
import type { BmsSnapshot } from './device/snapshot';
import { BMS_FAULTS, toDeviceFault, type BmsFaultSpec } from './faults';
import { BmsFlag } from './logic/flags';
import { BMS_PARAMS_SCHEMA, type BmsParams } from './params';
import { listPackFixtures, loadPackFixture } from './pack/fixtures';
import { loadPackProfile } from './pack/profile-schema';
import type { PackProfile } from './pack/profile-types';
import type { CanProfileAttachment, CanProfileStats } from './profiles/can-link';
import type { VariantWatchdog } from './profiles/lv-can';
import type { BmsProtocolContext, BmsProtocolProfile } from './profiles/protocol-profile';
import { bmsProtocol, bmsProtocolNames, bmsProtocols } from './profiles/registry';

export { BMS_FAULTS } from './faults';
export type { BmsFaultSpec, BmsFaultKind } from './faults';
export type { BmsParams } from './params';

// Our own fixed schema: no draft-07 meta-schema pass, compiled once across runs (core/schema-cache, issue 19).
// Fault specs: BMS_FAULTS.check.
const validate = compileSchemaCached(BMS_PARAMS_SCHEMA, { allErrors: true, verbose: true, validateSchema: false });

export interface ParamProblem {
  /** JSON pointer below `params`, for the bench loader to turn into file:line:column. */
  path: string;
  message: string;
}

/** `a, b or c`. */
const orList = (xs: readonly string[]): string => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]!}`);

/** What a bench says when a BMS entry has no `protocol:` (the list from the registry). */
export function missingProtocolMessage(device: string): string {
  return `BMS '${device}' needs 'protocol' (${orList(bmsProtocolNames())})`;
}

/** Check parameters (for `protocol`, when given); an empty list means valid. */
export function checkBmsParams(params: unknown, protocol?: string): ParamProblem[] {
  if (!validate(params ?? {})) {
    return schemaIssues(validate.errors ?? [], { subject: 'none', noun: 'parameter', listAllowed: false }).map((i) => ({ path: i.pointer, message: i.message }));
  }
  const p = (params ?? {}) as Record<string, unknown>;
  const out: ParamProblem[] = [];
  const profile = protocol !== undefined ? bmsProtocol(protocol) : undefined;
  if (profile) {
    // Protocol-only parameters: those some protocol declares; each applies to the protocols that declare it.
    const all = bmsProtocols();
    for (const k of Object.keys(BMS_PARAMS_SCHEMA.properties)) {
      const only = all.filter((x) => x.params?.includes(k as keyof BmsParams)).map((x) => x.name);
      if (p[k] !== undefined && only.length > 0 && !only.includes(profile.name)) out.push({ path: `/${k}`, message: `'${k}' applies to protocol ${only.join(', ')}, not ${profile.name}` });
    }
    if (typeof p.variant === 'string') {
      const known = profile.variants;
      if (!known) out.push({ path: '/variant', message: `protocol ${profile.name} has no variants (variants exist for ${all.filter((x) => x.variants).map((x) => x.name).join(', ')})` });
      else if (!known.includes(p.variant)) out.push({ path: '/variant', message: `protocol ${profile.name} has no variant '${p.variant}' (known: ${known.join(', ')})` });
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
  /** Protocol name (profiles/registry.ts). */
  readonly protocol: string;
  /** Pack profile id. */
  readonly pack: string;
  /** CAN protocols: start the profile on `bus`; returns its detach. Throws `ConfigError` for a Modbus protocol. */
  attachCan(bus: CanBus): () => void;
  /** For 'sunspec-802': the Modbus unit to serve (and the SunSpec map behind it). */
  readonly modbus?: ModbusDevice;
  readonly sunspec?: SunSpecDevice;
  step(dtSeconds: number): void;
  /** Inject a fault (checked by BMS_FAULTS, then by the device); throws `ConfigError` naming what is wrong. */
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

const INITIAL_KEYS = ['soc', 'soh', 'resistanceFactor', 'temperatureC', 'ambientC'] as const;
const INITIAL_ALIASES: Record<string, string> = { temperature: 'temperatureC', ambient: 'ambientC' };

/** Build a bench BMS. Throws `ConfigError` naming the device and each bad parameter's path. */
export function createBmsDevice(o: CreateBmsOptions): BmsBenchDevice {
  const where = `bms '${o.name}'`;
  const proto = bmsProtocol(o.protocol);
  if (!proto) {
    throw new ConfigError(`${where}: unknown protocol '${o.protocol}' (known: ${bmsProtocolNames().join(', ')})`);
  }
  const protocol = proto.name;
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
  const variant = checkVariant(proto, p.variant, where);
  const watchdog: Partial<VariantWatchdog> = (variant !== undefined ? proto.variantWatchdog?.(variant) : undefined) ?? {};
  const profile: PackProfile = {
    ...base,
    spread: { ...base.spread, ...(p.spread ?? {}) },
    bms: { ...base.bms, heartbeat: { ...base.bms.heartbeat, ...watchdog, ...(p.heartbeat?.timeoutS !== undefined ? { timeoutS: p.heartbeat.timeoutS } : {}) } },
  };
  const refused = proto.refusePack?.(profile);
  if (refused !== undefined) throw new ConfigError(`${where}: ${refused}`);
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

  const ctx: BmsProtocolContext = { ...(o.clock ? { clock: o.clock } : {}), params: p, ...(variant !== undefined ? { variant } : {}) };
  const attachments: CanProfileAttachment[] = [];
  const served = proto.transport === 'modbus' ? proto.serveModbus!(device, ctx) : undefined;
  const modbus: ModbusDevice | undefined = served?.modbus;
  const sunspec: SunSpecDevice | undefined = served?.sunspec;

  const attachCan = (bus: CanBus): (() => void) => {
    if (proto.transport !== 'can') throw new ConfigError(`${where}: protocol ${protocol} is served over Modbus (use .modbus), not attached to a CAN bus`);
    const a = proto.attachCan!(device, bus, ctx);
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
      BMS_FAULTS.check(spec, where);
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

/** The variant in use (the one given, else the protocol's first); ConfigError for a variant the protocol lacks. */
function checkVariant(proto: BmsProtocolProfile, variant: string | undefined, where: string): string | undefined {
  const known = proto.variants;
  if (!known) {
    if (variant !== undefined) throw new ConfigError(`${where}: protocol ${proto.name} has no variants (got variant '${variant}')`);
    return undefined;
  }
  const name = variant ?? known[0]!;
  if (!known.includes(name)) throw new ConfigError(`${where}: protocol ${proto.name} has no variant '${name}' (known: ${known.join(', ')})`);
  return name;
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
  if (v.soh !== undefined) pack.scaleSohTo(v.soh / 100);
  if (v.resistanceFactor !== undefined) pack.scaleResistanceTo(v.resistanceFactor);
  if (v.temperatureC !== undefined) {
    pack.setModuleTemperatures(v.temperatureC);
    if (v.ambientC === undefined) pack.ambientC = v.temperatureC;
  }
  if (v.ambientC !== undefined) pack.ambientC = v.ambientC;
  pack.updateCharge();
  if (v.soc !== undefined) {
    // Every element shifted by the same amount, so that the string SOC (weakest element) lands where the BMS reports
    // `soc` (its 0..100 % spans its voltage window); then at rest.
    const w = device.socWindow;
    pack.shiftStringSocTo(w.lo + (v.soc / 100) * (w.hi - w.lo));
  }
  pack.invalidateStepCache();
  pack.settle();
  device.resyncSoc();
}
