/** Types of the inverter model: configuration, controls, commands, state snapshot. */
import type { BatteryPort } from './battery-port';
import type { EfficiencyCurve } from './efficiency';
import type { GridLimits } from './grid-protection';
import type { IrradianceProfile } from './irradiance';
import type { PvStringConfig } from './pv-array';

/** Operating states; the values are SunSpec 101-103 `St` codes. */
export enum OperatingState {
  Off = 1,
  Sleeping = 2,
  Starting = 3,
  Mppt = 4,
  Throttled = 5,
  ShuttingDown = 6,
  Fault = 7,
  Standby = 8,
}

/** Why output is below what the PV could give (SunSpec 701 ThrotSrc bit numbers). */
export const THROTTLE = { MAX_W: 0, FIXED_W: 1, DERATED: 14 } as const;

export type PhaseConfig = 'single' | 'split' | 'three';

export interface InverterConfig {
  seed?: number;
  /** Rated AC power, W (default 5000). */
  ratedW?: number;
  /** Rated apparent power, VA (default ratedW). */
  ratedVA?: number;
  phases?: PhaseConfig;
  /** Phase-to-neutral nominal voltage (default 230) and frequency (default 50). */
  nominalV?: number;
  nominalHz?: number;
  /** PV strings, one MPPT each (default two strings of 8 x 400 W). */
  strings?: PvStringConfig[];
  profile?: IrradianceProfile;
  ambientC?: number;
  /** Time of day at model time 0, seconds (default 12:00). */
  startTimeOfDay?: number;
  efficiency?: EfficiencyCurve;
  /** Ramp rate for increases of output, % of rated W per second (default 20). */
  rampPctPerS?: number;
  /** Seconds from grid OK and DC available to feeding in (default 5). */
  startDelayS?: number;
  /** Least PV power to wake up, W (default 20). */
  wakeW?: number;
  grid?: Partial<Omit<GridLimits, 'nominalV' | 'nominalHz'>>;
  battery?: BatteryPort;
  /** Battery converter rating, W (default ratedW). */
  batteryMaxW?: number;
  /**
   * Whether the inverter itself keeps battery power within the BMS's current limits (true, the default: a hybrid
   * that talks to the BMS directly). false: an inverter under an external EMS that relays the BMS (the controller
   * under test is then the only guard, as in the CI bench); only the contactor and `batteryMaxW` bound the power.
   */
  honourBmsLimits?: boolean;
  /**
   * House consumption behind the site meter, W (default 0). In self-consumption (no 124 limit in force) the battery
   * takes PV beyond it and covers what PV cannot; 0 means every PV watt is surplus and nothing is discharged.
   */
  siteLoadW?: number;
  /**
   * Whether the battery may be charged from the grid at start (SunSpec 124 ChaGriSet GRID; default true, as an
   * installer enables it for an EMS to force-charge: evcc's Fronius GEN24 template no longer writes ChaGriSet).
   */
  gridCharging?: boolean;
  /** Minimum reserve at start, % of capacity (124 MinRsvPct; default 0). */
  minReservePct?: number;
  /** Heat sink: derating starts at (default 70 degC), output 0 at (85), trip OVER_TEMP at (90). */
  derateStartC?: number;
  derateEndC?: number;
  overTempTripC?: number;
  identity?: { manufacturer?: string; model?: string; serial?: string; version?: string };
}

