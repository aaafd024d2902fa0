/**
 * The fault kinds a scenario may inject into a bench BMS, declared once with their parameters: the device's kinds
 * (device/fault-spec.ts) plus 'frozen-data', the bench name of the device's 'stale-data' (the profiles keep sending
 * the values frozen at injection). 'comms-loss' silences every profile (CAN cycles and answers, SunSpec answers
 * 0x0B). `BMS_FAULTS` is typed by `BmsFaultKind`: a kind the device gains and this file lacks does not compile.
 */
import { FaultRegistry, type FaultParamDecl } from '../common/fault-registry';
import type { FaultSpec } from './device/fault-spec';
import { emptySnapshot } from './device/snapshot';

/** What `BmsBenchDevice.injectFault` takes. */
export type BmsFaultSpec = FaultSpec | { kind: 'frozen-data' };
export type BmsFaultKind = BmsFaultSpec['kind'];

/** Numeric snapshot fields a 'wrong-value' fault may corrupt. */
export const WRONG_VALUE_FIELDS: readonly string[] = Object.entries(emptySnapshot())
  .filter(([, v]) => typeof v === 'number')
  .map(([k]) => k);

// Plausible bounds, so a scenario cannot ask for 1e308 W (docs/input-limits.md): indexes are checked against the
// pack by the device; heat up to 1 MW per module (a battery fire releases hundreds of kW); currents and offsets
// within the bench's +-5000 A stimulus range; sensor values and factors far beyond any reading.
const index = (description: string, required = false): FaultParamDecl => ({ type: 'integer', minimum: 0, maximum: 100_000, description, ...(required ? { required } : {}) });
const num = (description: string, unit?: string, required = false): FaultParamDecl => ({ type: 'number', minimum: -1e6, maximum: 1e6, description, ...(unit ? { unit } : {}), ...(required ? { required } : {}) });
const watts = (description: string): FaultParamDecl => ({ ...num(description, 'W', true) });
const SENSORS = ['cell-voltage', 'temperature', 'current', 'pack-voltage'] as const;
const sensor: FaultParamDecl = { type: 'string', enum: SENSORS, required: true, description: 'which sensor kind' };
const sensorIndex = index('which sensor of that kind (cell for cell-voltage, module for temperature); omitted: every one');
const cellOrAll = index('one series element (0-based); omitted: every one');

export const BMS_FAULTS = new FaultRegistry<BmsFaultKind>('bms', {
  'cell-drift': {
    description: 'one element drifts: an internal leak (down) or charge injection (up)',
    params: {
      cell: index('the drifting series element (0-based)', true),
      direction: { type: 'string', enum: ['up', 'down'], required: true, description: 'up: charge injection, down: internal leak' },
      socPerHour: { type: 'number', minimum: 0, maximum: 100, required: true, unit: '1/h', description: 'fraction of its capacity per hour' },
    },
  },
  'sensor-stuck': { description: 'a sensor holds a value', params: { sensor, index: sensorIndex, value: num('the held reading (default: the reading at injection)') } },
  'sensor-offset': { description: 'a sensor reads off by a constant', params: { sensor, index: sensorIndex, offset: num('added to the reading', undefined, true) } },
  'sensor-noise': { description: 'a sensor reads with Gaussian noise', params: { sensor, index: sensorIndex, sigma: { type: 'number', minimum: 0, maximum: 1e6, required: true, description: 'standard deviation, in the sensor unit' } } },
  'open-wire': {
    description: 'a broken sense wire: a cell voltage reads 0 (a neighbour reads both), a temperature reads -55 degC',
    params: { sensor: { type: 'string', enum: ['cell-voltage', 'temperature'], required: true, description: 'which sensor kind' }, index: index('the cell or module', true) },
  },
  'external-heat': { description: 'external heat into a module (hot spot, failed cooling)', params: { module: index('the thermal module (0-based)', true), watts: watts('heat into the module') } },
  'self-heating': {
    description: 'thermal-runaway precursor: an element heats itself, doubling every doublingK kelvin above its temperature at injection',
    params: {
      cell: index('the series element (0-based)', true),
      watts: watts('heat at the temperature of injection'),
      doublingK: { type: 'number', exclusiveMinimum: 0, maximum: 1000, unit: 'K', default: 10, description: 'temperature rise that doubles the heat' },
      maxWatts: { type: 'number', minimum: 0, maximum: 1e6, unit: 'W', default: 5000, description: 'cap of the heat' },
    },
  },
  overcurrent: { description: 'the load draws more than commanded, past any clamping', params: { extraA: { type: 'number', minimum: -5000, maximum: 5000, required: true, unit: 'A', description: 'extra current (+ charge, - discharge)' } } },
  insulation: { description: 'the insulation resistance drops', params: { kOhm: { type: 'number', minimum: 0, maximum: 1e7, required: true, unit: 'kOhm', description: 'insulation resistance' } } },
  'contactor-welded': { description: 'the contactors stay closed when told to open' },
  'contactor-fails-to-close': { description: 'the contactors stay open when told to close' },
  'internal-fault': { description: 'the BMS reports an internal fault' },
  'internal-comms': { description: 'the BMS loses its internal communication (slave boards)' },
  'comms-loss': { description: 'every protocol profile stops sending and answering' },
  'stale-data': { description: 'what the BMS reports freezes at injection (every field, counters included)' },
  'frozen-data': { description: "the bench name of 'stale-data': the profiles keep sending the values frozen at injection" },
  'frozen-counters': { description: 'only the counters freeze' },
  'wrong-value': {
    description: 'a published field is wrong: value * factor + offset (a scale error)',
    params: { field: { type: 'string', enum: WRONG_VALUE_FIELDS, required: true, description: 'a numeric snapshot field' }, factor: num('multiplies the value (default 1)'), offset: num('added to the value (default 0)') },
  },
  'soh-step': { description: 'the capacity of one element (or all) is multiplied by factor', params: { factor: { type: 'number', exclusiveMinimum: 0, maximum: 10, required: true, description: 'capacity factor' }, cell: cellOrAll } },
  'resistance-step': { description: 'the resistance of one element (or all) is multiplied by factor', params: { factor: { type: 'number', exclusiveMinimum: 0, maximum: 1000, required: true, description: 'resistance factor' }, cell: cellOrAll } },
});

/** The device's spec for a bench spec ('frozen-data' -> 'stale-data'). */
export function toDeviceFault(spec: BmsFaultSpec): FaultSpec {
  return spec.kind === 'frozen-data' ? { kind: 'stale-data' } : spec;
}
