/**
 * Model 121 (basic settings). Writes: WMax (0..WRtg, W) sets the maximum output; WGra (0.1..1000 % of WMax per
 * second) the ramp rate. Both read back from the inverter's controls.
 */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { inRange, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

export function createModel121({ inv, wSf, command }: InverterModelContext): SunSpecModel {
  const settings: SunSpecModel = SunSpecModel.load(121, {
    scaleFactors: { WMax_SF: wSf, VRef_SF: -1, VRefOfs_SF: -1, VMinMax_SF: -1, VAMax_SF: wSf, VArMax_SF: wSf, WGra_SF: -1, PFMin_SF: -2, ECPNomHz_SF: -2 },
    values: { VRef: inv.nominalV, VRefOfs: 0, VMax: inv.nominalV * 1.1, VMin: inv.nominalV * 0.88, VAMax: inv.ratedVA, ECPNomHz: inv.nominalHz },
    onRead: () => {
      settings.set('WMax', inv.controls.wMax);
      settings.set('WGra', inv.controls.rampPctPerS);
    },
    handler: writeHandler({ WMax: inRange(0, inv.ratedW), WGra: inRange(0.1, 1000) }, (writes) => {
      const w = writtenValue(writes, 'WMax');
      if (w !== undefined) command({ kind: 'max-power', watts: w });
      const g = writtenValue(writes, 'WGra');
      if (g !== undefined) command({ kind: 'ramp-rate', pctPerS: g });
    }),
  });
  return settings;
}
