/**
 * What a bench drives, whatever the device kind: the contract every device kind's bench adapter
 * (emulators/bms/bench-adapter.ts, emulators/inverter/bench-adapter.ts) fulfils. Declared here, below the harness,
 * so the adapters live beside their emulators; the harness only picks the adapter of a device's `type`.
 */
import type { Clock } from '../../core/clock';
import type { CanBus } from '../../protocols/can/bus';
import type { ModbusDevice } from '../../protocols/modbus/device';
import type { DutyAgingResult, DutyProfile } from '../bms/pack/duty';
import type { BatteryPort } from './battery-port';
import type { FaultRegistry } from './fault-registry';

/** A fault in force on a bench device; `clear()` is idempotent. */
export interface BenchFaultHandle {
  clear(): void;
}

/**
 * An emulated device as the runner drives it, whatever its kind (DESIGN.md "Device").
 *
 * Contract:
 * - `step(dt)` advances the model by `dt` seconds of simulated time; the runner calls it every plant step.
 * - `signal(name)` returns the current value of a named quantity (`soc`, `ac.power`, `alarm.overTemperature`...), or
 *   `undefined` if the name is unknown or has no value now. Never throws.
 * - `applyInitial` (before start) and `setInput` (stimuli, at any time) throw `ConfigError` for names or values the
 *   device does not take; `setInput` returns false for an unknown input so the runner can say which device refused.
 * - `injectFault(kind, params)` checks the spec with `faults` (the one validator) and throws `ConfigError` naming
 *   what is wrong; the handle clears it.
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
  /**
   * The power path this device lends an inverter's battery port (a BMS: voltage, limits, contactor, current). Its
   * "I am here" does not reach the BMS in-process: on a bench the BMS hears the controller over its protocol.
   */
  readonly batteryPort?: BatteryPort;
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
  /** The fault kinds this device takes, with their parameters (messages, completion, forms, docs). */
  readonly faults: FaultRegistry;
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

/** A device entry of a bench file, as an adapter needs it (the harness's `DeviceSpec` is one). */
export interface DeviceEntry {
  name: string;
  /** CAN bus and Modbus endpoint names it is on (checked against the bench by the harness). */
  can?: string;
  modbus?: string;
  /** inverter: the name of the bms device on its battery port. */
  battery?: string;
  /** bms: pack profile id or path. */
  pack?: string;
  /** bms: protocol profile name (emulators/bms/profiles/registry.ts). */
  protocol?: string;
  /** inverter: `sunspec`, a built-in brand map or a vendor map file. */
  map?: string;
  /** inverter: hear the battery over a battery-to-inverter CAN protocol. */
  batteryCan?: { bus: string; protocol: string; variant?: string };
  params?: Record<string, unknown>;
}

/** What an adapter gets besides the entry. */
export interface DeviceContext {
  clock: Clock;
  /** The scenario's seed (a device's own `params.seed` wins). */
  seed: number;
  /** Directory the bench file is in: relative pack and map paths resolve against it. */
  baseDir: string;
  /** The battery port of the bench device named in `battery:`, for an inverter. */
  battery?: BatteryPort;
}

/** One device kind's bench adapter: builds the bench device of an entry. Throws `ConfigError` naming the problem. */
export type BenchDeviceAdapter = (entry: DeviceEntry, ctx: DeviceContext) => BenchDevice;

/** Where an entry check reports: paths are JSON pointers below the entry (`''` the entry itself, `/params/soc`). */
export interface EntryProblems {
  /** A problem at `path`; `key`: at the key rather than its value (a key that should not be there). */
  add(path: string, message: string, key?: boolean): void;
  /** Run `fn`; a `ConfigError` it throws is a problem at `path` (or at the file position it carries). */
  attempt<T>(fn: () => T, path: string): T | undefined;
}

/**
 * A device kind as a bench sees it: the same shape for every kind. `check` finds what is wrong with an entry
 * without opening anything (files are read: packs, maps), every problem reported; `create` builds the device.
 */
export interface DeviceKind {
  readonly type: 'bms' | 'inverter';
  check(entry: DeviceEntry, baseDir: string, problems: EntryProblems): void;
  create: BenchDeviceAdapter;
}
