/** Model 701 (DER AC measurements), per phase as the phase count gives; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import { OperatingState } from '../inverter';
import type { InverterModelContext } from './context';

export function createModel701({ inv, wSf, phaseCount: nPh }: InverterModelContext): SunSpecModel {
  const der: SunSpecModel = SunSpecModel.load(701, {
    scaleFactors: { A_SF: -2, V_SF: -1, Hz_SF: -3, W_SF: wSf, PF_SF: -3, VA_SF: wSf, Var_SF: wSf, TotWh_SF: 0, TotVarh_SF: 0, Tmp_SF: -1 },
    values: { ACType: nPh === 3 ? 2 : nPh === 2 ? 1 : 0, MnAlrmInfo: null },
    handler: readOnly(),
    onRead: () => {
      const s = inv.state;
      const v = s.gridV;
      const perPhaseA = v > 0 ? s.acVA / (nPh * v) : 0;
      der.set('St', s.connected ? 1 : 0);
      der.set('InvSt', s.state - 1);
      der.set('ConnSt', s.connected ? 1 : 0);
      der.set('Alrm', s.events);
      der.set('DERMode', 1 | (s.state === OperatingState.Throttled ? 4 : 0));
      der.set('W', s.acW);
      der.set('VA', s.acVA);
      der.set('Var', s.acVar);
      der.set('PF', s.pf);
      der.set('A', perPhaseA * nPh);
      der.set('LNV', v);
      der.set('LLV', nPh === 3 ? v * Math.sqrt(3) : nPh === 2 ? 2 * v : null);
      der.set('Hz', s.gridHz);
      der.setRaw('TotWhInj', BigInt(Math.floor(s.whExported)));
      der.setRaw('TotWhAbs', BigInt(Math.floor(s.whImported)));
      der.setRaw('TotVarhInj', BigInt(Math.floor(s.varhInjected)));
      der.setRaw('TotVarhAbs', BigInt(Math.floor(s.varhAbsorbed)));
      der.set('TmpCab', s.cabinetC);
      der.set('TmpSnk', s.heatsinkC);
      for (let ph = 1; ph <= nPh; ph++) {
        der.set(`WL${ph}`, s.acW / nPh);
        der.set(`VAL${ph}`, s.acVA / nPh);
        der.set(`VarL${ph}`, s.acVar / nPh);
        der.set(`PFL${ph}`, s.pf);
        der.set(`AL${ph}`, perPhaseA);
        der.set(`VL${ph}`, v);
      }
      der.set('ThrotPct', s.state === OperatingState.Throttled ? Math.round((100 * s.limitW) / inv.ratedW) : 0);
      der.set('ThrotSrc', s.throttleSources);
    },
  });
  return der;
}
