import { dirname } from 'node:path';
import type { Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import type { CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import { SocketcandServer } from '../../protocols/can/socketcand';
import type { SlcanAdapter } from '../../protocols/can/slcan/pty-adapter';
import { openTraceWriter, recordBus, type TraceWriter } from '../../protocols/can/trace';
import { epochSeconds, type EvidenceRecorder } from './evidence-recorder';
import type { Bench } from './load-bench';
import { Ring } from './ring';
import { splitHostPort } from './host-port';
import { cachedDbc, dbcFileForBus, WireSignals } from './wire-signals';
import type { Socket } from 'node:net';
import type { ConnectionGate } from '../../protocols/net/connection-gate';

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
  /** The trace files opened for this bus, names in the evidence folder (`pack1.log.gz`, `pack1.pcap.gz`). */
  traceFiles?: string[];
  stopTrace?: () => Promise<void>;
}

/** How the bench's CAN buses are opened. */
export interface CanMediaOptions {
  clock: Clock;
  mode: 'real' | 'virtual';
  /** Real media and listening hubs (true), or private virtual channels and hubs not listening (a dry bench). */
  serveNetwork: boolean;
  log?: (line: string) => void;
  /** Lock step (docs/lockstep.md): the gate that takes turns with the controller's connections to the hubs. */
  gate?: ConnectionGate;
}

/**
 * Receive queue bound of an in-process controller's bus handles: seconds of traffic for one that reads with `recv`,
 * and about 0.5 MB per bus for one that only listens (the 65536 default held 500 MB on 16 buses after an hour).
 */
export const CONTROLLER_RX_QUEUE = 1024;
let dryChannels = 0;

/**
 * The CAN side of a running bench: one harness handle per bus (a medium, or a member of a socketcand hub), the
 * emulated SLCAN adapters, the DBC decoding of recent frames, and the full traces.
 *
 * Contract:
 * - `open()` opens every bus of the bench file; a bus opened before a failure stays in {@link buses}, so `close()`
 *   releases it. A dry bench (`serveNetwork` false) never touches real adapters or the network.
 * - Several buses on one socketcand `host:port` share one hub.
 * - Trace failures (budget spent, write errors) go to the evidence recorder as notes; they never fail the run.
 * - `close()` stops traces, closes adapters, handles and hubs, and never throws.
 */
export class CanMedia {
  readonly buses = new Map<string, BenchCanBus>();

  constructor(
    private readonly bench: Bench,
    private readonly options: CanMediaOptions,
    private readonly evidence: EvidenceRecorder,
  ) {}

  private get clock(): Clock {
    return this.options.clock;
  }

  async open(): Promise<void> {
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
            ...(this.options.gate ? { rawModeHoldMs: 0, onConnection: (s: Socket) => this.options.gate!.add(s) } : {}),
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
        const log = this.options.log;
        handle = await openBus(spec.medium!, { clock: this.clock, receiveOwnMessages: true, rxQueueLimit: 0, ...(log ? { log: (l: string) => log(`CAN bus '${name}': ${l}`) } : {}) });
        url = spec.medium!;
      } else {
        // A dry bench (checking scenarios, in-process runs) never touches real adapters.
        handle = await openBus(`virtual:dry-${process.pid}-${++dryChannels}-${name}`, { clock: this.clock, receiveOwnMessages: true, rxQueueLimit: 0 });
        url = spec.medium!;
      }
      const dbcFile = dbcFileForBus(spec.dbc, dirname(this.bench.source), this.protocolsOn(name));
      const wire = dbcFile === undefined ? undefined : new WireSignals(cachedDbc(dbcFile), dbcFile);
      const entry: BenchCanBus = { name, handle, url, recent: new Ring(64), frames: 0, ...(hub ? { hub } : {}), ...(wire ? { wire } : {}) };
      this.buses.set(name, entry);
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
      if (spec.record !== false) await this.openTraces(entry);
    }
  }

  /** The protocols spoken on a bus (`name/variant`), for picking its built-in DBC. */
  private protocolsOn(bus: string): string[] {
    const devices = this.bench.file.devices;
    return [
      ...devices.filter((d) => d.can === bus && d.protocol).map((d) => (typeof d.params?.variant === 'string' ? `${d.protocol!}/${d.params.variant}` : d.protocol!)),
      ...devices
        .filter((d) => d.batteryCan?.bus === bus)
        .map((d) => (d.batteryCan!.variant ? `${d.batteryCan!.protocol}/${d.batteryCan!.variant}` : d.batteryCan!.protocol)),
    ];
  }

  /** `<bus>.log[.gz]` (and `<bus>.pcap[.gz]`) in the evidence folder, when the run keeps files. */
  private async openTraces(entry: BenchCanBus): Promise<void> {
    const { name, handle } = entry;
    if (!this.evidence.file(name)) return;
    const gz = this.evidence.compressSuffix;
    const files = [`${name}.log${gz}`, ...(this.evidence.pcap ? [`${name}.pcap${gz}`] : [])];
    entry.traceFiles = files;
    const stops: Array<() => Promise<void>> = [];
    const budget = this.evidence.budget;
    for (const file of files) {
      const writer = await openTraceWriter(this.evidence.file(file)!, { channel: name, ...(budget ? { budget } : {}) });
      try {
        writer.comment(
          `hil trace of CAN bus '${name}' (bench '${this.bench.file.bench}'), opened ${epochSeconds(this.clock.now())} ${new Date(this.clock.now()).toISOString()}; ` +
            `timestamps are ${this.options.mode === 'virtual' ? 'virtual-clock' : 'wall-clock'} epoch seconds; a '# hil t=0' line marks the scenario's t=0`,
        );
      } catch (err) {
        this.evidence.stopped(file, err as Error);
      }
      // The candump trace carries the t=0 comment line (pcap has no place for one).
      entry.trace ??= writer;
      let noted = false;
      const note = (err: Error): void => {
        if (noted) return;
        noted = true;
        this.evidence.stopped(file, err);
      };
      const rec = recordBus(handle, writer, note);
      stops.push(async () => {
        rec.stop();
        // A failure only the close sees (the compression worker's, after the last frame) is noted too, once.
        await writer.close().catch(note);
      });
    }
    entry.stopTrace = async () => {
      for (const stop of stops) await stop();
    };
  }

  /** A comment line in every bus's candump trace (the t=0 marker); a trace that cannot take it is noted, not fatal. */
  commentTraces(text: string): void {
    for (const b of this.buses.values()) {
      try {
        b.trace?.comment(text);
      } catch (err) {
        // A trace stopped by the budget (or a write failure) loses its marker, never the run.
        this.evidence.stopped(`${b.name}.log`, err as Error);
      }
    }
  }

  /**
   * The controller's own handle on a hub bus: a fresh member whose receive queue keeps the newest
   * {@link CONTROLLER_RX_QUEUE} frames. Throws `ConfigError` for a bus that is not on a hub.
   */
  controllerBus(name: string): CanBus {
    const b = this.buses.get(name)!;
    const spec = this.bench.file.can![name]!;
    if (!b.hub) throw new ConfigError(`an in-process controller reaches CAN bus '${name}' only through a hub (use 'hub:' on this bus)`, this.bench.source);
    return b.hub.attach(spec.hub!.bus ?? name, { clock: this.clock, rxQueueLimit: CONTROLLER_RX_QUEUE });
  }

  /** CAN frames received that the bench did not send itself, plus command lines on emulated SLCAN adapters. */
  foreignActivity(): number {
    let n = 0;
    for (const b of this.buses.values()) {
      n += b.handle.stats.rxFrames - b.handle.stats.txFrames; // the bench's handles receive their own frames too
      if (b.slcan) n += b.slcan.stats.commands;
    }
    return n;
  }

  /** Whether anyone but the bench has sent a frame on any bus (or a command to an SLCAN adapter). */
  reached(): boolean {
    for (const b of this.buses.values()) if (b.handle.stats.rxFrames - b.handle.stats.txFrames > 0 || (b.slcan?.stats.commands ?? 0) > 0) return true;
    return false;
  }

  /** `${can.<bus>.url}`, and host, port, bus and socketcand of a socketcand URL, and pty of an SLCAN adapter. */
  substitutions(out: Record<string, string>): void {
    for (const [n, b] of this.buses) {
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
  }

  async close(): Promise<void> {
    const hubs = new Set<SocketcandServer>();
    for (const b of this.buses.values()) {
      if (b.stopTrace) await b.stopTrace().catch(() => undefined);
      if (b.slcan) await b.slcan.close().catch(() => undefined);
      await b.handle.close();
      if (b.hub) hubs.add(b.hub);
    }
    for (const h of hubs) await h.close().catch(() => undefined);
  }
}
