/**
 * The bench adapter of the BMS device kind: a bench file's `type: bms` entry becomes a `BenchDevice` (a
 * `createBmsDevice` underneath), with the inputs a scenario sets, its fault registry and the battery port it lends
 * an inverter.
 */
import { ConfigError } from '../../core/errors';
import type { BenchDevice, BenchDeviceAdapter } from '../common/bench-device';
import { createBmsDevice, missingProtocolMessage } from './factory';
import { BMS_FAULTS, type BmsFaultSpec } from './faults';

/** Inputs a BMS takes from a scenario (`set: { pack1.current: 40 }`); `ambientC` is an alias of `ambient`. */
const BMS_INPUTS = ['ambient', 'current'] as const;

export const bmsBenchDevice: BenchDeviceAdapter = (spec, ctx) => {
  if (!spec.pack) throw new ConfigError(`BMS '${spec.name}' needs 'pack' (a profile in data/packs, e.g. nissan-leaf-24kwh, or a path)`);
  if (!spec.protocol) throw new ConfigError(missingProtocolMessage(spec.name));
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
  const d = b.device;
  const dev: BenchDevice = {
    name: spec.name,
    type: 'bms',
    ...(b.modbus ? { modbus: b.modbus } : {}),
    ...(!b.modbus ? { attachCan: (bus) => b.attachCan(bus) } : {}),
    // The inverter gets the pack's power path only. Its "I am here" does not reach the BMS in-process: on a bench
    // the BMS hears the controller over its protocol (0x305 on LV CAN, requests on HV CAN), as on a real site, so a
    // controller that stops its heartbeat trips the BMS watchdog.
    batteryPort: {
      voltage: () => d.voltage(),
      chargeCurrentLimit: () => d.chargeCurrentLimit(),
      dischargeCurrentLimit: () => d.dischargeCurrentLimit(),
      contactorClosed: () => d.contactorClosed(),
      setCurrent: (amps) => d.setCurrent(amps),
      soc: () => d.soc(),
      capacityAh: () => d.capacityAh(),
    },
    step: (dt) => b.step(dt),
    signal: (n) => b.signal(n),
    signalNames: () => b.signalNames(),
    cellVoltages: () => Array.from(d.measuredCellVoltages()),
    applyInitial: (values) => b.applyInitial(values),
    setInput,
    inputNames: () => BMS_INPUTS,
    injectFault: (kind, params) => b.injectFault({ kind, ...params } as BmsFaultSpec),
    ageUnderDuty: (duty, days) => d.ageUnderDuty(duty, days),
    faults: BMS_FAULTS,
    timeZero: (nowMs) => d.restartHeartbeatGrace(nowMs),
    close: () => b.close(),
  };
  return dev;
};
