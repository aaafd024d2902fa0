/**
 * The parameters of a bench BMS as written in a bench file (`params:`), and their schema. Which protocol takes which
 * protocol-only parameter is said by each protocol profile (profiles/registry.ts), not here.
 */
import type { AgingSegment } from './pack/aging';
import type { HeartbeatReaction, PackProfile } from './pack/profile-types';

/**
 * Device parameters as written in a bench file (all optional). Percentages are 0..100 (soc, soh); temperatures
 * degC; currents A (+ charge).
 */
export interface BmsParams {
  seed?: number;
  /** Initial SOC as the BMS reports it (string SOC), % (default: cells at 50 % mean). */
  soc?: number;
  /** State of health as reported, % of nameplate capacity (default the profile's); with `agingHistory`, the SOH before it. */
  soh?: number;
  /** Resistance relative to fresh (default the profile's). */
  resistanceFactor?: number;
  /** Ambient temperature, degC (default the profile's). */
  ambientC?: number;
  /** Initial module temperature, degC (default the ambient). */
  temperatureC?: number;
  /** Overrides of the profile's cell spread (second-life scatter). */
  spread?: Partial<PackProfile['spread']>;
  /**
   * Heartbeat watchdog: timeout, reaction, and whether it is armed before the first beat. Default: the protocol
   * variant's (what firmware speaking it does, e.g. 60 s for Pylontech LV, 180 s for SMA; see
   * docs/protocols/battery-can.md), or the pack profile's for sunspec-802. CI benches set a strict 3 s on purpose.
   */
  heartbeat?: { timeoutS?: number; reaction?: HeartbeatReaction; armAtStart?: boolean };
  /**
   * Protocol variant where public implementations disagree: sma-lv 'sma' (default) or 'sma-bigendian'; pylon-lv
   * 'pylon'; pylon-hv 'pylon' (default), 'pylon-discharge-positive' or 'battery-emulator'; renault-zoe 'ze40'
   * (default) or 'ze22' (the Gen1 battery generation).
   */
  variant?: string;
  /** 'pass' (default) or 'clamp' currents above the limits. */
  currentPolicy?: 'pass' | 'clamp';
  /** Close the contactors at power-up (default true). */
  autoClose?: boolean;
  /** Usage history to age the pack by at build. */
  agingHistory?: AgingSegment[];
  /** Protocol options: LV/HV manufacturer name, LV pack count, BMS name, Victron extensions, cycle, id offset, SunSpec. */
  manufacturer?: string;
  packCount?: number;
  bmsName?: string;
  extensions?: boolean;
  periodMs?: number;
  idOffset?: 0 | 1;
  sunspecBase?: 40000 | 0 | 50000;
  sunspecDetail?: boolean;
  /** Native Nissan Leaf: battery generation (ze0, aze0, ze1; default aze0). */
  generation?: 'ze0' | 'aze0' | 'ze1';
}

// Plausible bounds (docs/input-limits.md): the scenario temperature range, resistance up to 100x new, a century of
// aging history, cycle periods and watchdog timeouts of at most a day.
const num = { type: 'number', minimum: -60, maximum: 100 };
const pos = { type: 'number', exclusiveMinimum: 0, maximum: 100 };
const frac = { type: 'number', minimum: 0, maximum: 1 };
export const BMS_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: { type: 'integer' },
    soc: { type: 'number', minimum: 0, maximum: 100 },
    soh: { type: 'number', exclusiveMinimum: 0, maximum: 150 },
    resistanceFactor: pos,
    ambientC: { type: 'number', minimum: -60, maximum: 100 },
    temperatureC: { type: 'number', minimum: -60, maximum: 100 },
    spread: {
      type: 'object',
      additionalProperties: false,
      properties: {
        capacitySigma: { type: 'number', minimum: 0, maximum: 0.5 },
        resistanceSigma: { type: 'number', minimum: 0, maximum: 1 },
        selfDischargeSigma: { type: 'number', minimum: 0, maximum: 2 },
        weakCells: { type: 'integer', minimum: 0, maximum: 100_000 },
        weakCapacityFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1.5 },
        weakResistanceFactor: pos,
        weakSelfDischargeFactor: { type: 'number', minimum: 0, maximum: 100 },
        weakAgingFactor: pos,
        socSigma: { type: 'number', minimum: 0, maximum: 0.3 },
      },
    },
    heartbeat: {
      type: 'object',
      additionalProperties: false,
      properties: { timeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 }, reaction: { enum: ['open-contactors', 'zero-limits', 'none'] }, armAtStart: { type: 'boolean' } },
    },
    currentPolicy: { enum: ['pass', 'clamp'] },
    autoClose: { type: 'boolean' },
    agingHistory: {
      type: 'array',
      items: {
        type: 'object',
        required: ['days'],
        additionalProperties: false,
        properties: { days: { type: 'number', minimum: 0, maximum: 36_500 }, efc: { type: 'number', minimum: 0, maximum: 100_000 }, tempC: num, soc: frac, dod: frac, cRate: { type: 'number', minimum: 0, maximum: 100 } },
      },
    },
    manufacturer: { type: 'string', maxLength: 16, pattern: '^[\\x20-\\x7e]*$' },
    packCount: { type: 'integer', minimum: 0, maximum: 255 },
    bmsName: { type: 'string', maxLength: 16, pattern: '^[\\x20-\\x7e]*$' },
    extensions: { type: 'boolean' },
    periodMs: { type: 'number', exclusiveMinimum: 0, maximum: 86_400_000 },
    idOffset: { enum: [0, 1] },
    variant: { type: 'string' },
    sunspecBase: { enum: [40000, 0, 50000] },
    sunspecDetail: { type: 'boolean' },
    generation: { enum: ['ze0', 'aze0', 'ze1'] },
  },
} as const;

