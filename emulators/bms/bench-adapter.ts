/**
 * The bench adapter of the BMS device kind: a bench file's `type: bms` entry becomes a `BenchDevice` (a
 * `createBmsDevice` underneath), with the inputs a scenario sets, its fault registry and the battery port it lends
 * an inverter.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { didYouMean } from '../../core/suggest';
import type { BenchDevice, BenchDeviceAdapter, DeviceEntry, DeviceKind, EntryProblems } from '../common/bench-device';
import { checkBmsParams, createBmsDevice, missingProtocolMessage } from './factory';
import { BMS_FAULTS, type BmsFaultSpec } from './faults';
import { listPackFixtures, loadPackFixture } from './pack/fixtures';
import { loadPackProfile } from './pack/profile-schema';
import { bmsProtocol, bmsProtocolNames, bmsProtocols } from './profiles/registry';

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

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** Everything wrong with a `type: bms` entry on its own: fields for inverters, the pack, the protocol and its transport, parameters. */
export function checkBmsEntry(d: DeviceEntry, baseDir: string, problems: EntryProblems): void {
  const protocols = bmsProtocolNames();
  if (d.map !== undefined) problems.add('/map', `BMS '${d.name}': 'map' applies to inverters`, true);
  if (d.battery !== undefined) problems.add('/battery', `BMS '${d.name}': 'battery' applies to inverters`, true);
  if (d.batteryCan !== undefined) problems.add('/batteryCan', `BMS '${d.name}': 'batteryCan' applies to inverters (the battery side of a storage inverter)`, true);
  if (d.can === undefined && d.modbus === undefined) problems.add('', `BMS '${d.name}' must be on a CAN bus ('can') or a Modbus endpoint ('modbus')`);
  if (d.pack === undefined) problems.add('', `BMS '${d.name}' needs 'pack' (a profile in data/packs, e.g. ${listPackFixtures()[0] ?? 'nissan-leaf-24kwh'}, or a path)`);
  else if (d.pack.endsWith('.json') || d.pack.includes('/') || isAbsolute(d.pack)) {
    const file = resolve(baseDir, d.pack);
    if (!isFile(file)) problems.add('/pack', `BMS '${d.name}': pack profile file '${d.pack}' not found (${file})`);
    else problems.attempt(() => loadPackProfile(file), '/pack');
  } else if (!listPackFixtures().includes(d.pack)) {
    problems.add('/pack', `BMS '${d.name}': unknown pack profile '${d.pack}'${didYouMean(d.pack, listPackFixtures())} (bundled: ${listPackFixtures().join(', ')}; or give a path to a profile JSON)`);
  } else problems.attempt(() => loadPackFixture(d.pack!), '/pack');
  const proto = d.protocol !== undefined ? bmsProtocol(d.protocol) : undefined;
  if (d.protocol === undefined) problems.add('', missingProtocolMessage(d.name));
  else if (!proto) {
    problems.add('/protocol', `BMS '${d.name}': unknown protocol '${d.protocol}'${didYouMean(d.protocol, protocols)} (known: ${protocols.join(', ')})`);
  } else if (proto.transport === 'can') {
    const overModbus = bmsProtocols().filter((x) => x.transport === 'modbus').map((x) => x.name);
    if (d.modbus !== undefined) problems.add('/modbus', `BMS '${d.name}': protocol ${d.protocol} is CAN; it is not served on a Modbus endpoint (use 'can', or protocol ${overModbus.join(', ')})`);
  } else if (d.can !== undefined) {
    problems.add('/can', `BMS '${d.name}': protocol ${d.protocol} is served over Modbus ('modbus'), not on a CAN bus`);
  }
  for (const q of checkBmsParams(d.params, d.protocol)) problems.add(`/params${q.path}`, `BMS '${d.name}': params${q.path.replace(/\//g, '.')}: ${q.message}`, q.message.startsWith('unknown parameter'));
}

/** The BMS device kind: its entry check and its bench adapter. */
export const BMS_DEVICE_KIND: DeviceKind = { type: 'bms', check: checkBmsEntry, create: bmsBenchDevice };
