/**
 * Declarative inverter faults. `Inverter.injectFault(spec)` returns a handle; `handle.clear()` ends the fault
 * (idempotent). Several faults may be active at once; grid faults that disagree resolve to the latest injected.
 */
import { EVT } from './grid-protection';
import type { EvtName } from './grid-protection';

export type InverterFaultSpec =
  /** The grid disappears (0 V, 0 Hz): anti-islanding trip within the trip delay, reconnect delay after clear. */
  | { kind: 'grid-loss' }
  /** Grid voltage held at `volts` (phase-to-neutral): over/under-voltage trip when out of band. */
  | { kind: 'grid-voltage'; volts: number }
  /** Grid frequency held at `hz`: over/under-frequency trip when out of band. */
  | { kind: 'grid-frequency'; hz: number }
  /** The anti-islanding detector fires although the grid looks healthy (e.g. a shift-based detector misfiring). */
  | { kind: 'anti-islanding' }
  /** An internal fault: state FAULT, the named Evt1 bits set, optional vendor code in EvtVnd1, output 0. */
  | { kind: 'fault-code'; events: EvtName[]; vendorCode?: number }
  /** Heat sink held at `heatsinkC`: derates linearly above the derate start, trips OVER_TEMP above the trip point. */
  | { kind: 'over-temperature'; heatsinkC: number }
  /** The inverter loses its link to the BMS: no heartbeats, and it stops using the battery (0 A) as hybrids do. */
  | { kind: 'battery-comms-loss' }
  /** Commands are acknowledged on the wire but have no effect: the read-back keeps the values in force (sunspec-map). */
  | { kind: 'ignore-commands' }
  /** Commands take effect `delayS` seconds after they are written. */
  | { kind: 'slow-commands'; delayS: number };

export type InverterFaultKind = InverterFaultSpec['kind'];

/** A fault in force. */
export interface FaultHandle {
  readonly id: number;
  readonly spec: Readonly<InverterFaultSpec>;
  /** True until `clear()`. */
  readonly active: boolean;
  /** End the fault. Idempotent. The model recovers as a real device would (e.g. reconnect delay after a trip). */
  clear(): void;
}

const EVT_NAMES = Object.keys(EVT);

const only = (kind: string, props: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...props },
});

/**
 * JSON schema of `InverterFaultSpec`, for scenario files: a loader can check fault steps before anything starts
 * (`oneOf` by kind). Kept beside the type so the two change together.
 */
export const INVERTER_FAULT_SCHEMA = {
  oneOf: [
    only('grid-loss'),
    // Bounds as the scenario stimuli (harness/scenario/stimulus-limits.ts): low-voltage AC ends at 1000 V (IEC 60038).
    only('grid-voltage', { volts: { type: 'number', minimum: 0, maximum: 1000 } }, ['volts']),
    only('grid-frequency', { hz: { type: 'number', minimum: 0, maximum: 100 } }, ['hz']),
    only('anti-islanding'),
    only('fault-code', { events: { type: 'array', minItems: 1, items: { enum: EVT_NAMES } }, vendorCode: { type: 'integer', minimum: 0, maximum: 0xffffffff } }, ['events']),
    only('over-temperature', { heatsinkC: { type: 'number', minimum: -60, maximum: 300 } }, ['heatsinkC']),
    only('battery-comms-loss'),
    only('ignore-commands'),
    only('slow-commands', { delayS: { type: 'number', minimum: 0, maximum: 86_400 } }, ['delayS']),
  ],
} as const;

/** Fault kinds, for error messages and tooling. */
export const INVERTER_FAULT_KINDS: readonly InverterFaultKind[] = [
  'grid-loss',
  'grid-voltage',
  'grid-frequency',
  'anti-islanding',
  'fault-code',
  'over-temperature',
  'battery-comms-loss',
  'ignore-commands',
  'slow-commands',
];
