/**
 * Declarative inverter faults. `Inverter.injectFault(spec)` returns a handle; `handle.clear()` ends the fault
 * (idempotent). Several faults may be active at once; grid faults that disagree resolve to the latest injected.
 */
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
  /** Commands are accepted on the wire (registers change) but have no effect. */
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
