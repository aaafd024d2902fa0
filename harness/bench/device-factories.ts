import type { Clock } from '../../core/clock';
import { bmsBenchDevice } from '../../emulators/bms/bench-adapter';
import type { BenchDevice, BenchDeviceAdapter } from '../../emulators/common/bench-device';
import { inverterBenchDevice } from '../../emulators/inverter/bench-adapter';
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

/** One bench adapter per device kind, owned by the emulators: the only place the harness looks at `type`. */
const ADAPTERS: Readonly<Record<DeviceSpec['type'], BenchDeviceAdapter>> = {
  bms: bmsBenchDevice,
  inverter: inverterBenchDevice,
};

/** Create the bench device for one entry of a bench file. Throws `ConfigError` naming the problem. */
export function createBenchDevice(spec: DeviceSpec, ctx: DeviceContext): BenchDevice {
  const battery = ctx.battery?.batteryPort;
  return ADAPTERS[spec.type](spec, { clock: ctx.clock, seed: ctx.seed, baseDir: ctx.baseDir, ...(battery ? { battery } : {}) });
}
