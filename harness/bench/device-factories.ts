import type { Clock } from '../../core/clock';
import { BMS_DEVICE_KIND } from '../../emulators/bms/bench-adapter';
import type { BenchDevice, DeviceKind } from '../../emulators/common/bench-device';
import { INVERTER_DEVICE_KIND } from '../../emulators/inverter/bench-adapter';
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

/**
 * One device kind per `type` (its entry check and its bench adapter, owned by the emulators): where the harness
 * picks by `type`, and the only place.
 */
export const DEVICE_KINDS: Readonly<Record<DeviceSpec['type'], DeviceKind>> = {
  bms: BMS_DEVICE_KIND,
  inverter: INVERTER_DEVICE_KIND,
};

/** Create the bench device for one entry of a bench file. Throws `ConfigError` naming the problem. */
export function createBenchDevice(spec: DeviceSpec, ctx: DeviceContext): BenchDevice {
  const battery = ctx.battery?.batteryPort;
  return DEVICE_KINDS[spec.type].create(spec, { clock: ctx.clock, seed: ctx.seed, baseDir: ctx.baseDir, ...(battery ? { battery } : {}) });
}
