/** Model 1 (common): the inverter's identity; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

export function createModel1({ inv }: InverterModelContext): SunSpecModel {
  const id = inv.identity;
  return SunSpecModel.load(1, { values: { Mn: id.manufacturer, Md: id.model, Vr: id.version, SN: id.serial, Opt: null, DA: 1 }, handler: readOnly() });
}
