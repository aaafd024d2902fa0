/**
 * The inverter as a SunSpec device: models 1, 101/102/103 (by phase configuration), 120, 121, 122, 123,
 * 124 (hybrids: only with a battery port), 160 (one module per PV string), 701, 702 and 704, bound to the model.
 * Each model is one file in ./sunspec/ (its points, what it reads from the inverter and what its writes command);
 * this file chains them.
 *
 * Reads refresh a model's registers from the inverter state. Writes go to the inverter as commands (each model's
 * file lists its writable points). Setpoints and enables read back from the inverter's control state, so a command
 * that is ignored or delayed (fault hooks) shows in the readback; window/revert/ramp times read back as written.
 * Any other point, including RW points of the standard that this device does not implement (they read as not
 * implemented), refuses writes with IllegalDataAddress; an implemented point given a value outside its range answers
 * IllegalDataValue (protocols/modbus/sunspec/write-handler.ts).
 */
import { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import type { SunSpecModel } from '../../protocols/modbus/sunspec/sunspec-model';
import type { Inverter } from './inverter';
import { inverterModelContext, type InverterModelContext } from './sunspec/context';
import { createModel1 } from './sunspec/model-1';
import { createInverterMeasurementModel } from './sunspec/model-101-103';
import { createModel120 } from './sunspec/model-120';
import { createModel121 } from './sunspec/model-121';
import { createModel122 } from './sunspec/model-122';
import { createModel123 } from './sunspec/model-123';
import { createModel124 } from './sunspec/model-124';
import { createModel160 } from './sunspec/model-160';
import { createModel701 } from './sunspec/model-701';
import { createModel702 } from './sunspec/model-702';
import { createModel704 } from './sunspec/model-704';

export interface InverterSunSpecOptions {
  /** Address of `SunS` (default 40000). */
  base?: number;
  /** Seconds since 2000-01-01 UTC at model time 0, for 122 Tms (default 0). */
  epoch2000S?: number;
}

/** What the map exposes besides the device (tests and scenarios look values up by model and point). */
export interface InverterSunSpec {
  readonly device: SunSpecDevice;
  /** Model ids in chain order. */
  readonly modelIds: readonly number[];
}

/** The models in chain order; a builder returning undefined leaves its model out (124 without a battery). */
const MODELS: ReadonlyArray<(ctx: InverterModelContext) => SunSpecModel | undefined> = [
  createModel1,
  createInverterMeasurementModel,
  createModel120,
  createModel121,
  createModel122,
  createModel123,
  (ctx) => (ctx.inv.battery ? createModel124(ctx, ctx.inv.battery) : undefined),
  createModel160,
  createModel701,
  createModel702,
  createModel704,
];

export function createInverterSunSpec(inv: Inverter, options: InverterSunSpecOptions = {}): InverterSunSpec {
  const ctx = inverterModelContext(inv, options.epoch2000S ?? 0);
  const models = MODELS.map((build) => build(ctx)).filter((m): m is SunSpecModel => m !== undefined);
  const device = new SunSpecDevice({
    base: options.base ?? 40000,
    models,
    identification: { vendorName: inv.identity.manufacturer, productCode: inv.identity.model, majorMinorRevision: inv.identity.version, productName: 'SunSpec inverter emulator' },
  });
  return { device, modelIds: models.map((m) => m.id) };
}