/** Persistent controls, as a controller sets them (SunSpec 121-124, 702, 704). */
export interface InverterControls {
  connect: boolean;
  limitEnabled: boolean;
  /** Target limit, % of WMax (SunSpec 123 `WMaxLimPct` units "% WMax"; 704 likewise of 702 WMax). */
  limitPct: number;
  /** Seconds to ramp to a new limit (0: at once). */
  limitRampS: number;
  /** Seconds after which an enabled limit reverts (0: never). */
  limitRevertS: number;
  /**
   * What the limit reverts to when its timer runs out: 'disable' (123) or 'reversion-points' (704: the
   * WMaxLimPctRvrt / WMaxLimPctEnaRvrt values in force when the timer runs out).
   */
  limitRevertTo: 'disable' | 'reversion-points';
  /** 704 reversion points as last written (WMaxLimPctRvrt %, WMaxLimPctEnaRvrt). */
  limitReversionPct: number;
  limitReversionEnabled: boolean;
  pfEnabled: boolean;
  /** Power factor magnitude (0, 1]. */
  pf: number;
  /** Over-excited (injecting vars) or under-excited (absorbing). */
  pfExcitation: 'over' | 'under';
  /** Maximum output setting, W (<= rated; 121 WMax, 702 WMax). */
  wMax: number;
  rampPctPerS: number;
  /** 124 StorCtl_Mod bit 0: the charge LIMIT `chargePct` is in force. */
  storageCharge: boolean;
  /** 124 StorCtl_Mod bit 1: the discharge LIMIT `dischargePct` is in force. */
  storageDischarge: boolean;
  /**
   * 124 InWRte: most charge power, % of WChaMax, -100..100. Negative: at least that much DIScharge (forced
   * discharge). 124 OutWRte: most discharge power, % of WChaMax; negative: at least that much charge (forced
   * charge). Limits, not setpoints: within them the inverter does self-consumption. Both default to 100.
   */
  chargePct: number;
  dischargePct: number;
  /** 124 ChaGriSet: GRID (true) lets the grid charge the battery; PV (false): only PV may. */
  gridCharging: boolean;
  /** 124 WChaMax, W: the reference of InWRte and OutWRte. */
  chargeMaxW: number;
  /** 124 MinRsvPct: no discharge at or below this SOC, %. */
  minReservePct: number;
  /** 124 InOutWRte_RvrtTms: seconds after the last 124 write when the limits revert to automatic (0: never). */
  storageRevertS: number;
  /** 124 InOutWRte_RmpTms: seconds to move the rate limits from where they were to new values (0: at once). */
  storageRampS: number;
}

export type InverterCommand =
  | { kind: 'limit'; enabled: boolean; pct?: number; rampS?: number; revertS?: number; revertTo?: 'disable' | 'reversion-points' }
  | { kind: 'limit-reversion'; pct?: number; enabled?: boolean }
  | { kind: 'connect'; connect: boolean; revertS?: number }
  | { kind: 'power-factor'; enabled: boolean; pf?: number; excitation?: 'over' | 'under' }
  | { kind: 'max-power'; watts: number }
  | { kind: 'ramp-rate'; pctPerS: number }
  | {
      kind: 'storage';
      charge?: boolean;
      discharge?: boolean;
      chargePct?: number;
      dischargePct?: number;
      gridCharging?: boolean;
      chargeMaxW?: number;
      minReservePct?: number;
      revertS?: number;
      rampS?: number;
    };

export interface CommandOptions {
  /** SunSpec *_WinTms: the command takes effect after a random delay in [0, windowS] (seeded). */
  windowS?: number;
}

export interface StringSnapshot {
  watts: number;
  volts: number;
  amps: number;
  mppW: number;
  whTotal: number;
}

/** Everything the model shows to the outside, updated by `step`. */
export interface InverterSnapshot {
  /** Model time, seconds since start. */
  t: number;
  timeOfDay: number;
  irradiance: number;
  moduleC: number;
  state: OperatingState;
  /** AC relay closed. */
  connected: boolean;
  /** AC active power, W (+ export). */
  acW: number;
  acVar: number;
  acVA: number;
  /** Power factor (signed: + over-excited). 1 when idle. */
  pf: number;
  /** Total AC current, A (sum of phases). */
  acA: number;
  gridV: number;
  gridHz: number;
  /** PV input totals. */
  dcW: number;
  dcV: number;
  dcA: number;
  /** PV power available at the trackers' operating points, W. */
  pvAvailableW: number;
  strings: StringSnapshot[];
  /** Battery power, W (+ charging) and the current commanded, A (+ charging). */
  batteryW: number;
  batteryA: number;
  batteryV: number;
  batterySoc: number | undefined;
  whExported: number;
  whImported: number;
  varhInjected: number;
  varhAbsorbed: number;
  heatsinkC: number;
  cabinetC: number;
  /** Evt1 bitmask (SunSpec 101). */
  events: number;
  vendorEvents: number;
  /** Effective output limit now, W (after limit ramp, derating, WMax). */
  limitW: number;
  /** Effective WMaxLimPct now (ramping), %. */
  limitPctNow: number;
  throttleSources: number;
  /** Seconds left before a limit revert (0 if none; 704 WMaxLimPctRvrtRem). */
  limitRevertRemainingS: number;
  /** Seconds left before the 124 rate limits revert (0 if none). */
  storageRevertRemainingS: number;
  /** Battery power band in force now, W (+ charge): what the controls and limits allow (124 readback aid). */
  batteryMinW: number;
  batteryMaxW: number;
}
