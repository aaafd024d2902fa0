import type { BenchDevice } from '../../emulators/common/bench-device';
import type { FaultKindInfo } from '../../emulators/common/fault-registry';
import { MODBUS_FAULTS } from './modbus-faults';

export type { FaultKindInfo, FaultParamInfo } from '../../emulators/common/fault-registry';

/**
 * The fault kinds a bench device takes and their parameters: its own registry (declared by its emulator) and, for
 * a device on a Modbus endpoint, the Modbus faults. What tools (`hil emulate`'s completion and messages, the
 * dashboard's forms) read.
 */
export function faultCatalog(dev: Pick<BenchDevice, 'faults'>, onModbus: boolean): FaultKindInfo[] {
  return [...dev.faults.catalog(), ...(onModbus ? MODBUS_FAULTS.catalog() : [])];
}

/**
 * Why `kind` is not a fault this device takes (a Modbus fault on a device not served over Modbus, or an unknown
 * kind with a "did you mean" and the kinds it takes), or undefined when it is one.
 */
export function faultKindProblem(dev: Pick<BenchDevice, 'name' | 'faults'>, onModbus: boolean, kind: string): string | undefined {
  if (MODBUS_FAULTS.has(kind)) {
    return onModbus ? undefined : `device '${dev.name}' is not on a Modbus endpoint, so '${kind}' does not apply (Modbus faults need a device served over Modbus)`;
  }
  if (dev.faults.has(kind)) return undefined;
  return dev.faults.unknownKind(kind, `device '${dev.name}'`, onModbus ? MODBUS_FAULTS.kinds : []);
}
