/**
 * Named quantities and controls of the inverter model, the vocabulary of declarative register maps. A quantity is
 * read from the model state; a control turns a written value into an inverter command (and reads back the control's
 * current value).
 */
import type { Inverter, InverterCommand } from './inverter';
import { OperatingState } from './inverter-types';

export type QuantityReader = (inv: Inverter) => number | undefined;

const pv = (i: number, k: 'watts' | 'volts' | 'amps' | 'whTotal'): QuantityReader => (inv) => inv.state.strings[i]?.[k];

/** Quantities by name. `pv1.*`..`pv4.*` address PV strings (absent strings read undefined). */
export const QUANTITIES: Readonly<Record<string, QuantityReader>> = {
  'ac.power': (inv) => inv.state.acW,
  'ac.reactive_power': (inv) => inv.state.acVar,
  'ac.apparent_power': (inv) => inv.state.acVA,
  'ac.power_factor': (inv) => inv.state.pf,
  'ac.current': (inv) => inv.state.acA,
  'ac.voltage': (inv) => inv.state.gridV,
  'ac.frequency': (inv) => inv.state.gridHz,
  'ac.energy_exported': (inv) => inv.state.whExported,
  'ac.energy_imported': (inv) => inv.state.whImported,
  'dc.power': (inv) => inv.state.dcW,
  'dc.voltage': (inv) => inv.state.dcV,
  'dc.current': (inv) => inv.state.dcA,
  ...Object.fromEntries(
    [0, 1, 2, 3].flatMap((i) => [
      [`pv${i + 1}.power`, pv(i, 'watts')],
      [`pv${i + 1}.voltage`, pv(i, 'volts')],
      [`pv${i + 1}.current`, pv(i, 'amps')],
      [`pv${i + 1}.energy`, pv(i, 'whTotal')],
    ]),
  ),
  'battery.power': (inv) => (inv.battery ? inv.state.batteryW : undefined),
  'battery.current': (inv) => (inv.battery ? inv.state.batteryA : undefined),
  'battery.voltage': (inv) => (inv.battery ? inv.state.batteryV : undefined),
  'battery.soc': (inv) => inv.state.batterySoc,
  'temperature.heatsink': (inv) => inv.state.heatsinkC,
  'temperature.cabinet': (inv) => inv.state.cabinetC,
  'state.sunspec': (inv) => inv.state.state,
  'state.events': (inv) => inv.state.events,
  'state.vendor_events': (inv) => inv.state.vendorEvents,
  'rating.power': (inv) => inv.ratedW,
  'rating.apparent_power': (inv) => inv.ratedVA,
  'pv.available_power': (inv) => inv.state.pvAvailableW,
  /** Site (behind the meter): house load, and grid power at the meter (+ import) = load - inverter AC. */
  'site.load_power': (inv) => inv.siteLoad,
  'site.grid_power': (inv) => inv.siteLoad - inv.state.acW,
  'site.export_power': (inv) => inv.state.acW - inv.siteLoad,
  /** The battery reference power (124 WChaMax): what % settings are % of. */
  'battery.capacity_reference': (inv) => (inv.battery ? inv.controls.chargeMaxW : undefined),
  /** The BMS's current limits as the inverter reads them, A. */
  'battery.charge_limit_a': (inv) => inv.battery?.chargeCurrentLimit(),
  'battery.discharge_limit_a': (inv) => inv.battery?.dischargeCurrentLimit(),
  'dc.energy': (inv) => inv.state.strings.reduce((s, x) => s + x.whTotal, 0),
  /** Grid power at the meter per phase (+ import), the site total split evenly over the inverter's phases. */
  'site.grid_power_phase': (inv) => (inv.siteLoad - inv.state.acW) / inv.phaseCount,
  'site.load_power_phase': (inv) => inv.siteLoad / inv.phaseCount,
  'ac.power_phase': (inv) => inv.state.acW / inv.phaseCount,
  /** AC current per phase with the sign of the power (+ export). */
  'ac.current_signed_phase': (inv) => (inv.state.acW < 0 ? -1 : 1) * (inv.state.acA / inv.phaseCount),
  'ac.phases': (inv) => inv.phaseCount,
  'ac.line_voltage': (inv) => inv.state.gridV * Math.sqrt(3),
  /** Site import and feed-in as two non-negative figures (SMA 30865 / 30867). */
  'site.import_power': (inv) => Math.max(0, inv.siteLoad - inv.state.acW),
  'site.feed_in_power': (inv) => Math.max(0, inv.state.acW - inv.siteLoad),
  /** Battery charge and discharge power as two non-negative figures (SMA 31393 / 31395). */
  'battery.charge_power': (inv) => (inv.battery ? Math.max(0, inv.state.batteryW) : undefined),
  'battery.discharge_power': (inv) => (inv.battery ? Math.max(0, -inv.state.batteryW) : undefined),
  /** The digits of the serial as a number (brands with a numeric serial register). */
  'identity.serial_number': (inv) => Number(inv.identity.serial.replace(/\D/g, '').slice(-9) || 0),
  'site.export_power_phase': (inv) => (inv.state.acW - inv.siteLoad) / inv.phaseCount,
  'site.export_current_phase': (inv) => (inv.state.gridV > 0 ? (inv.state.acW - inv.siteLoad) / inv.phaseCount / inv.state.gridV : 0),
  'ac.current_phase': (inv) => inv.state.acA / inv.phaseCount,
  // Flags (0/1), for status bit fields (`bits:` in a vendor map).
  'pv.generating': (inv) => flag(inv.state.dcW > 1),
  'battery.charging': (inv) => flag(inv.state.batteryW > 1),
  'battery.discharging': (inv) => flag(inv.state.batteryW < -1),
  'site.load_positive': (inv) => flag(inv.siteLoad > 1),
  'site.exporting': (inv) => flag(inv.state.acW - inv.siteLoad > 1),
  'site.importing': (inv) => flag(inv.siteLoad - inv.state.acW > 1),
  'ac.connected': (inv) => flag(inv.state.connected),
};

