import { dirname, join } from 'node:path';
import type { Clock } from '../../core/clock';
import type { ByteBudget } from '../../core/budget/byte-budget';
import { BudgetExhaustedError, openBudgetedStream, type BudgetedStream } from '../../core/budget/budgeted-stream';
import { ConfigError, HilError, OperationError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import { formatFrame, type CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import { SocketcandServer } from '../../protocols/can/socketcand';
import type { SlcanAdapter } from '../../protocols/can/slcan/pty-adapter';
import { openTraceWriter, recordBus, type TraceWriter } from '../../protocols/can/trace';
import { ExceptionCode, type ModbusDevice } from '../../protocols/modbus/device';
import { InProcessMaster } from '../../protocols/modbus/in-process-master';
import { decodeRequest, isException, type ModbusRequest } from '../../protocols/modbus/pdu';
import type { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { ModbusServerCore, type ServerTransaction } from '../../protocols/modbus/server-core';
import { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import type { BenchDevice, BenchFaultHandle } from './bench-device';
import { dutyProfile } from '../../emulators/bms/pack/duty';
import { createBenchDevice } from './device-factories';
import { MODBUS_FAULT_KINDS, modbusFaultRule } from './modbus-faults';
import type { Bench } from './load-bench';
import { Ring } from './ring';
import { dbcForBus, WireSignals } from './wire-signals';

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
}

/** A CAN bus on a running bench. */
export interface BenchCanBus {
  name: string;
  /** The harness's own handle, shared by the devices on the bus (sees its own frames, for evidence). */
  handle: CanBus;
  /** How a controller reaches it (medium string), if it can. */
  url: string;
  hub?: SocketcandServer;
  slcan?: SlcanAdapter;
  recent: Ring<CanFrame>;
  frames: number;
  /** Last frames by id, decoded on demand with the bus's DBC (signals `can.<bus>.<Message>.<Signal>`). */
  wire?: WireSignals;
  /** The full trace being written (`<traceDir>/<bus>.log`), if any. */
  trace?: TraceWriter;
  stopTrace?: () => Promise<void>;
}

/** Where a Modbus endpoint's transaction log goes (see `BenchInstanceOptions.traceDir`). */
interface TransactionLog {
  stream: BudgetedStream;
  stopped: boolean;
}

/** A Modbus endpoint on a running bench. */
export interface BenchModbus {
  name: string;
  core: ModbusServerCore;
  tcp?: ModbusTcpServer;
  rtu?: ModbusRtuServer;
  host?: string;
  port?: number;
  url: string;
  /** Recent writes: clock time and the description. */
  writes: Ring<{ at: number; text: string }>;
  writeCount: number;
  /** Writes answered with IllegalDataAddress: the controller wrote outside the register map. */
  illegalWrites: number;
  /** Writes answered with IllegalDataValue (out of range). */
  rejectedWrites: number;
  requests: number;
  /** Requests per unit id (the dashboard's "requests per unit"). */
  unitRequests: Map<number, number>;
  /** The device served at each unit id (to name written registers with SunSpec point names). */
  units: Map<number, ModbusDevice>;
}

const WRITE_FCS = new Set([5, 6, 15, 16, 23]);

/**
 * Receive queue bound of an in-process controller's bus handles: seconds of traffic for one that reads with `recv`,
 * and about 0.5 MB per bus for one that only listens (the 65536 default held 500 MB on 16 buses after an hour).
 */
export const CONTROLLER_RX_QUEUE = 1024;
let dryChannels = 0;

/**
 * A bench brought up for one scenario: media opened (or hubs served), Modbus endpoints listening, devices created
 * and attached. `close()` releases everything and never throws.
 */
export class BenchInstance {
  readonly devices = new Map<string, BenchDevice>();
  readonly can = new Map<string, BenchCanBus>();
  readonly modbus = new Map<string, BenchModbus>();
  private readonly deviceFaults = new Map<string, { handle: BenchFaultHandle; info: ActiveFault }>();
  private readonly detachers: Array<() => void> = [];
  private closed = false;
  readonly startMs: number;
  private originMs: number;
  private zeroMarked = false;
  /** Notes about the evidence (a trace stopped by the budget or a write failure), for the result's events. */
  readonly traceNotes: string[] = [];
  private readonly transactionLogs = new Map<string, TransactionLog>();

  private constructor(
    readonly bench: Bench,
    private readonly options: BenchInstanceOptions,
  ) {
    this.startMs = options.clock.now();
    this.originMs = this.startMs;
  }

  /**
   * Clock time of the scenario's t=0 (the runner sets it with {@link markTimeZero} when the timeline starts); until
   * then, the moment the bench came up. The signal `t` and the times in the evidence (`recentFrames`,
   * `recentWrites`) count from it; things that happened before it get negative times.
   */
  get timeZeroMs(): number {
    return this.originMs;
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
    this.originMs = this.clock.now();
    for (const d of this.devices.values()) d.timeZero?.(this.originMs);
    const text = `hil t=0 ${epochSeconds(this.originMs)} ${new Date(this.originMs).toISOString()} scenario ${label}`;
    for (const b of this.can.values()) {
      try {
        b.trace?.comment(text);
      } catch (err) {
        // A trace stopped by the budget (or a write failure) loses its marker, never the run.
        this.traceStopped(`${b.name}.log`, err as Error);
      }
    }
    return this.originMs;
  }

  /** Bring a bench up. On failure everything opened so far is closed and the error is rethrown. */
  static async start(bench: Bench, options: BenchInstanceOptions): Promise<BenchInstance> {
    const inst = new BenchInstance(bench, options);
    try {
      await inst.openCan();
      await inst.openModbus();
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

  private async openCan(): Promise<void> {
    const hubs = new Map<string, SocketcandServer>();
    for (const [name, spec] of Object.entries(this.bench.file.can ?? {})) {
      let handle: CanBus;
      let url: string;
      let hub: SocketcandServer | undefined;
      if (spec.hub) {
        const [host, portText] = splitHostPort(spec.hub.socketcand);
        const key = `${host}:${portText}`;
        hub = hubs.get(key); // one hub per host:port string (port 0 too): several buses on one socketcand server
        if (!hub) {
          hub = new SocketcandServer({
            host,
            port: Number(portText),
            clock: this.clock,
            log: (l: string) => this.options.log?.(`socketcand: ${l}`),
            limits: this.bench.serverLimits.hubs[spec.hub.socketcand] ?? {},
          });
          if (this.options.serveNetwork) {
            try {
              await hub.listen();
            } catch (err) {
              throw new ConfigError(`CAN bus '${name}': cannot serve socketcand on ${spec.hub.socketcand}: ${(err as Error).message}`, this.bench.source);
            }
          }
          hubs.set(key, hub);
        }
        const busName = spec.hub.bus ?? name;
        handle = hub.attach(busName, { clock: this.clock, receiveOwnMessages: true, rxQueueLimit: 0 });
        url = this.options.serveNetwork ? hub.url(busName) : `hub:${busName}`;
      } else if (this.options.serveNetwork) {
        handle = await openBus(spec.medium!, { clock: this.clock, receiveOwnMessages: true, rxQueueLimit: 0 });
        url = spec.medium!;
      } else {
        // A dry bench (checking scenarios, in-process runs) never touches real adapters.
        handle = await openBus(`virtual:dry-${process.pid}-${++dryChannels}-${name}`, { clock: this.clock, receiveOwnMessages: true, rxQueueLimit: 0 });
        url = spec.medium!;
      }
      const protocols = [
        ...this.bench.file.devices
          .filter((d) => d.can === name && d.protocol)
          .map((d) => (typeof d.params?.variant === 'string' ? `${d.protocol!}/${d.params.variant}` : d.protocol!)),
        ...this.bench.file.devices
          .filter((d) => d.batteryCan?.bus === name)
          .map((d) => (d.batteryCan!.variant ? `${d.batteryCan!.protocol}/${d.batteryCan!.variant}` : d.batteryCan!.protocol)),
      ];
      const db = dbcForBus(spec.dbc, dirname(this.bench.source), protocols);
      const wire = db ? new WireSignals(db) : undefined;
      const entry: BenchCanBus = { name, handle, url, recent: new Ring(64), frames: 0, ...(hub ? { hub } : {}), ...(wire ? { wire } : {}) };
      this.can.set(name, entry);
      handle.onFrame((f) => {
        entry.frames++;
        entry.recent.push(f);
        wire?.record(f);
      });
      if (spec.slcanPty && this.options.serveNetwork) {
        // A dry bench spawns nothing: the pty (and its socat) exists only when the bench is served.
        const { SlcanAdapter } = await import('../../protocols/can/slcan/pty-adapter');
        // On a hub the adapter joins as its own member, so what the controller sends through it is not echoed back.
        const adapterBus = hub ? hub.attach(spec.hub!.bus ?? name, { clock: this.clock }) : handle;
        entry.slcan = await SlcanAdapter.start(adapterBus, { link: spec.slcanPty });
      }
      if (this.options.traceDir && spec.record !== false) {
        const gz = this.options.traceFormat?.compress === false ? '' : '.gz';
        const files = [`${name}.log${gz}`, ...(this.options.traceFormat?.pcap ? [`${name}.pcap${gz}`] : [])];
        const stops: Array<() => Promise<void>> = [];
        for (const file of files) {
          const writer = await openTraceWriter(join(this.options.traceDir, file), { channel: name, ...(this.options.traceBudget ? { budget: this.options.traceBudget } : {}) });
          try {
            writer.comment(
              `hil trace of CAN bus '${name}' (bench '${this.bench.file.bench}'), opened ${epochSeconds(this.clock.now())} ${new Date(this.clock.now()).toISOString()}; ` +
                `timestamps are ${this.options.mode === 'virtual' ? 'virtual-clock' : 'wall-clock'} epoch seconds; a '# hil t=0' line marks the scenario's t=0`,
            );
          } catch (err) {
            this.traceStopped(file, err as Error);
          }
          // The candump trace carries the t=0 comment line (pcap has no place for one).
          entry.trace ??= writer;
          const rec = recordBus(handle, writer, (err) => this.traceStopped(file, err));
          stops.push(async () => {
            rec.stop();
            await writer.close();
          });
        }
        entry.stopTrace = async () => {
          for (const stop of stops) await stop();
        };
      }
    }
  }

  private async openModbus(): Promise<void> {
    for (const [name, spec] of Object.entries(this.bench.file.modbus ?? {})) {
      const entry: BenchModbus = {
        name,
        core: undefined as unknown as ModbusServerCore,
        url: '',
        writes: new Ring(64),
        writeCount: 0,
        illegalWrites: 0,
        rejectedWrites: 0,
        requests: 0,
        unitRequests: new Map(),
        units: new Map(),
      };
      if (this.options.traceDir) {
        const file = `modbus-${name}.jsonl${this.options.traceFormat?.compress === false ? '' : '.gz'}`;
        this.transactionLogs.set(name, { stream: await openBudgetedStream(join(this.options.traceDir, file), this.options.traceBudget), stopped: false });
      }
      entry.core = new ModbusServerCore({ clock: this.clock, seed: this.options.seed, onTransaction: (t) => this.onTransaction(entry, t) });
      if (spec.tcp) {
        const [host, port] = splitHostPort(spec.tcp);
        if (this.options.serveNetwork) {
          entry.tcp = new ModbusTcpServer({
            core: entry.core,
            host,
            port: Number(port),
            clock: this.clock,
            log: (l) => this.options.log?.(`modbus ${name}: ${l}`),
            limits: this.bench.serverLimits.modbus[name] ?? {},
          });
          try {
            const addr = await entry.tcp.listen();
            entry.host = addr.host;
            entry.port = addr.port;
          } catch (err) {
            throw new ConfigError(`Modbus endpoint '${name}': cannot listen on ${spec.tcp}: ${(err as Error).message}`, this.bench.source);
          }
          entry.url = `tcp://${entry.host}:${entry.port}`;
        } else {
          entry.url = `in-process:${name}`;
        }
      } else if (spec.rtu && !this.options.serveNetwork) {
        entry.url = `in-process:${name}`;
      } else if (spec.rtu) {
        const { ModbusRtuServer } = await import('../../protocols/modbus/rtu/rtu-server');
        try {
          entry.rtu = await ModbusRtuServer.open({
            core: entry.core,
            clock: this.clock,
            path: spec.rtu.path,
            baudRate: spec.rtu.baud ?? 9600,
            ...(spec.rtu.parity ? { parity: spec.rtu.parity } : {}),
            ...(spec.rtu.stopBits ? { stopBits: spec.rtu.stopBits } : {}),
            log: (l: string) => this.options.log?.(`modbus ${name}: ${l}`),
          });
        } catch (err) {
          if (err instanceof HilError) throw err;
          throw new OperationError(`Modbus endpoint '${name}': cannot open ${spec.rtu.path}: ${(err as Error).message}`);
        }
        entry.url = `rtu://${spec.rtu.path}?baud=${spec.rtu.baud ?? 9600}`;
      }
      this.modbus.set(name, entry);
    }
  }

  private onTransaction(entry: BenchModbus, t: ServerTransaction): void {
    entry.requests++;
    entry.unitRequests.set(t.ctx.unitId, (entry.unitRequests.get(t.ctx.unitId) ?? 0) + 1);
    const log = this.transactionLogs.get(entry.name);
    if (log && !log.stopped) {
      const line = { at: t.at, t: Math.round(t.at - this.startMs), unit: t.ctx.unitId, req: hex(t.request), rsp: t.response ? hex(t.response) : null };
      try {
        log.stream.write(`${JSON.stringify(line)}\n`);
      } catch (err) {
        log.stopped = true;
        this.traceStopped(log.stream.path.split(/[\\/]/).pop()!, err as Error);
      }
    }
    const fc = t.request[0] ?? 0;
    if (!WRITE_FCS.has(fc)) return;
    entry.writeCount++;
    const req = decodeRequest(t.request);
    const answer = t.response;
    let outcome = 'ok';
    if (answer && answer[0]! & 0x80) {
      const code = answer[1];
      if (code === ExceptionCode.IllegalDataAddress) entry.illegalWrites++;
      if (code === ExceptionCode.IllegalDataValue) entry.rejectedWrites++;
      outcome = `exception ${code}`;
    } else if (!answer) outcome = 'no reply';
    const names = sunspecNames(entry.units.get(t.ctx.unitId), req);
    entry.writes.push({ at: t.at, text: `${entry.name} unit ${t.ctx.unitId} ${describeWrite(req)}${names} -> ${outcome}` });
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
        const ep = this.modbus.get(spec.modbus)!;
        if (dev.modbusUnits) {
          for (const [id, unit] of dev.modbusUnits) {
            ep.core.addUnit(id, unit);
            ep.units.set(id, unit);
          }
        } else {
          ep.core.addUnit(spec.unitId ?? 1, dev.modbus);
          ep.units.set(spec.unitId ?? 1, dev.modbus);
        }
        // A device that needs time after a connect makes its TCP endpoint quiet for that long (one listener, one rule).
        if (ep.tcp && dev.connectDelayS) ep.tcp.quietAfterConnectMs = Math.max(ep.tcp.quietAfterConnectMs, dev.connectDelayS * 1000);
      }
    }
  }

  /**
   * A count that rises whenever someone other than the emulated devices acts on the bench: CAN frames received that
   * the bench did not send itself, command lines on an emulated SLCAN adapter, Modbus requests on any endpoint. Flat
   * while the controller is silent (hang detection reads it; the absolute value means nothing).
   */
  foreignActivity(): number {
    let n = 0;
    for (const b of this.can.values()) {
      n += b.handle.stats.rxFrames - b.handle.stats.txFrames; // the bench's handles receive their own frames too
      if (b.slcan) n += b.slcan.stats.commands;
    }
    for (const m of this.modbus.values()) n += m.requests;
    return n;
  }

  /** Whether the controller has reached the bench yet: sent a CAN frame on any bus, or opened a Modbus TCP connection (sent an RTU request). */
  controllerReached(how: 'first-frame' | 'first-modbus-connection'): boolean {
    if (how === 'first-frame') {
      for (const b of this.can.values()) if (b.handle.stats.rxFrames - b.handle.stats.txFrames > 0 || (b.slcan?.stats.commands ?? 0) > 0) return true;
      return false;
    }
    for (const m of this.modbus.values()) if ((m.tcp?.stats.accepted ?? 0) > 0 || (!m.tcp && m.requests > 0)) return true;
    return false;
  }

  /** Values substituted into the DUT command: `${can.<bus>.url}`, `${modbus.<ep>.port}`... */
  substitutions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [n, b] of this.can) {
      out[`can.${n}.url`] = b.url;
      const sc = /^socketcand:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/([^/?#]+)/.exec(b.url);
      if (sc) {
        out[`can.${n}.host`] = sc[1]!;
        out[`can.${n}.port`] = sc[2]!;
        out[`can.${n}.bus`] = sc[3]!;
        out[`can.${n}.socketcand`] = `${sc[1]!}:${sc[2]!}/${sc[3]!}`;
      }
      if (b.slcan) out[`can.${n}.pty`] = b.slcan.path;
    }
    for (const [n, m] of this.modbus) {
      out[`modbus.${n}.url`] = m.url;
      if (m.host) out[`modbus.${n}.host`] = m.host;
      if (m.port !== undefined) out[`modbus.${n}.port`] = String(m.port);
      if (m.host && m.port !== undefined) out[`modbus.${n}.tcp`] = `${m.host}:${m.port}`;
      const rtu = this.bench.file.modbus?.[n]?.rtu;
      if (rtu) out[`modbus.${n}.path`] = rtu.path;
    }
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
    const packs = this.bench.file.devices.filter((d) => d.type === 'bms' && d.can).map((d) => ({ name: d.name, bus: this.controllerBus(d.can!) }));
    const inverterBuses = this.bench.file.devices
      .filter((d) => d.batteryCan)
      .map((d) => ({ name: d.name, bus: this.controllerBus(d.batteryCan!.bus) }));
    const inverters = this.bench.file.devices
      .filter((d) => d.type === 'inverter' && d.modbus !== undefined)
      .map((d) => ({
        name: d.name,
        master: new InProcessMaster(this.modbus.get(d.modbus!)!.core, this.clock, { unitId: d.unitId ?? 1, timeoutMs: 1000, peer: 'controller', logLimit: 0 }),
        unitId: d.unitId ?? 1,
        ...(d.battery ? { pack: d.battery } : {}),
        // A built-in vendor map's name tells an in-process controller which brand it talks to.
        ...(d.map !== undefined && d.map !== 'sunspec' && !/[./\\]/.test(d.map) ? { map: d.map } : {}),
      }));
    return { packs, inverters, inverterBuses };
  }

  /** The controller's own handle on a hub bus (see `controllerIO`). */
  private controllerBus(name: string): CanBus {
    const b = this.can.get(name)!;
    const spec = this.bench.file.can![name]!;
    if (!b.hub) throw new ConfigError(`an in-process controller reaches CAN bus '${name}' only through a hub (use 'hub:' on this bus)`, this.bench.source);
    return b.hub.attach(spec.hub!.bus ?? name, { clock: this.clock, rxQueueLimit: CONTROLLER_RX_QUEUE });
  }

  /** Advance every device by `dt` seconds (BMS first: inverters read their battery port). */
  step(dtSeconds: number): void {
    for (const d of this.devices.values()) d.step(dtSeconds);
  }

  /**
   * A signal for scenario expressions: `<device>.<name>`, `can.<bus>.frames`, `can.<bus>.<Message>.<Signal>|count|age`
   * (decoded with the bus's DBC), `modbus.<ep>.writes|illegalWrites|
   * rejectedWrites|requests`, `t` (seconds since the scenario's t=0, see {@link timeZeroMs}).
   */
  signal(name: string): number | boolean | undefined {
    if (name === 't') return (this.clock.now() - this.originMs) / 1000;
    const dot = name.indexOf('.');
    if (dot < 0) return undefined;
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const dev = this.devices.get(head);
    if (dev) return dev.signal(rest);
    if (head === 'can') {
      const [bus, what] = splitFirst(rest);
      const b = this.can.get(bus);
      if (!b) return undefined;
      if (what === 'frames') return b.frames;
      return b.wire?.read(what, this.clock.now());
    }
    if (head === 'modbus') {
      const [ep, what] = splitLast(rest);
      const m = this.modbus.get(ep);
      if (!m) return undefined;
      if (what === 'writes') return m.writeCount;
      if (what === 'illegalWrites') return m.illegalWrites;
      if (what === 'rejectedWrites') return m.rejectedWrites;
      if (what === 'requests') return m.requests;
    }
    return undefined;
  }

  /** Whether a signal name refers to something on this bench (for checking scenarios before a run). */
  knowsSignal(name: string): boolean {
    if (name === 't') return true;
    const dot = name.indexOf('.');
    if (dot < 0) return false;
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const dev = this.devices.get(head);
    if (dev) return dev.signalNames().includes(rest) || dev.signal(rest) !== undefined;
    if (head === 'can') {
      const [bus, what] = splitFirst(rest);
      const b = this.can.get(bus);
      return !!b && (what === 'frames' || !!b.wire?.knows(what));
    }
    if (head === 'modbus') return this.modbus.has(splitLast(rest)[0]) && ['writes', 'illegalWrites', 'rejectedWrites', 'requests'].includes(splitLast(rest)[1]);
    return false;
  }

  /**
   * Every signal name this bench offers (for completion and listings): each device's, `can.<bus>.frames` and the
   * bus DBC's `can.<bus>.<Message>.<Signal>|count|age`, `modbus.<ep>.writes|illegalWrites|rejectedWrites|requests`, `t`.
   */
  signalNames(): string[] {
    const out: string[] = ['t'];
    for (const d of this.devices.values()) for (const n of d.signalNames()) out.push(`${d.name}.${n}`);
    for (const b of this.can.values()) {
      out.push(`can.${b.name}.frames`);
      for (const m of b.wire?.db.messages ?? []) {
        for (const x of [...m.signals.map((sig) => sig.name), 'count', 'age']) out.push(`can.${b.name}.${m.name}.${x}`);
      }
    }
    for (const m of this.modbus.keys()) for (const x of ['writes', 'illegalWrites', 'rejectedWrites', 'requests']) out.push(`modbus.${m}.${x}`);
    return out;
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
    let handle: BenchFaultHandle;
    try {
      handle = (MODBUS_FAULT_KINDS as readonly string[]).includes(kind) ? this.injectModbusFault(deviceName, kind, params) : dev.injectFault(kind, params);
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
    const remove = this.modbus.get(spec.modbus)!.core.faults.add(modbusFaultRule(kind, params, spec.unitId ?? 1));
    return { clear: remove };
  }

  /** Recent CAN frames on every bus, oldest first, as `t=1.234s bus 123#…` lines (t from {@link timeZeroMs}). */
  recentFrames(limit = 20): string[] {
    const all: Array<{ t: number; line: string }> = [];
    for (const b of this.can.values()) {
      for (const f of b.recent.toArray()) {
        const at = f.timestamp ?? this.startMs;
        all.push({ t: at, line: `${this.relative(at)} ${b.name} ${formatFrame(f)}` });
      }
    }
    return all.sort((a, b) => a.t - b.t).slice(-limit).map((x) => x.line);
  }

  /** Recent Modbus writes on every endpoint, oldest first, as `t=1.234s ep unit 1 fc6 @40 = 0 -> ok` lines. */
  recentWrites(limit = 20): string[] {
    return [...this.modbus.values()]
      .flatMap((m) => m.writes.toArray())
      .sort((a, b) => a.at - b.at)
      .slice(-limit)
      .map((w) => `${this.relative(w.at)} ${w.text}`);
  }

  /** `t=1.234s` for a clock time, counted from t=0. */
  private relative(at: number): string {
    return `t=${((at - this.originMs) / 1000).toFixed(3)}s`;
  }

  private traceStopped(file: string, err: Error): void {
    const at = ((this.clock.now() - this.startMs) / 1000).toFixed(3);
    const why = err instanceof BudgetExhaustedError ? `the trace budget (--trace-budget) is spent` : err.message;
    const note = `t=${at}s evidence ${file} stopped: ${why}; verdicts are unaffected`;
    if (!this.traceNotes.some((n) => n.includes(why) && err instanceof BudgetExhaustedError)) this.options.log?.(note);
    this.traceNotes.push(note);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.deviceFaults.values()) f.handle.clear();
    for (const d of this.detachers.splice(0)) safely(d);
    for (const d of this.devices.values()) safely(() => d.close());
    const hubs = new Set<SocketcandServer>();
    for (const b of this.can.values()) {
      if (b.stopTrace) await b.stopTrace().catch(() => undefined);
      if (b.slcan) await b.slcan.close().catch(() => undefined);
      await b.handle.close();
      if (b.hub) hubs.add(b.hub);
    }
    for (const h of hubs) await h.close().catch(() => undefined);
    for (const m of this.modbus.values()) {
      if (m.tcp) await m.tcp.close().catch(() => undefined);
      if (m.rtu) await m.rtu.close().catch(() => undefined);
    }
    for (const log of this.transactionLogs.values()) await log.stream.close().catch(() => undefined);
  }
}

/** `1767225600.123456`: a clock time as candump writes timestamps. */
function epochSeconds(ms: number): string {
  return (ms / 1000).toFixed(6);

}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* closing must not throw */
  }
}

function splitHostPort(s: string): [string, string] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i), s.slice(i + 1)];
}

