/** Model 122 (measurements and status): connection bits, energy counters, available power, Tms; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import { OperatingState } from '../inverter';
import type { InverterModelContext } from './context';

export function createModel122({ inv, wSf, epoch2000S }: InverterModelContext): SunSpecModel {
  const bat = inv.battery;
  const status: SunSpecModel = SunSpecModel.load(122, {
    scaleFactors: { WAval_SF: wSf, VArAval_SF: wSf },
    values: { TmSrc: 'RTC' },
    handler: readOnly(),
    onRead: () => {
      const s = inv.state;
      const running = s.state === OperatingState.Mppt || s.state === OperatingState.Throttled;
      status.set('PVConn', (s.connected ? 1 : 0) | (s.irradiance > 0 ? 2 : 0) | (running && s.dcW > 0 ? 4 : 0));
      status.set('StorConn', bat ? (bat.contactorClosed() ? 1 | 2 : 2) | (Math.abs(s.batteryA) > 0.05 ? 4 : 0) : 0);
      status.set('ECPConn', s.connected ? 1 : 0);
      status.setRaw('ActWh', BigInt(Math.floor(s.whExported)));
      status.setRaw('ActVArhQ1', BigInt(Math.floor(s.varhInjected)));
      status.setRaw('ActVArhQ4', BigInt(Math.floor(s.varhAbsorbed)));
      status.set('WAval', Math.min(s.pvAvailableW, inv.ratedW));
      status.set('VArAval', Math.sqrt(Math.max(0, inv.ratedVA ** 2 - s.acW ** 2)));
      status.set('StSetLimMsk', inv.controls.wMax < inv.ratedW ? 1 : 0);
      status.set('StActCtl', (inv.controls.limitEnabled ? 1 : 0) | (inv.controls.pfEnabled ? 4 : 0));
      status.set('Tms', epoch2000S + Math.floor(s.t));
    },
  });
  return status;
}
