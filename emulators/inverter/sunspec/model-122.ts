/** Model 122 (measurements and status): connection bits, energy counters, available power, Tms; read-only. */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { readOnly } from '../../../protocols/modbus/sunspec/write-handler';
import { OperatingState } from '../inverter';
import type { InverterModelContext } from './context';

export function createModel122({ inv, wSf, epoch2000S }: InverterModelContext): SunSpecModel {
  const bat = inv.battery;
  return SunSpecModel.load(122, {
    scaleFactors: { WAval_SF: wSf, VArAval_SF: wSf },
    values: { TmSrc: 'RTC' },
    handler: readOnly(),
    // Refreshed from the inverter when a read covers them (only those: protocols/modbus/sunspec/sunspec-model.ts).
    live: [
      ['PVConn', () => {
        const s = inv.state;
        const running = s.state === OperatingState.Mppt || s.state === OperatingState.Throttled;
        return (s.connected ? 1 : 0) | (s.irradiance > 0 ? 2 : 0) | (running && s.dcW > 0 ? 4 : 0);
      }],
      ['StorConn', () => (bat ? (bat.contactorClosed() ? 1 | 2 : 2) | (Math.abs(inv.state.batteryA) > 0.05 ? 4 : 0) : 0)],
      ['ECPConn', () => (inv.state.connected ? 1 : 0)],
      ['ActWh', () => BigInt(Math.floor(inv.state.whExported)), 'raw'],
      ['ActVArhQ1', () => BigInt(Math.floor(inv.state.varhInjected)), 'raw'],
      ['ActVArhQ4', () => BigInt(Math.floor(inv.state.varhAbsorbed)), 'raw'],
      ['WAval', () => Math.min(inv.state.pvAvailableW, inv.ratedW)],
      ['VArAval', () => Math.sqrt(Math.max(0, inv.ratedVA ** 2 - inv.state.acW ** 2))],
      ['StSetLimMsk', () => (inv.controls.wMax < inv.ratedW ? 1 : 0)],
      ['StActCtl', () => (inv.controls.limitEnabled ? 1 : 0) | (inv.controls.pfEnabled ? 4 : 0)],
      ['Tms', () => epoch2000S + Math.floor(inv.state.t)],
    ],
  });
}