function flag(b: boolean): number {
  return b ? 1 : 0;
}

/** A quantity whose value is one of a few symbols; a vendor map turns them into its codes with an enum table. */
export interface EnumQuantity {
  symbols: readonly string[];
  read(inv: Inverter): string | undefined;
}

const STATE_SYMBOLS: Record<OperatingState, string> = {
  [OperatingState.Off]: 'off',
  [OperatingState.Sleeping]: 'sleeping',
  [OperatingState.Starting]: 'starting',
  [OperatingState.Mppt]: 'running',
  [OperatingState.Throttled]: 'throttled',
  [OperatingState.ShuttingDown]: 'shutting-down',
  [OperatingState.Fault]: 'fault',
  [OperatingState.Standby]: 'standby',
};

export const ENUM_QUANTITIES: Readonly<Record<string, EnumQuantity>> = {
  /** The operating state (SunSpec St) by name. */
  'state.operating': { symbols: Object.values(STATE_SYMBOLS), read: (inv) => STATE_SYMBOLS[inv.state.state] },
  /** What the battery does now; `absent` without a battery or with its contactor open. */
  'battery.state': {
    symbols: ['absent', 'idle', 'charging', 'discharging'],
    read: (inv) => (!inv.battery || !inv.battery.contactorClosed() ? 'absent' : inv.state.batteryW > 1 ? 'charging' : inv.state.batteryW < -1 ? 'discharging' : 'idle'),
  },
};

/** Text quantities, for string registers. */
export const TEXT_QUANTITIES: Readonly<Record<string, (inv: Inverter) => string>> = {
  'identity.manufacturer': (inv) => inv.identity.manufacturer,
  'identity.model': (inv) => inv.identity.model,
  'identity.serial': (inv) => inv.identity.serial,
  'identity.version': (inv) => inv.identity.version,
};

