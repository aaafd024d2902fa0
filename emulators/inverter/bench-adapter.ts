/**
 * The inverter device kind: a bench file's `type: inverter` entry is checked, then becomes a `BenchDevice`, an
 * inverter on a Modbus endpoint (SunSpec or a vendor map) or, with `batteryCan`, one that hears its battery on CAN.
 */
import { existsSync, statSync } from 'node:fs';
import type { BenchDeviceAdapter, DeviceEntry, DeviceKind, EntryProblems } from '../common/bench-device';
import { batteryCanInverterBenchDevice, batteryCanInverterOptions } from './battery-can/bench-adapter';
import { BUILTIN_VENDOR_MAPS, checkInverterParams, resolveVendorMap } from './factory';
import { modbusInverterBenchDevice } from './modbus-bench-adapter';
import { loadVendorMap } from './vendor-map';

export const inverterBenchDevice: BenchDeviceAdapter = (spec, ctx) => {
  if (spec.batteryCan) return batteryCanInverterBenchDevice(spec, ctx.clock, ctx.battery);
  return modbusInverterBenchDevice({
    name: spec.name,
    params: { seed: ctx.seed, ...(spec.params ?? {}) },
    ...(spec.map !== undefined ? { map: spec.map } : {}),
    baseDir: ctx.baseDir,
    ...(ctx.battery ? { battery: ctx.battery } : {}),
  });
};

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** Everything wrong with a `type: inverter` entry on its own: fields for BMSs, how it is reached, its map, its parameters. */
export function checkInverterEntry(d: DeviceEntry, baseDir: string, problems: EntryProblems): void {
  for (const k of ['pack', 'protocol', 'can'] as const) {
    if (d[k] !== undefined) problems.add(`/${k}`, `inverter '${d.name}': '${k}' applies to BMS devices`, true);
  }
  if (d.modbus === undefined && d.batteryCan === undefined) problems.add('', `inverter '${d.name}' needs 'modbus' or 'batteryCan'`);
  if (d.batteryCan !== undefined && d.modbus !== undefined) {
    problems.add('/batteryCan', `device '${d.name}': 'batteryCan' is for an inverter without 'modbus' (the battery side of a storage inverter)`, true);
  }
  if (d.map !== undefined && d.map !== 'sunspec') {
    const file = resolveVendorMap(d.map, baseDir);
    if (!isFile(file)) problems.add('/map', `inverter '${d.name}': vendor map '${d.map}' not found (${file}; or map: sunspec, ${BUILTIN_VENDOR_MAPS.join(', ')})`);
    else {
      const m = problems.attempt(() => loadVendorMap(file), '/map');
      // A SunSpec chain with storage (124, battery modules of 160) needs the inverter's battery port.
      const needs = m?.sunspec && (m.sunspec.models.includes(124) || (m.sunspec.mppt ?? []).some((x) => x.startsWith('battery')));
      if (needs && d.battery === undefined) problems.add('/map', `inverter '${d.name}': map '${d.map}' serves SunSpec storage (model 124): give the inverter a 'battery'`);
    }
  }
  if (d.batteryCan !== undefined) {
    problems.attempt(() => batteryCanInverterOptions(d), '/batteryCan');
    return;
  }
  for (const q of checkInverterParams(d.params)) problems.add(`/params${q.path}`, `inverter '${d.name}': params${q.path.replace(/\//g, '.')}: ${q.message}`, q.message.startsWith('unknown parameter'));
}

/** The inverter device kind: its entry check and its bench adapter. */
export const INVERTER_DEVICE_KIND: DeviceKind = { type: 'inverter', check: checkInverterEntry, create: inverterBenchDevice };
