/**
 * Model 123 (immediate controls). Writes:
 * - Conn (+ Conn_WinTms, Conn_RvrtTms): connect or disconnect, within the window, reverting after the revert time;
 * - WMaxLimPct (0..100 % of WMax of 121, not of WRtg) + WMaxLim_Ena (+ _WinTms, _RvrtTms: back to disabled,
 *   _RmpTms: ramp to the new limit);
 * - OutPFSet (|PF| 0.8..1, negative under-excited) + OutPFSet_Ena (+ _WinTms).
 * Setpoints and enables read back from the inverter's controls (a command ignored or delayed by a fault shows);
 * window, revert and ramp times read back as written.
 */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { anyValue, inRange, numeric, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { PointCheck } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

const powerFactor: PointCheck = (v) => typeof v === 'number' && Math.abs(v) >= 0.8 && Math.abs(v) <= 1;

export function createModel123({ inv, command }: InverterModelContext): SunSpecModel {
  const controls: SunSpecModel = SunSpecModel.load(123, {
    scaleFactors: { WMaxLimPct_SF: -2, OutPFSet_SF: -3 },
    values: { Conn_WinTms: 0, Conn_RvrtTms: 0, WMaxLimPct_WinTms: 0, WMaxLimPct_RvrtTms: 0, WMaxLimPct_RmpTms: 0, OutPFSet_WinTms: 0 },
    // Read back from the inverter's controls when a read covers them.
    live: [
      ['Conn', () => (inv.controls.connect ? 1 : 0)],
      ['WMaxLimPct', () => inv.controls.limitPct],
      ['WMaxLim_Ena', () => (inv.controls.limitEnabled ? 1 : 0)],
      ['OutPFSet', () => inv.controls.pf * (inv.controls.pfExcitation === 'over' ? 1 : -1)],
      ['OutPFSet_Ena', () => (inv.controls.pfEnabled ? 1 : 0)],
    ],
    handler: writeHandler(
      {
        Conn: anyValue,
        Conn_WinTms: anyValue,
        Conn_RvrtTms: anyValue,
        WMaxLimPct: inRange(0, 100),
        WMaxLimPct_WinTms: anyValue,
        WMaxLimPct_RvrtTms: anyValue,
        WMaxLimPct_RmpTms: anyValue,
        WMaxLim_Ena: anyValue,
        OutPFSet: powerFactor,
        OutPFSet_WinTms: anyValue,
        OutPFSet_Ena: anyValue,
      },
      (writes, m) => {
        const conn = writtenValue(writes, 'Conn');
        if (conn !== undefined) command({ kind: 'connect', connect: conn === 1, revertS: numeric(m.get('Conn_RvrtTms')) }, numeric(m.get('Conn_WinTms')));
        const pct = writtenValue(writes, 'WMaxLimPct');
        const ena = writtenValue(writes, 'WMaxLim_Ena');
        if (pct !== undefined || ena !== undefined) {
          command(
            {
              kind: 'limit',
              enabled: ena !== undefined ? ena === 1 : inv.controls.limitEnabled,
              ...(pct !== undefined ? { pct } : {}),
              rampS: numeric(m.get('WMaxLimPct_RmpTms')),
              revertS: numeric(m.get('WMaxLimPct_RvrtTms')),
            },
            numeric(m.get('WMaxLimPct_WinTms')),
          );
        }
        const pf = writtenValue(writes, 'OutPFSet');
        const pfEna = writtenValue(writes, 'OutPFSet_Ena');
        if (pf !== undefined || pfEna !== undefined) {
          command(
            {
              kind: 'power-factor',
              enabled: pfEna !== undefined ? pfEna === 1 : inv.controls.pfEnabled,
              ...(pf !== undefined ? { pf: Math.abs(pf), excitation: pf < 0 ? 'under' : 'over' } : {}),
            },
            numeric(m.get('OutPFSet_WinTms')),
          );
        }
      },
    ),
  });
  return controls;
}
