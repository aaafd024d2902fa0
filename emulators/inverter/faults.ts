/**
 * Declarative inverter faults. `Inverter.injectFault(spec)` returns a handle; `handle.clear()` ends the fault
 * (idempotent). Several faults may be active at once; grid faults that disagree resolve to the latest injected.
 */
import { EVT } from './grid-protection';
import type { EvtName } from './grid-protection';
import { FaultRegistry } from '../common/fault-registry';

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

/**
 * The inverter fault kinds, declared once with their parameters (typed by `InverterFaultKind`: a kind added to the
 * union and missing here does not compile). Bounds as the scenario stimuli (harness/scenario/stimulus-limits.ts):
 * low-voltage AC ends at 1000 V (IEC 60038).
 */
export const INVERTER_FAULTS = new FaultRegistry<InverterFaultKind>('inverter', {
  'grid-loss': { description: 'the grid disappears (0 V, 0 Hz): anti-islanding trip within the trip delay, reconnect delay after clear' },
  'grid-voltage': { description: 'grid voltage held (phase-to-neutral): over/under-voltage trip when out of band', params: { volts: { type: 'number', minimum: 0, maximum: 1000, required: true, unit: 'V', description: 'grid voltage' } } },
  'grid-frequency': { description: 'grid frequency held: over/under-frequency trip when out of band', params: { hz: { type: 'number', minimum: 0, maximum: 100, required: true, unit: 'Hz', description: 'grid frequency' } } },
  'anti-islanding': { description: 'the anti-islanding detector fires although the grid looks healthy' },
  'fault-code': {
    description: 'an internal fault: state FAULT, the named Evt1 bits set, an optional vendor code in EvtVnd1, output 0',
    params: {
      events: { type: 'array', minItems: 1, items: { enum: EVT_NAMES }, required: true, description: 'SunSpec Evt1 event names' },
      vendorCode: { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'vendor event code (EvtVnd1)' },
    },
  },
  'over-temperature': { description: 'heat sink held: derates above the derate start, trips OVER_TEMP above the trip point', params: { heatsinkC: { type: 'number', minimum: -60, maximum: 300, required: true, unit: 'degC', description: 'heat sink temperature' } } },
  'battery-comms-loss': { description: 'the inverter loses its link to the BMS: no heartbeats, and it stops using the battery' },
  'ignore-commands': { description: 'commands are acknowledged on the wire but have no effect' },
  'slow-commands': { description: 'commands take effect late', params: { delayS: { type: 'number', minimum: 0, maximum: 86_400, required: true, unit: 's', description: 'delay before a written command takes effect' } } },
});

/** The package API of before the registry, derived from it: the JSON Schema of a spec, and the kinds. */
export const INVERTER_FAULT_SCHEMA: { oneOf: object[] } = INVERTER_FAULTS.schema();
export const INVERTER_FAULT_KINDS: readonly InverterFaultKind[] = INVERTER_FAULTS.kinds;
