/** Models 101, 102 and 103 (single, split and three-phase inverter measurements), by phase count; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

/** The inverter model id for a phase count: 101, 102 or 103. */
export function inverterModelId(phaseCount: number): number {
  return phaseCount === 3 ? 103 : phaseCount === 2 ? 102 : 101;
}

export function createInverterMeasurementModel({ inv, wSf, phaseCount: nPh }: InverterModelContext): SunSpecModel {
  const scaleFactors = { A_SF: -2, V_SF: -1, W_SF: wSf, Hz_SF: -2, VA_SF: wSf, VAr_SF: wSf, PF_SF: -1, WH_SF: 0, DCA_SF: -2, DCV_SF: -1, DCW_SF: wSf, Tmp_SF: -1 };
  const acm: SunSpecModel = SunSpecModel.load(inverterModelId(nPh), {
    scaleFactors,
    handler: readOnly(),
    onRead: () => {
      const s = inv.state;
      const v = s.gridV;
      const perPhaseA = v > 0 ? s.acVA / (nPh * v) : 0;
      acm.set('A', perPhaseA * nPh);
      acm.set('AphA', perPhaseA);
      acm.set('PhVphA', v);
      if (nPh >= 2) {
        acm.set('AphB', perPhaseA);
        acm.set('PhVphB', v);
        acm.set('PPVphAB', nPh === 3 ? v * Math.sqrt(3) : 2 * v);
      }
      if (nPh === 3) {
        acm.set('AphC', perPhaseA);
        acm.set('PhVphC', v);
        acm.set('PPVphBC', v * Math.sqrt(3));
        acm.set('PPVphCA', v * Math.sqrt(3));
      }
      acm.set('W', s.acW);
      acm.set('Hz', s.gridHz);
      acm.set('VA', s.acVA);
      acm.set('VAr', s.acVar);
      acm.set('PF', s.pf * 100);
      acm.set('WH', Math.floor(s.whExported));
      acm.set('DCA', s.dcA);
      acm.set('DCV', s.dcV);
      acm.set('DCW', s.dcW);
      acm.set('TmpCab', s.cabinetC);
      acm.set('TmpSnk', s.heatsinkC);
      acm.set('St', s.state);
      acm.set('Evt1', s.events);
      acm.set('Evt2', 0);
      acm.set('EvtVnd1', s.vendorEvents);
    },
  });
  return acm;
}
