/** Model 702 (DER capacity): the ratings, and WMax (0..WRtg, W), the one writable setting, as 121 WMax. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { inRange, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

/** 702 CtrlModes: the DER control functions this device implements (bit numbers of the model's bitfield). */
const CONTROL_MODES = (1 << 0) | (1 << 3) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13);

export function createModel702({ inv, wSf, phaseCount: nPh, varRating, command }: InverterModelContext): SunSpecModel {
  const cap: SunSpecModel = SunSpecModel.load(702, {
    scaleFactors: { W_SF: wSf, PF_SF: -2, VA_SF: wSf, Var_SF: wSf, V_SF: -1, A_SF: -1 },
    values: {
      WMaxRtg: inv.ratedW,
      VAMaxRtg: inv.ratedVA,
      VarMaxInjRtg: varRating,
      VarMaxAbsRtg: varRating,
      VNomRtg: inv.nominalV,
      VMaxRtg: inv.nominalV * 1.1,
      VMinRtg: inv.nominalV * 0.88,
      AMaxRtg: inv.ratedVA / (nPh * inv.nominalV),
      PFOvrExtRtg: 0.8,
      PFUndExtRtg: 0.8,
      NorOpCatRtg: 1,
      AbnOpCatRtg: 1,
      CtrlModes: CONTROL_MODES,
      IntIslandCatRtg: 1,
      VAMax: inv.ratedVA,
      VNom: inv.nominalV,
      ...(inv.battery ? { WChaRteMaxRtg: inv.batteryMaxW, WDisChaRteMaxRtg: inv.batteryMaxW } : {}),
    },
    onRead: () => cap.set('WMax', inv.controls.wMax),
    handler: writeHandler({ WMax: inRange(0, inv.ratedW) }, (writes) => {
      const w = writtenValue(writes, 'WMax');
      if (w !== undefined) command({ kind: 'max-power', watts: w });
    }),
  });
  return cap;
}
