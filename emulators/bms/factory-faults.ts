/**
 * The BMS fault kinds a scenario may inject into a bench BMS, as a JSON schema (like INVERTER_FAULT_SCHEMA): the
 * device's kinds (device/fault-spec.ts) plus 'frozen-data', the bench name of the device's 'stale-data' (the
 * profiles keep sending the values frozen at injection). 'comms-loss' silences every profile (CAN cycles and
 * answers, SunSpec answers 0x0B). Kept beside the factory so that it changes with it; a test checks it against the
 * kinds the device knows.
 */
import type { FaultSpec } from './device/fault-spec';
import { emptySnapshot } from './device/snapshot';

/** What `BmsBenchDevice.injectFault` takes. */
export type BmsFaultSpec = FaultSpec | { kind: 'frozen-data' };
export type BmsFaultKind = BmsFaultSpec['kind'];

// Plausible bounds, so a scenario cannot ask for 1e308 W (docs/input-limits.md): indexes are checked against the
// pack by the device; heat up to 1 MW per module (a battery fire releases hundreds of kW); currents and offsets
// within the bench's +-5000 A stimulus range; sensor values and factors far beyond any reading.
const idx = { type: 'integer', minimum: 0, maximum: 100_000 };
const num = { type: 'number', minimum: -1e6, maximum: 1e6 };
const watts = { type: 'number', minimum: -1e6, maximum: 1e6 };
const sensor = { enum: ['cell-voltage', 'temperature', 'current', 'pack-voltage'] };
const only = (kind: string, props: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...props },
});

/** Numeric snapshot fields a 'wrong-value' fault may corrupt. */
export const WRONG_VALUE_FIELDS: readonly string[] = Object.entries(emptySnapshot())
  .filter(([, v]) => typeof v === 'number')
  .map(([k]) => k);

export const BMS_FAULT_SCHEMA = {
  oneOf: [
    only('cell-drift', { cell: idx, direction: { enum: ['up', 'down'] }, socPerHour: { type: 'number', minimum: 0, maximum: 100 } }, ['cell', 'direction', 'socPerHour']),
    only('sensor-stuck', { sensor, index: idx, value: num }, ['sensor']),
    only('sensor-offset', { sensor, index: idx, offset: num }, ['sensor', 'offset']),
    only('sensor-noise', { sensor, index: idx, sigma: { type: 'number', minimum: 0, maximum: 1e6 } }, ['sensor', 'sigma']),
    only('open-wire', { sensor: { enum: ['cell-voltage', 'temperature'] }, index: idx }, ['sensor', 'index']),
    only('external-heat', { module: idx, watts }, ['module', 'watts']),
    only('self-heating', { cell: idx, watts, doublingK: { type: 'number', exclusiveMinimum: 0, maximum: 1000 }, maxWatts: { type: 'number', minimum: 0, maximum: 1e6 } }, ['cell', 'watts']),
    only('overcurrent', { extraA: { type: 'number', minimum: -5000, maximum: 5000 } }, ['extraA']),
    only('insulation', { kOhm: { type: 'number', minimum: 0, maximum: 1e7 } }, ['kOhm']),
    only('contactor-welded'),
    only('contactor-fails-to-close'),
    only('internal-fault'),
    only('internal-comms'),
    only('comms-loss'),
    only('stale-data'),
    only('frozen-data'),
    only('frozen-counters'),
    only('wrong-value', { field: { enum: WRONG_VALUE_FIELDS }, factor: num, offset: num }, ['field']),
    only('soh-step', { factor: { type: 'number', exclusiveMinimum: 0, maximum: 10 }, cell: idx }, ['factor']),
    only('resistance-step', { factor: { type: 'number', exclusiveMinimum: 0, maximum: 1000 }, cell: idx }, ['factor']),
  ],
} as const;

/** Fault kinds, for error messages and tooling. */
export const BMS_FAULT_KINDS: readonly BmsFaultKind[] = BMS_FAULT_SCHEMA.oneOf.map((s) => s.properties.kind.const as BmsFaultKind);

/** The device's spec for a bench spec ('frozen-data' -> 'stale-data'). */
export function toDeviceFault(spec: BmsFaultSpec): FaultSpec {
  return spec.kind === 'frozen-data' ? { kind: 'stale-data' } : spec;
}
