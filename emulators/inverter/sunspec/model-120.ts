/** Model 120 (nameplate ratings); the storage ratings only with a battery port. Read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

export function createModel120({ inv, wSf, phaseCount: nPh, varRating: qRtg }: InverterModelContext): SunSpecModel {
  const bat = inv.battery;
  const nameplate = SunSpecModel.load(120, {
    scaleFactors: { WRtg_SF: wSf, VARtg_SF: wSf, VArRtg_SF: wSf, ARtg_SF: -1, PFRtg_SF: -2, ...(bat ? { WHRtg_SF: 1, AhrRtg_SF: 0, MaxChaRte_SF: wSf, MaxDisChaRte_SF: wSf } : {}) },
    handler: readOnly(),
  });
  nameplate.set('DERTyp', bat ? 82 : 4);
  nameplate.set('WRtg', inv.ratedW);
  nameplate.set('VARtg', inv.ratedVA);
  nameplate.set('VArRtgQ1', qRtg);
  nameplate.set('VArRtgQ2', qRtg);
  nameplate.set('VArRtgQ3', -qRtg);
  nameplate.set('VArRtgQ4', -qRtg);
  nameplate.set('ARtg', inv.ratedVA / (nPh * inv.nominalV));
  nameplate.set('PFRtgQ1', 0.8);
  nameplate.set('PFRtgQ2', 0.8);
  nameplate.set('PFRtgQ3', -0.8);
  nameplate.set('PFRtgQ4', -0.8);
  if (bat) {
    const ah = bat.capacityAh?.();
    if (ah !== undefined) {
      nameplate.set('AhrRtg', ah);
      nameplate.set('WHRtg', ah * bat.voltage());
    }
    nameplate.set('MaxChaRte', inv.batteryMaxW);
    nameplate.set('MaxDisChaRte', inv.batteryMaxW);
  }
  return nameplate;
}
