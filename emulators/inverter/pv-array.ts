/**
 * A PV string at its maximum power point: power scales with irradiance and falls with cell temperature
 * (power temperature coefficient); voltage falls with temperature and slightly at low light.
 */
import { ConfigError } from '../../core/errors';

export interface PvModuleSpec {
  /** Power at STC (1000 W/m^2, 25 degC), W. */
  pmp: number;
  /** Voltage at MPP at STC, V. */
  vmp: number;
  voc: number;
  /** Power temperature coefficient, per K (e.g. -0.0035). */
  gammaP: number;
  /** Voltage temperature coefficient, per K (e.g. -0.0028). */
  betaV: number;
  /** Nominal operating cell temperature, degC (for the module temperature estimate). */
  noct: number;
}

/** A typical 400 W mono-crystalline module. */
export const MODULE_400W: PvModuleSpec = { pmp: 400, vmp: 37.5, voc: 45.3, gammaP: -0.0035, betaV: -0.0028, noct: 45 };

export interface PvStringConfig {
  modules: number;
  module?: PvModuleSpec;
  /** MPPT settle time, seconds to reach 95 % of a new MPP (default 3 s). */
  mpptSettleS?: number;
}

export interface MppPoint {
  watts: number;
  volts: number;
  amps: number;
}

export class PvString {
  readonly module: PvModuleSpec;
  readonly modules: number;

  constructor(config: PvStringConfig) {
    if (!Number.isInteger(config.modules) || config.modules < 1) throw new ConfigError(`PV string: modules must be a positive integer, got ${config.modules}`);
    this.modules = config.modules;
    this.module = config.module ?? MODULE_400W;
  }

  /** Rated power at STC, W. */
  get ratedW(): number {
    return this.modules * this.module.pmp;
  }

  /** Module (cell) temperature estimated from ambient and irradiance with the NOCT model. */
  moduleTemperature(ambientC: number, irradiance: number): number {
    return ambientC + ((this.module.noct - 20) * irradiance) / 800;
  }

  /** The maximum power point at irradiance `g` W/m^2 and module temperature `tC`. */
  mpp(g: number, tC: number): MppPoint {
    if (!(g > 0)) return { watts: 0, volts: 0, amps: 0 };
    const m = this.module;
    const watts = Math.max(0, this.modules * m.pmp * (g / 1000) * (1 + m.gammaP * (tC - 25)));
    const volts = Math.max(0, this.modules * m.vmp * (1 + m.betaV * (tC - 25)) * (1 + 0.03 * Math.log(g / 1000)));
    return { watts, volts, amps: volts > 0 ? watts / volts : 0 };
  }

  /** Open-circuit voltage at temperature `tC` (0 in the dark). */
  openCircuitVoltage(g: number, tC: number): number {
    if (!(g > 0)) return 0;
    return this.modules * this.module.voc * (1 + this.module.betaV * (tC - 25)) * (1 + 0.02 * Math.log(Math.max(g, 1) / 1000));
  }
}
