import type { Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { BMS_FAULT_KINDS, createBmsDevice, type BmsFaultSpec } from '../../emulators/bms/factory';
import type { BatteryPort } from '../../emulators/inverter/battery-port';
import { batteryCanInverterBenchDevice } from './battery-can-inverter-adapter';
import type { BenchDevice } from './bench-device';
import { inverterBenchDevice } from './inverter-adapter';
import type { DeviceSpec } from './types';

/** What a device factory gets besides the bench file's entry. */
export interface DeviceContext {
  clock: Clock;
  seed: number;
  /** Directory the bench file is in: relative pack and map paths resolve against it. */
  baseDir: string;
  /** The bench device named in `battery:` (a BMS), for an inverter's battery port. */
  battery?: BenchDevice;
}

/** Inputs a BMS takes from a scenario (`set: { pack1.current: 40 }`); `ambientC` is an alias of `ambient`. */
const BMS_INPUTS = ['ambient', 'current'] as const;

/** BMS bench devices keep their emulator device here, so an inverter can use it as its battery port. */
const batteryPorts = new WeakMap<BenchDevice, BatteryPort>();

/** Create the bench device for one entry of a bench file. Throws `ConfigError` naming the problem. */
export function createBenchDevice(spec: DeviceSpec, ctx: DeviceContext): BenchDevice {
  if (spec.type === 'bms') return bmsBenchDevice(spec, ctx);
  const battery = ctx.battery ? batteryPorts.get(ctx.battery) : undefined;
  if (spec.batteryCan) return batteryCanInverterBenchDevice(spec, ctx.clock, battery);
  const params = { seed: ctx.seed, ...(spec.params ?? {}) };
  return inverterBenchDevice({ name: spec.name, params, ...(spec.map !== undefined ? { map: spec.map } : {}), baseDir: ctx.baseDir, ...(battery ? { battery } : {}) });
}

function bmsBenchDevice(spec: DeviceSpec, ctx: DeviceContext): BenchDevice {
  if (!spec.pack) throw new ConfigError(`BMS '${spec.name}' needs 'pack' (a profile in data/packs, e.g. nissan-leaf-24kwh, or a path)`);
  if (!spec.protocol) throw new ConfigError(`BMS '${spec.name}' needs 'protocol' (pylon-lv, sma-lv, pylon-hv, sunspec-802, nissan-leaf, bmw-i3, renault-zoe, kia-hyundai-64 or tesla-legacy)`);
  const b = createBmsDevice({
    name: spec.name,
    pack: spec.pack,
    protocol: spec.protocol,
    params: { seed: ctx.seed, ...(spec.params ?? {}) },
    baseDir: ctx.baseDir,
    clock: ctx.clock,
  });
  const setInput = (name: string, value: number | string | boolean): boolean => {
    const key = name === 'ambient' ? 'ambientC' : name;
    if (!(BMS_INPUTS as readonly string[]).includes(name)) return false;
    const n = typeof value === 'number' ? value : Number(value);
    if (!b.setInput(key, n)) throw new ConfigError(`BMS '${spec.name}': ${name} needs a finite number, got '${String(value)}'`);
    return true;
  };
  const dev: BenchDevice = {
    name: spec.name,
    type: 'bms',
    ...(b.modbus ? { modbus: b.modbus } : {}),
    ...(b.protocol !== 'sunspec-802' ? { attachCan: (bus) => b.attachCan(bus) } : {}),
    step: (dt) => b.step(dt),
    signal: (n) => b.signal(n),
    signalNames: () => b.signalNames(),
    cellVoltages: () => Array.from(b.device.measuredCellVoltages()),
    applyInitial: (values) => b.applyInitial(values),
    setInput,
    inputNames: () => BMS_INPUTS,
    injectFault: (kind, params) => b.injectFault({ kind, ...params } as BmsFaultSpec),
    ageUnderDuty: (duty, days) => b.device.ageUnderDuty(duty, days),
    faultKinds: () => BMS_FAULT_KINDS,
    timeZero: (nowMs) => b.device.restartHeartbeatGrace(nowMs),
    close: () => b.close(),
  };
  // The inverter gets the pack's power path only. Its "I am here" does not reach the BMS in-process: on a bench
  // the BMS hears the controller over its protocol (0x305 on LV CAN, requests on HV CAN), as on a real site, so a
  // controller that stops its heartbeat trips the BMS watchdog.
  const d = b.device;
  batteryPorts.set(dev, {
    voltage: () => d.voltage(),
    chargeCurrentLimit: () => d.chargeCurrentLimit(),
    dischargeCurrentLimit: () => d.dischargeCurrentLimit(),
    contactorClosed: () => d.contactorClosed(),
    setCurrent: (amps) => d.setCurrent(amps),
    soc: () => d.soc(),
    capacityAh: () => d.capacityAh(),
  });
  return dev;
}
