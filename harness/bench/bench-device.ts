import type { CanBus } from '../../protocols/can/bus';
import type { DutyAgingResult, DutyProfile } from '../../emulators/bms/pack/duty';
import type { ModbusDevice } from '../../protocols/modbus/device';

/** A fault in force on a bench device; `clear()` is idempotent. */
export interface BenchFaultHandle {
  clear(): void;
}

/**
 * An emulated device as the runner drives it, whatever its kind (DESIGN.md "Device"). Adapters in
 * `device-factories.ts` wrap the emulators' own devices into this.
 *
 * Contract:
 * - `step(dt)` advances the model by `dt` seconds of simulated time; the runner calls it every plant step.
 * - `signal(name)` returns the current value of a named quantity (`soc`, `ac.power`, `alarm.overTemperature`...), or
 *   `undefined` if the name is unknown or has no value now. Never throws.
 * - `applyInitial` (before start) and `setInput` (stimuli, at any time) throw `ConfigError` for names or values the
 *   device does not take; `setInput` returns false for an unknown input so the runner can say which device refused.
 * - `injectFault(kind, params)` throws `ConfigError` naming what is wrong with the fault; the handle clears it.
 * - `close()` releases what the device holds (periodic tasks, bus listeners); idempotent.
 */
export interface BenchDevice {
  readonly name: string;
  readonly type: 'bms' | 'inverter';
  /** The Modbus face, for devices served on a Modbus endpoint. */
  readonly modbus?: ModbusDevice;
  /**
   * Devices that answer on several unit ids with their own layouts (a vendor map with `units`, e.g. Victron's
   * system service on 100 and vebus on 227): every unit id and its device. When present the bench serves these
   * instead of `modbus` on the device's single unit id.
   */
  readonly modbusUnits?: ReadonlyMap<number, ModbusDevice>;
  /** Seconds the device needs after a Modbus TCP connect before it answers (its endpoint stays quiet that long). */
  readonly connectDelayS?: number;
  /** Attach to a CAN bus (CAN protocol devices); returns a detach function. */
  attachCan?(bus: CanBus): () => void;
  step(dtSeconds: number): void;
  signal(name: string): number | boolean | undefined;
  /** Known signal names (for validation and `hil emulate`). */
  signalNames(): string[];
  /** Per-cell voltages as the BMS measures them, V (BMS only; for the dashboard's bar chart). */
  cellVoltages?(): readonly number[];
  applyInitial(values: Record<string, number | string | boolean>): void;
  setInput(name: string, value: number | string | boolean): boolean;
  /** Inputs `setInput` takes (for completion, messages and "did you mean"). */
  inputNames(): readonly string[];
  injectFault(kind: string, params: Record<string, unknown>): BenchFaultHandle;
  /** BMS devices: age the pack by `days` of `duty` at once (emulators/bms/pack/duty.ts); its state of charge stays. */
  ageUnderDuty?(duty: DutyProfile, days: number): DutyAgingResult;
  /** Fault kinds this device takes (for messages). */
  faultKinds(): readonly string[];
  /**
   * The scenario's t=0 is `nowMs` (clock time): restart what counts from the start of a scenario rather than from
   * the bench coming up (a BMS heartbeat watchdog armed at start and not fed yet starts its grace period here).
   */
  timeZero?(nowMs: number): void;
  /**
   * What the device has heard the controller say about itself on the bus, if anything: an inverter on a battery CAN
   * bus hears the BMS name frame that the controller (a translator, a BMS under test) sends. For the evidence
   * manifest; never throws.
   */
  heardIdentity?(): { bmsName?: string } | undefined;
  close(): void;
}
