/**
 * The bench adapter of the inverter device kind: a bench file's `type: inverter` entry becomes a `BenchDevice`, an
 * inverter on a Modbus endpoint (SunSpec or a vendor map) or, with `batteryCan`, one that hears its battery on CAN.
 */
import type { BenchDeviceAdapter } from '../common/bench-device';
import { batteryCanInverterBenchDevice } from './battery-can/bench-adapter';
import { modbusInverterBenchDevice } from './modbus-bench-adapter';

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
