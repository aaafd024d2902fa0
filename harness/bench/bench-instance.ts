import { dirname } from 'node:path';
import type { Clock } from '../../core/clock';
import type { ByteBudget } from '../../core/budget/byte-budget';
import { ConfigError, OperationError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import type { InProcessMaster } from '../../protocols/modbus/in-process-master';
import type { BenchDevice, BenchFaultHandle } from './bench-device';
import { dutyProfile } from '../../emulators/bms/pack/duty';
import { CanMedia, type BenchCanBus } from './can-media';
import { createBenchDevice } from './device-factories';
import { EvidenceRecorder, epochSeconds } from './evidence-recorder';
import { faultKindProblem } from './fault-catalog';
import { MODBUS_FAULTS, modbusFaultRule } from './modbus-faults';
import { ConnectionGate } from '../../protocols/net/connection-gate';
import { ModbusEndpoints, type BenchModbus } from './modbus-endpoints';
import type { Bench } from './load-bench';
import { SignalNamespace } from './signal-namespace';

export { CONTROLLER_RX_QUEUE, type BenchCanBus } from './can-media';
export type { BenchModbus } from './modbus-endpoints';

/** A fault in force on a running bench (`hil emulate`'s `faults`). */
export interface ActiveFault {
  id: string;
  device: string;
  kind: string;
  params: Record<string, unknown>;
  /** Clock time it was injected. */
  since: number;
}

/** Options for bringing a bench up. */
export interface BenchInstanceOptions {
  clock: Clock;
  mode: 'real' | 'virtual';
  /** Seed for devices and fault PRNGs. */
  seed: number;
  /**
   * Write the full evidence here: CAN traces (`<bus>.log.gz`, candump, gzip) and every Modbus transaction
   * (`modbus-<endpoint>.jsonl.gz`, one JSON line per request with its reply).
   */
  traceDir?: string;
  /** Trace files: `gzip` (default) `<bus>.log.gz`, `plain` `<bus>.log`; `pcap` adds `<bus>.pcap.gz`. */
  traceFormat?: { compress?: boolean; pcap?: boolean };
  /** The run's evidence budget: when spent, tracing stops (a note in `traceNotes`), nothing else does. */
  traceBudget?: ByteBudget;
  /** One line per notable event (drops, closes). */
  log?: (line: string) => void;
  /**
   * true: open the real media, listen on the network, open serial ports (real-time runs, `hil emulate`).
   * false: a dry bench - hubs not listening, real CAN media replaced by private virtual channels, RTU lines not
   * opened - for checking scenarios and for in-process controllers in virtual time.
   */
  serveNetwork: boolean;
  /**
   * The controller runs in lock step (docs/lockstep.md): hubs send frames right after raw mode instead of holding
   * them for a wall-clock moment, so every byte goes out at a simulated instant the run decides.
   */
  lockstep?: boolean;
}

/**
 * A bench brought up for one scenario: a composition of its parts, each with one job.
 * - {@link CanMedia}: the CAN buses (media or hubs, SLCAN adapters, DBC decoding, traces), controller bus handles;
 * - {@link ModbusEndpoints}: the Modbus servers, the devices at each unit id, what the endpoints saw;
 * - {@link EvidenceRecorder}: the timeline (t=0), evidence notes, transaction logs, recent frames and writes;
 * - {@link SignalNamespace}: the signal names scenarios read, parsed once;
 * - the devices themselves and the faults in force (here).
 * `close()` releases everything and never throws.
 */
export class BenchInstance {
  readonly devices = new Map<string, BenchDevice>();
  readonly media: CanMedia;
  readonly endpoints: ModbusEndpoints;
  readonly evidence: EvidenceRecorder;
  readonly signals: SignalNamespace;
  /** Lock step only (`options.lockstep`): holds what the hubs and Modbus servers write to the controller until its turn. */
  readonly gate: ConnectionGate | undefined;
  private readonly deviceFaults = new Map<string, { handle: BenchFaultHandle; info: ActiveFault }>();
  private readonly detachers: Array<() => void> = [];
  private closed = false;
  private zeroMarked = false;

  private constructor(
    readonly bench: Bench,
    private readonly options: BenchInstanceOptions,
  ) {
    this.evidence = new EvidenceRecorder({
      clock: options.clock,
      ...(options.traceDir !== undefined ? { traceDir: options.traceDir } : {}),
      ...(options.traceFormat ? { traceFormat: options.traceFormat } : {}),
      ...(options.traceBudget ? { traceBudget: options.traceBudget } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const log = options.log ? { log: options.log } : {};
    this.gate = options.lockstep ? new ConnectionGate() : undefined;
    const gate = this.gate ? { gate: this.gate } : {};
    this.media = new CanMedia(bench, { clock: options.clock, mode: options.mode, serveNetwork: options.serveNetwork, ...log, ...gate }, this.evidence);
    this.endpoints = new ModbusEndpoints(bench, { clock: options.clock, seed: options.seed, serveNetwork: options.serveNetwork, ...log, ...gate }, this.evidence);
    this.signals = new SignalNamespace({
      clock: options.clock,
      devices: this.devices,
      can: this.media.buses,
      modbus: this.endpoints.endpoints,
      timeZeroMs: () => this.evidence.timeZeroMs,
    });
  }

  /** Bring a bench up. On failure everything opened so far is closed and the error is rethrown. */
  static async start(bench: Bench, options: BenchInstanceOptions): Promise<BenchInstance> {
    const inst = new BenchInstance(bench, options);
    try {
      await inst.media.open();
      await inst.endpoints.open();
      await inst.createDevices();
    } catch (err) {
      await inst.close();
      throw err;
    }
    return inst;
  }

  private get clock(): Clock {
    return this.options.clock;
  }

  /** The CAN buses by name. */
  get can(): ReadonlyMap<string, BenchCanBus> {
    return this.media.buses;
  }

  /** The Modbus endpoints by name. */
  get modbus(): ReadonlyMap<string, BenchModbus> {
    return this.endpoints.endpoints;
  }

  /** Clock time the bench came up. */
  get startMs(): number {
    return this.evidence.startMs;
  }

  /** Notes about the evidence (a trace stopped by the budget or a write failure), for the result's events. */
  get traceNotes(): readonly string[] {
    return this.evidence.notes;
  }

  /**
   * Clock time of the scenario's t=0 (the runner sets it with {@link markTimeZero} when the timeline starts); until
   * then, the moment the bench came up. The signal `t` and the times in the evidence (`recentFrames`,
   * `recentWrites`) count from it; things that happened before it get negative times.
   */
  get timeZeroMs(): number {
    return this.evidence.timeZeroMs;
  }

  /**
   * The scenario's t=0 is now: times count from here, every CAN trace gets a `# hil t=0 ...` comment line at this
   * point (with the epoch and ISO time), and devices restart what a scenario's start restarts (a BMS heartbeat
   * watchdog armed at start gives the controller its full grace period from t=0). Call once; returns the clock
   * time of t=0.
   */
  markTimeZero(label: string): number {
    if (this.zeroMarked) throw new OperationError('markTimeZero: t=0 is already set for this bench instance');
    this.zeroMarked = true;
    const origin = this.clock.now();
    this.evidence.setTimeZero(origin);
    for (const d of this.devices.values()) d.timeZero?.(origin);
    this.media.commentTraces(`hil t=0 ${epochSeconds(origin)} ${new Date(origin).toISOString()} scenario ${label}`);
    return origin;
  }

  private async createDevices(): Promise<void> {
    const specs = [...this.bench.file.devices].sort((a, b) => (a.type === b.type ? 0 : a.type === 'bms' ? -1 : 1));
    for (const spec of specs) {
      const battery = spec.battery ? this.devices.get(spec.battery) : undefined;
      let dev: BenchDevice;
      try {
        dev = createBenchDevice(spec, {
          clock: this.clock,
          seed: this.options.seed,
          baseDir: dirname(this.bench.source),
          ...(battery ? { battery } : {}),
        });
      } catch (err) {
        if (err instanceof ConfigError && !err.location) throw new ConfigError(err.message, this.bench.where.device[spec.name]);
        throw err;
      }
      this.devices.set(spec.name, dev);
      if (spec.can) {
        if (!dev.attachCan) throw new ConfigError(`device '${spec.name}' does not speak CAN (protocol ${spec.protocol ?? '?'})`, this.bench.where.device[spec.name]);
        this.detachers.push(dev.attachCan(this.can.get(spec.can)!.handle));
      }
      if (spec.batteryCan) this.detachers.push(dev.attachCan!(this.can.get(spec.batteryCan.bus)!.handle));
      if (spec.modbus) {
        if (!dev.modbus) throw new ConfigError(`device '${spec.name}' has no Modbus face (protocol ${spec.protocol ?? '?'})`, this.bench.where.device[spec.name]);
        if (dev.modbusUnits) for (const [id, unit] of dev.modbusUnits) this.endpoints.addUnit(spec.modbus, id, unit);
        else this.endpoints.addUnit(spec.modbus, spec.unitId ?? 1, dev.modbus);
        if (dev.connectDelayS) this.endpoints.quietAfterConnect(spec.modbus, dev.connectDelayS);
      }
    }
  }

  /**
   * A count that rises whenever someone other than the emulated devices acts on the bench: CAN frames received that
   * the bench did not send itself, command lines on an emulated SLCAN adapter, Modbus requests on any endpoint. Flat
   * while the controller is silent (hang detection reads it; the absolute value means nothing).
   */
  foreignActivity(): number {
    return this.media.foreignActivity() + this.endpoints.requests();
  }

  /** Whether the controller has reached the bench yet: sent a CAN frame on any bus, or opened a Modbus TCP connection (sent an RTU request). */
  controllerReached(how: 'first-frame' | 'first-modbus-connection'): boolean {
    return how === 'first-frame' ? this.media.reached() : this.endpoints.reached();
  }

  /** Values substituted into the DUT command: `${can.<bus>.url}`, `${modbus.<ep>.port}`... */
  substitutions(): Record<string, string> {
    const out: Record<string, string> = {};
    this.media.substitutions(out);
    this.endpoints.substitutions(out);
    return out;
  }

  /**
   * What an in-process controller gets: one fresh bus handle per BMS on CAN (the controller's own view of that bus),
   * one in-process Modbus master per Modbus inverter, and one bus handle per battery-CAN inverter (`inverterBuses`:
   * the bus a translator serves the inverter on). Each bus handle's receive queue (`recv`) keeps at most the
   * newest {@link CONTROLLER_RX_QUEUE} frames (older ones dropped and counted in `stats.rxOverflow`), so a
   * controller that only listens (`onFrame`) does not hold every frame of a long run.
   */
  controllerIO(): {
    packs: Array<{ name: string; bus: CanBus }>;
    inverters: Array<{ name: string; master: InProcessMaster; unitId: number; pack?: string; map?: string }>;
    inverterBuses: Array<{ name: string; bus: CanBus }>;
  } {
    const packs = this.bench.file.devices.filter((d) => d.type === 'bms' && d.can).map((d) => ({ name: d.name, bus: this.media.controllerBus(d.can!) }));
    const inverterBuses = this.bench.file.devices
      .filter((d) => d.batteryCan)
      .map((d) => ({ name: d.name, bus: this.media.controllerBus(d.batteryCan!.bus) }));
    const inverters = this.bench.file.devices
      .filter((d) => d.type === 'inverter' && d.modbus !== undefined)
      .map((d) => ({
        name: d.name,
        master: this.endpoints.controllerMaster(d.modbus!, d.unitId ?? 1),
        unitId: d.unitId ?? 1,
        ...(d.battery ? { pack: d.battery } : {}),
        // A built-in vendor map's name tells an in-process controller which brand it talks to.
        ...(d.map !== undefined && d.map !== 'sunspec' && !/[./\\]/.test(d.map) ? { map: d.map } : {}),
      }));
    return { packs, inverters, inverterBuses };
  }

  /** Advance every device by `dt` seconds (BMS first: inverters read their battery port). */
  step(dtSeconds: number): void {
    for (const d of this.devices.values()) d.step(dtSeconds);
  }

  /** A signal's value now (see {@link SignalNamespace} for the names); undefined for an unknown name. */
  signal(name: string): number | boolean | undefined {
    return this.signals.signal(name);
  }

  /** Whether a signal name refers to something on this bench (for checking scenarios before a run). */
  knowsSignal(name: string): boolean {
    return this.signals.knowsSignal(name);
  }

  /** Every signal name this bench offers (for completion and listings). */
  signalNames(): string[] {
    return this.signals.signalNames();
  }

  /** Scenario stimulus: `ambient` (every device), or `<device>.<input>`. */
  setInput(key: string, value: number | string | boolean, where: string): void {
    if (key === 'ambient') {
      for (const d of this.devices.values()) d.setInput('ambient', value);
      return;
    }
    const dot = key.indexOf('.');
    const dev = dot > 0 ? this.devices.get(key.slice(0, dot)) : undefined;
    if (!dev) throw new ConfigError(`'${key}': no device '${key.slice(0, Math.max(0, dot))}' on this bench (have: ${[...this.devices.keys()].join(', ')})`, where);
    if (!dev.setInput(key.slice(dot + 1), value)) throw new ConfigError(`device '${dev.name}' has no input '${key.slice(dot + 1)}'`, where);
  }

  /**
   * Age BMS packs by `days` of the duty profile `dutyName` at once (scenario step `age`); `devices` default: every
   * BMS. Throws `ConfigError` (at `where`) for an unknown duty, a device that is not on the bench or not a BMS.
   * Returns one line per device for the event log.
   */
  agePacks(days: number, dutyName: string, devices: readonly string[] | undefined, where: string): string[] {
    const duty = dutyProfile(dutyName, where);
    const targets = devices
      ? devices.map((n) => {
          const d = this.devices.get(n);
          if (!d) throw new ConfigError(`age: no device '${n}' on this bench (have: ${[...this.devices.keys()].join(', ')})`, where);
          if (!d.ageUnderDuty) throw new ConfigError(`age: device '${n}' is not a BMS (only packs age)`, where);
          return d;
        })
      : [...this.devices.values()].filter((d) => d.ageUnderDuty);
    if (targets.length === 0) throw new ConfigError('age: this bench has no BMS to age', where);
    return targets.map((d) => {
      const r = d.ageUnderDuty!(duty, days);
      return `${d.name} SOH ${(r.sohBefore * 100).toFixed(2)} -> ${(r.soh * 100).toFixed(2)} % (weakest cell ${(r.minCellSoh * 100).toFixed(2)} %), resistance x${r.resistanceFactorBefore.toFixed(3)} -> x${r.resistanceFactor.toFixed(3)}, ${r.efc.toFixed(0)} EFC`;
    });
  }

  /**
   * Inject a fault by id on a device; Modbus-level kinds go to the device's endpoint. Throws `ConfigError` (at
   * `where`) for an unknown device, kind or parameter, and for an id already in force (its fault could never be
   * cleared again).
   */
  injectFault(id: string, deviceName: string, kind: string, params: Record<string, unknown>, where: string): void {
    if (this.deviceFaults.has(id)) throw new ConfigError(`fault id '${id}' is already in force (clear it first, or use another id)`, where);
    const dev = this.devices.get(deviceName);
    if (!dev) throw new ConfigError(`fault '${id}': no device '${deviceName}' on this bench (have: ${[...this.devices.keys()].join(', ')})`, where);
    const onModbus = this.bench.file.devices.find((d) => d.name === deviceName)?.modbus !== undefined;
    const why = faultKindProblem(dev, onModbus, kind);
    if (why) throw new ConfigError(`fault '${id}': ${why}`, where);
    let handle: BenchFaultHandle;
    try {
      handle = MODBUS_FAULTS.has(kind) ? this.injectModbusFault(deviceName, kind, params) : dev.injectFault(kind, params);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(err.message, where);
      throw err;
    }
    this.deviceFaults.set(id, { handle, info: { id, device: deviceName, kind, params, since: this.clock.now() } });
  }

  /** Clear a fault by id; false if no fault has that id in force. */
  clearFault(id: string): boolean {
    const f = this.deviceFaults.get(id);
    if (!f) return false;
    f.handle.clear();
    this.deviceFaults.delete(id);
    return true;
  }

  /** The faults in force, in injection order. */
  activeFaults(): ActiveFault[] {
    return [...this.deviceFaults.values()].map((f) => ({ ...f.info }));
  }

  private injectModbusFault(deviceName: string, kind: string, params: Record<string, unknown>): BenchFaultHandle {
    const spec = this.bench.file.devices.find((d) => d.name === deviceName)!;
    if (!spec.modbus) throw new ConfigError(`device '${deviceName}' is not on a Modbus endpoint, so '${kind}' does not apply`);
    const remove = this.endpoints.endpoints.get(spec.modbus)!.core.faults.add(modbusFaultRule(kind, params, spec.unitId ?? 1));
    return { clear: remove };
  }

  /** Recent CAN frames on every bus, oldest first, as `t=1.234s bus 123#…` lines (t from {@link timeZeroMs}). */
  recentFrames(limit = 20): string[] {
    return this.evidence.recentFrames(this.media.buses.values(), limit);
  }

  /** Recent Modbus writes on every endpoint, oldest first, as `t=1.234s ep unit 1 fc6 @40 = 0 -> ok` lines. */
  recentWrites(limit = 20): string[] {
    return this.evidence.recentWrites(this.endpoints.endpoints.values(), limit);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.deviceFaults.values()) f.handle.clear();
    for (const d of this.detachers.splice(0)) safely(d);
    for (const d of this.devices.values()) safely(() => d.close());
    await this.media.close();
    await this.endpoints.close();
    await this.evidence.close();
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* closing must not throw */
  }
}
