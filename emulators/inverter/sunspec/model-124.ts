/**
 * Model 124 (storage), served by hybrids only (docs/sunspec-fidelity.md). Writes: StorCtl_Mod bit 0 puts the InWRte
 * charge LIMIT in force, bit 1 the OutWRte discharge LIMIT (int16 % of WChaMax, -100..100; a negative OutWRte
 * forces charge, a negative InWRte forces discharge); within the limits the inverter does self-consumption, so a
 * discharge hold (2, OutWRte 0) still lets PV charge. ChaGriSet PV (0) keeps grid power out of the battery;
 * MinRsvPct stops discharge at the reserve; WChaMax (0..batteryMaxW) is the reference of both rates.
 * InOutWRte_RvrtTms (restarted by every 124 write) reverts to automatic; _RmpTms ramps the limits; _WinTms delays
 * the change. WChaGra and WDisChaGra are accepted and read back as written.
 */
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { anyValue, bitsWithin, inRange, numeric, oneOf, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { BatteryPort } from '../battery-port';
import type { InverterModelContext } from './context';

/** 124 ChaSt: OFF 1, EMPTY 2, DISCHARGING 3, CHARGING 4, FULL 5, HOLDING 6. */
function chargeStatus(bat: BatteryPort, batteryA: number, soc: number | undefined): number {
  if (!bat.contactorClosed()) return 1;
  if (batteryA > 0.05) return 4;
  if (batteryA < -0.05) return 3;
  if (soc !== undefined && soc >= 99.5) return 5;
  if (soc !== undefined && soc <= 0.5) return 2;
  return 6;
}

export function createModel124({ inv, wSf, command }: InverterModelContext, bat: BatteryPort): SunSpecModel {
  const soc = (): number | undefined => inv.state.batterySoc ?? bat.soc?.();
  return SunSpecModel.load(124, {
    scaleFactors: { WChaMax_SF: wSf, WChaDisChaGra_SF: 0, MinRsvPct_SF: -2, ChaState_SF: -1, StorAval_SF: -1, InBatV_SF: -1, InOutWRte_SF: -2 },
    values: { WChaGra: 100, WDisChaGra: 100, InOutWRte_WinTms: 0, InOutWRte_RvrtTms: 0, InOutWRte_RmpTms: 0 },
    // Refreshed from the inverter and its battery port when a read covers them.
    live: [
      ['WChaMax', () => inv.controls.chargeMaxW],
      ['StorCtl_Mod', () => (inv.controls.storageCharge ? 1 : 0) | (inv.controls.storageDischarge ? 2 : 0)],
      ['InWRte', () => inv.controls.chargePct],
      ['OutWRte', () => inv.controls.dischargePct],
      ['ChaGriSet', () => (inv.controls.gridCharging ? 1 : 0)],
      ['MinRsvPct', () => inv.controls.minReservePct],
      ['ChaState', () => soc() ?? null],
      ['StorAval', () => {
        const s = soc();
        const ah = bat.capacityAh?.();
        return s !== undefined && ah !== undefined ? (ah * Math.max(0, s - inv.controls.minReservePct)) / 100 : null;
      }],
      ['InBatV', () => (bat.contactorClosed() ? bat.voltage() : 0)],
      ['ChaSt', () => chargeStatus(bat, inv.state.batteryA, soc())],
    ],
    handler: writeHandler(
      {
        WChaMax: inRange(0, inv.batteryMaxW),
        WChaGra: anyValue,
        WDisChaGra: anyValue,
        StorCtl_Mod: bitsWithin(3),
        MinRsvPct: inRange(0, 100),
        InWRte: inRange(-100, 100),
        OutWRte: inRange(-100, 100),
        InOutWRte_WinTms: anyValue,
        InOutWRte_RvrtTms: anyValue,
        InOutWRte_RmpTms: anyValue,
        ChaGriSet: oneOf(0, 1),
      },
      (writes, m) => {
        const mode = writtenValue(writes, 'StorCtl_Mod');
        const opt = (point: string, key: 'chargePct' | 'dischargePct' | 'chargeMaxW' | 'minReservePct') => {
          const v = writtenValue(writes, point);
          return v !== undefined ? { [key]: v } : {};
        };
        const gri = writtenValue(writes, 'ChaGriSet');
        // Every 124 write restarts the revert timer (the keep-alive public controllers rely on).
        command(
          {
            kind: 'storage',
            ...(mode !== undefined ? { charge: (mode & 1) !== 0, discharge: (mode & 2) !== 0 } : {}),
            ...opt('InWRte', 'chargePct'),
            ...opt('OutWRte', 'dischargePct'),
            ...opt('WChaMax', 'chargeMaxW'),
            ...opt('MinRsvPct', 'minReservePct'),
            ...(gri !== undefined ? { gridCharging: gri === 1 } : {}),
            revertS: numeric(m.get('InOutWRte_RvrtTms')),
            rampS: numeric(m.get('InOutWRte_RmpTms')),
          },
          numeric(m.get('InOutWRte_WinTms')),
        );
      },
    ),
  });
}
