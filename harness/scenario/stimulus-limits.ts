/**
 * What a scenario may set a stimulus or an initial condition to: the physically plausible range of each input,
 * checked when the file is loaded (before any bench exists), so `pack1.current: 1e308` is refused with its
 * `file:line:column` instead of turning the plant into NaN. The names are those of the bench devices' inputs
 * (harness/bench: a BMS takes `current` and `ambient`, an inverter `irradiance`, `ambient`, `grid.voltage`,
 * `grid.frequency`, `dc.switch`); a name not listed here is left to the bench check. Each range is wider than any
 * real site and says why; docs/input-limits.md lists them.
 */
export interface PlausibleRange {
  min: number;
  max: number;
  unit: string;
  why: string;
}

const AMBIENT: PlausibleRange = {
  min: -60,
  max: 100,
  unit: 'degC',
  why: 'beyond the coldest and hottest air on record, -67.7 and 56.7 degC; the BMS model range',
};

/** Stimuli (`set:`, `ramp:`), by input name (the part after `<device>.`). */
export const STIMULUS_RANGES: Readonly<Record<string, PlausibleRange>> = {
  ambient: AMBIENT,
  current: {
    min: -5000,
    max: 5000,
    unit: 'A',
    why: 'about 4x the 1,200 A peak of a whole Tesla Model S pack, the largest in data/packs (PACKS.md)',
  },
  irradiance: {
    min: 0,
    max: 2000,
    unit: 'W/m2',
    why: 'above the atmosphere it is 1361 W/m2; cloud-edge enhancement on the ground stays below 2000',
  },
  'grid.voltage': {
    min: 0,
    max: 1000,
    unit: 'V',
    why: 'low-voltage AC, where these inverters connect, ends at 1000 V (IEC 60038)',
  },
  'grid.frequency': {
    min: 0,
    max: 100,
    unit: 'Hz',
    why: 'grids run at 50 or 60 Hz and inverters trip a few Hz away (IEEE 1547, EN 50549)',
  },
  'dc.switch': { min: 0, max: 1, unit: '', why: 'the DC isolator is open (0) or closed (1)' },
};

/** Initial conditions (`initial.devices.<name>`), by key. */
export const INITIAL_RANGES: Readonly<Record<string, PlausibleRange>> = {
  ...STIMULUS_RANGES,
  ambientC: AMBIENT,
  temperature: { ...AMBIENT, why: 'cell temperature: the BMS model range, wider than any cell datasheet' },
  temperatureC: { ...AMBIENT, why: 'cell temperature: the BMS model range, wider than any cell datasheet' },
  soc: { min: 0, max: 100, unit: '%', why: 'state of charge is a percentage' },
  soh: { min: 0, max: 150, unit: '%', why: 'state of health, % of nameplate; the BMS model allows up to 150 %' },
  resistanceFactor: { min: 0, max: 100, unit: 'x', why: 'resistance relative to new; second-life packs reach 2-3x' },
};

/** The range of an input in `table`: `ambient`, or `<device>.<input>` (`inv1.grid.voltage` finds `grid.voltage`). */
export function rangeOf(table: Readonly<Record<string, PlausibleRange>>, key: string, withDevice: boolean): PlausibleRange | undefined {
  const dot = key.indexOf('.');
  const input = withDevice && dot > 0 ? key.slice(dot + 1) : key;
  return Object.prototype.hasOwnProperty.call(table, input) ? table[input] : undefined;
}

/** Undefined if `value` is in range (or not a number), else why not. */
export function outOfRange(name: string, value: unknown, range: PlausibleRange | undefined): string | undefined {
  if (range === undefined || typeof value !== 'number') return undefined;
  if (!Number.isFinite(value)) return `${name} must be a finite number, got ${String(value)}`;
  if (value >= range.min && value <= range.max) return undefined;
  return `${name} ${value} ${range.unit} is not physically plausible: expected ${range.min}..${range.max} ${range.unit} (${range.why})`.replace(/ {2}/g, ' ');
}