function splitFirst(s: string): [string, string] {
  const i = s.indexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function splitLast(s: string): [string, string] {
  const i = s.lastIndexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** ` (124.InWRte, 124.OutWRte)`: the SunSpec points a write covers, where the unit is a SunSpec map. */
function sunspecNames(dev: ModbusDevice | undefined, decoded: ModbusRequest | { fc: number; exception: number }): string {
  if (!(dev instanceof SunSpecDevice) || isException(decoded as ModbusRequest)) return '';
  const req = decoded as ModbusRequest;
  let start: number;
  let count: number;
  if (req.fc === 6) [start, count] = [req.address, 1];
  else if (req.fc === 16) [start, count] = [req.address, req.values.length];
  else if (req.fc === 23) [start, count] = [req.writeAddress, req.values.length];
  else return '';
  const names: string[] = [];
  for (let a = start; a < start + Math.min(count, 64); a++) {
    const p = dev.pointAt(a);
    const name = p ? `${p.model.layout.id}.${p.point.name}` : undefined;
    if (name && names[names.length - 1] !== name) names.push(name);
  }
  return names.length ? ` (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})` : '';
}

function describeWrite(decoded: ModbusRequest | { fc: number; exception: number }): string {
  if (isException(decoded as ModbusRequest)) return `malformed write (fc ${decoded.fc})`;
  const req = decoded as ModbusRequest;
  switch (req.fc) {
    case 5:
    case 6:
      return `fc${req.fc} @${req.address} = ${String(req.value)}`;
    case 15:
    case 16:
      return `fc${req.fc} @${req.address} = [${req.values.slice(0, 8).map(String).join(',')}${req.values.length > 8 ? ',…' : ''}]`;
    case 23:
      return `fc23 write @${req.writeAddress} = [${req.values.slice(0, 8).join(',')}]`;
    default:
      return `fc${req.fc}`;
  }
}
