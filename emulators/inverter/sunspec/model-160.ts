/** Model 160 (multiple MPPT inverter extension): one module per PV string; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import { OperatingState } from '../inverter';
import type { InverterModelContext } from './context';

export function createModel160({ inv, epoch2000S }: InverterModelContext): SunSpecModel {
  const mppt: SunSpecModel = SunSpecModel.load(160, {
    groupCounts: { module: inv.strings.length },
    scaleFactors: { DCA_SF: -2, DCV_SF: -1, DCW_SF: 0, DCWH_SF: 0 },
    handler: readOnly(),
    onRead: () => {
      const s = inv.state;
      const running = s.state === OperatingState.Throttled || s.state === OperatingState.Mppt;
      mppt.set('Evt', 0);
      s.strings.forEach((x, i) => {
        const p = `module[${i}].`;
        mppt.set(`${p}DCA`, x.amps);
        mppt.set(`${p}DCV`, x.volts);
        mppt.set(`${p}DCW`, x.watts);
        mppt.set(`${p}DCWH`, Math.floor(x.whTotal));
        mppt.set(`${p}Tms`, epoch2000S + Math.floor(s.t));
        mppt.set(`${p}Tmp`, Math.round(s.moduleC));
        mppt.set(`${p}DCSt`, running ? (x.watts > 0 ? s.state : OperatingState.Standby) : s.state);
        mppt.set(`${p}DCEvt`, 0);
      });
    },
  });
  inv.strings.forEach((_, i) => {
    mppt.set(`module[${i}].ID`, i + 1);
    mppt.set(`module[${i}].IDStr`, `PV${i + 1}`);
  });
  return mppt;
}
