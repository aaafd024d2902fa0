/** Models 101, 102 and 103 (single, split and three-phase inverter measurements), by phase count; read-only. */
import { SunSpecModel, type LivePoint } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

/** The inverter model id for a phase count: 101, 102 or 103. */
export function inverterModelId(phaseCount: number): number {
  return phaseCount === 3 ? 103 : phaseCount === 2 ? 102 : 101;
}

export function createInverterMeasurementModel({ inv, wSf, phaseCount: nPh }: InverterModelContext): SunSpecModel {
  const scaleFactors = { A_SF: -2, V_SF: -1, W_SF: wSf, Hz_SF: -2, VA_SF: wSf, VAr_SF: wSf, PF_SF: -1, WH_SF: 0, DCA_SF: -2, DCV_SF: -1, DCW_SF: wSf, Tmp_SF: -1 };
  const perPhaseA = (): number => {
    const s = inv.state;
    return s.gridV > 0 ? s.acVA / (nPh * s.gridV) : 0;
  };
  const v = (): number => inv.state.gridV;
  const live: LivePoint[] = [
    ['A', () => perPhaseA() * nPh],
    ['AphA', perPhaseA],
    ['PhVphA', v],
  ];
  if (nPh >= 2) live.push(['AphB', perPhaseA], ['PhVphB', v], ['PPVphAB', () => (nPh === 3 ? v() * Math.sqrt(3) : 2 * v())]);
  if (nPh === 3) live.push(['AphC', perPhaseA], ['PhVphC', v], ['PPVphBC', () => v() * Math.sqrt(3)], ['PPVphCA', () => v() * Math.sqrt(3)]);
  live.push(
    ['W', () => inv.state.acW],
    ['Hz', () => inv.state.gridHz],
    ['VA', () => inv.state.acVA],
    ['VAr', () => inv.state.acVar],
    ['PF', () => inv.state.pf * 100],
    ['WH', () => Math.floor(inv.state.whExported)],
    ['DCA', () => inv.state.dcA],
    ['DCV', () => inv.state.dcV],
    ['DCW', () => inv.state.dcW],
    ['TmpCab', () => inv.state.cabinetC],
    ['TmpSnk', () => inv.state.heatsinkC],
    ['St', () => inv.state.state],
    ['Evt1', () => inv.state.events],
    ['Evt2', () => 0],
    ['EvtVnd1', () => inv.state.vendorEvents],
  );
  // Refreshed from the inverter when a read covers them (only those).
  return SunSpecModel.load(inverterModelId(nPh), { scaleFactors, handler: readOnly(), live });
}