export interface ControlDef {
  /** The control's current value (read-back). */
  read(inv: Inverter): number;
  /** The command a written value gives; the value is already scaled and range-checked. */
  command(inv: Inverter, value: number): InverterCommand;
  /** Accepted values (inclusive), before any map-specific min/max. */
  min: number;
  max: (inv: Inverter) => number;
}

const c = (inv: Inverter) => inv.controls;

/** Controls by name. */
export const CONTROLS: Readonly<Record<string, ControlDef>> = {
  limit_pct: { read: (i) => c(i).limitPct, command: (_i, v) => ({ kind: 'limit', enabled: _i.controls.limitEnabled, pct: v }), min: 0, max: () => 100 },
  limit_enabled: { read: (i) => (c(i).limitEnabled ? 1 : 0), command: (_i, v) => ({ kind: 'limit', enabled: v !== 0 }), min: 0, max: () => 1 },
  /** Limit in watts: writes enable the limit at value / rated. */
  limit_w: {
    read: (i) => (c(i).limitEnabled ? (c(i).limitPct / 100) * c(i).wMax : c(i).wMax),
    command: (i, v) => ({ kind: 'limit', enabled: true, pct: c(i).wMax > 0 ? Math.min(100, (100 * v) / c(i).wMax) : 0 }),
    min: 0,
    max: (i) => i.ratedW,
  },
  connect: { read: (i) => (c(i).connect ? 1 : 0), command: (_i, v) => ({ kind: 'connect', connect: v !== 0 }), min: 0, max: () => 1 },
  /** Signed power factor: + over-excited, - under-excited; |pf| = 1 disables the setting. */
  power_factor: {
    read: (i) => (c(i).pfEnabled ? c(i).pf * (c(i).pfExcitation === 'over' ? 1 : -1) : 1),
    command: (_i, v) => (Math.abs(v) >= 1 ? { kind: 'power-factor', enabled: false } : { kind: 'power-factor', enabled: true, pf: Math.abs(v), excitation: v < 0 ? 'under' : 'over' }),
    min: -1,
    max: () => 1,
  },
  max_power: { read: (i) => c(i).wMax, command: (_i, v) => ({ kind: 'max-power', watts: v }), min: 0, max: (i) => i.ratedW },
  ramp_rate_pct: { read: (i) => c(i).rampPctPerS, command: (_i, v) => ({ kind: 'ramp-rate', pctPerS: v }), min: 0.1, max: () => 1000 },
  /** Bit 0 charge, bit 1 discharge (as SunSpec 124 StorCtl_Mod). */
  storage_mode: {
    read: (i) => (c(i).storageCharge ? 1 : 0) | (c(i).storageDischarge ? 2 : 0),
    command: (_i, v) => ({ kind: 'storage', charge: (v & 1) !== 0, discharge: (v & 2) !== 0 }),
    min: 0,
    max: () => 3,
  },
  /** 124 semantics: limits in % of WChaMax; negative charge_pct forces discharge, negative discharge_pct forces charge. */
  charge_pct: { read: (i) => c(i).chargePct, command: (_i, v) => ({ kind: 'storage', chargePct: v }), min: -100, max: () => 100 },
  discharge_pct: { read: (i) => c(i).dischargePct, command: (_i, v) => ({ kind: 'storage', dischargePct: v }), min: -100, max: () => 100 },
  min_reserve_pct: { read: (i) => c(i).minReservePct, command: (_i, v) => ({ kind: 'storage', minReservePct: v }), min: 0, max: () => 100 },
  grid_charging: { read: (i) => (c(i).gridCharging ? 1 : 0), command: (_i, v) => ({ kind: 'storage', gridCharging: v !== 0 }), min: 0, max: () => 1 },
};
