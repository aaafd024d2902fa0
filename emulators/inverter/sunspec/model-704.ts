/**
 * Model 704 (DER AC controls), the subset this device implements. Writes: WMaxLimPctEna / WMaxLimPct (0..100) /
 * WMaxLimPctRvrtTms, with the reversion points WMaxLimPctRvrt (0..100) and WMaxLimPctEnaRvrt (0, 1) that the limit
 * takes on timeout (WMaxLimPctRvrtRem counts down); PFWInjEna / PFWInj.PF (0.8..1) / PFWInj.Ext; WRmp (1..65534 %
 * per second); AntiIslEna only as 1 (anti-islanding cannot be switched off).
 */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { anyValue, inRange, numeric, oneOf, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { InverterModelContext } from './context';

export function createModel704({ inv, command }: InverterModelContext): SunSpecModel {
  const ctl: SunSpecModel = SunSpecModel.load(704, {
    scaleFactors: { PF_SF: -3, WMaxLimPct_SF: -2 },
    values: { WMaxLimPctRvrtTms: 0, AntiIslEna: 1 },
    onRead: () => {
      const c = inv.controls;
      ctl.set('WMaxLimPctEna', c.limitEnabled ? 1 : 0);
      ctl.set('WMaxLimPct', c.limitPct);
      ctl.set('WMaxLimPctRvrt', c.limitReversionPct);
      ctl.set('WMaxLimPctEnaRvrt', c.limitReversionEnabled ? 1 : 0);
      ctl.set('WMaxLimPctRvrtRem', Math.ceil(inv.state.limitRevertRemainingS - 1e-6));
      ctl.set('PFWInjEna', c.pfEnabled ? 1 : 0);
      ctl.set('PFWInj.PF', c.pf);
      ctl.set('PFWInj.Ext', c.pfExcitation === 'over' ? 0 : 1);
      ctl.set('WRmp', Math.round(c.rampPctPerS));
    },
    handler: writeHandler(
      {
        WMaxLimPctEna: anyValue,
        WMaxLimPct: inRange(0, 100),
        WMaxLimPctRvrtTms: anyValue,
        WMaxLimPctRvrt: inRange(0, 100),
        WMaxLimPctEnaRvrt: oneOf(0, 1),
        PFWInjEna: anyValue,
        'PFWInj.PF': inRange(0.8, 1),
        'PFWInj.Ext': anyValue,
        WRmp: inRange(1, 65534),
        AntiIslEna: oneOf(1),
      },
      (writes, m) => {
        const rvPct = writtenValue(writes, 'WMaxLimPctRvrt');
        const rvEna = writtenValue(writes, 'WMaxLimPctEnaRvrt');
        if (rvPct !== undefined || rvEna !== undefined) {
          command({ kind: 'limit-reversion', ...(rvPct !== undefined ? { pct: rvPct } : {}), ...(rvEna !== undefined ? { enabled: rvEna === 1 } : {}) });
        }
        const ena = writtenValue(writes, 'WMaxLimPctEna');
        const pct = writtenValue(writes, 'WMaxLimPct');
        const tms = writtenValue(writes, 'WMaxLimPctRvrtTms');
        if (ena !== undefined || pct !== undefined || tms !== undefined) {
          command({
            kind: 'limit',
            enabled: ena !== undefined ? ena === 1 : inv.controls.limitEnabled,
            ...(pct !== undefined ? { pct } : {}),
            rampS: 0,
            revertS: numeric(m.get('WMaxLimPctRvrtTms')),
            revertTo: 'reversion-points',
          });
        }
        const pfEna = writtenValue(writes, 'PFWInjEna');
        const pf = writtenValue(writes, 'PFWInj.PF');
        const ext = writtenValue(writes, 'PFWInj.Ext');
        if (pfEna !== undefined || pf !== undefined || ext !== undefined) {
          command({
            kind: 'power-factor',
            enabled: pfEna !== undefined ? pfEna === 1 : inv.controls.pfEnabled,
            ...(pf !== undefined ? { pf } : {}),
            ...(ext !== undefined ? { excitation: ext === 1 ? 'under' : 'over' } : {}),
          });
        }
        const rmp = writtenValue(writes, 'WRmp');
        if (rmp !== undefined) command({ kind: 'ramp-rate', pctPerS: rmp });
      },
    ),
  });
  return ctl;
}
