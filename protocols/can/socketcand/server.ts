import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { defaultClock, type Clock } from '../../../core/clock';
import { ClosedError, ConfigError, OperationError } from '../../../core/errors';
import { PeerLogs, type PeerLogRate } from '../../../core/log/rate-limited-log';
import { ConnectionGuard, type ConnectionLimits, type GuardReason } from '../../net/connection-guard';
import type { CanBus, CanBusOptions } from '../bus';
import { HubAttachedBus } from './attached-bus';
import { Beacon, type BeaconOptions } from './beacon';
import { ClientSession, type ClientStats, type SlowClientPolicy } from './client-session';
import { HubBus, type HubBusStats } from './hub-bus';
import { DEFAULT_SOCKETCAND_PORT, MAX_BUS_NAME_LENGTH } from './messages';
import { stderrLog, type LogSink } from './stderr-log';
import { DEFAULT_MAX_MESSAGE_LENGTH } from './tokenizer';

/** Options for {@link SocketcandServer}. */
export interface SocketcandServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 29536, socketcand's; 0 picks a free one, read it back from `listen()`). */
  port?: number;
  /** Clock for frame timestamps, BCM jobs, statistics and the beacon (default the real clock). */
  clock?: Clock;
  /** Log sink (default stderr). Per-client lines are rate-limited (`logRate`); drops are always counted. */
  log?: LogSink;
  /** Log budgets (default 20 lines per client and 100 in all per 10 s of the hub's clock). */
  logRate?: PeerLogRate;
  /**
   * Connections held at once, idle timeout and what happens at the cap; defaults in {@link DEFAULT_HUB_LIMITS}.
   * Idle timeout applies to a connection that has not opened a bus and sent nothing for that long: a client on a
   * bus is never closed for silence (a controller may just listen to a bus gone quiet during a comms-loss fault).
   */
  limits?: ConnectionLimits;
  /** Longest accepted message, `<` to `>` (default 1024 bytes). */
  maxMessageLength?: number;
  /** Bound on a client's unsent output in bytes (default 1 MiB); see `slowClient`. */
  maxBufferedBytes?: number;
  /** What happens to a client over its output bound: drop its frames and count them (default), or disconnect it. */
  slowClient?: SlowClientPolicy;
  /**
   * After `< rawmode >`'s `< ok >`, hold frames for this client until it sends anything or this many ms of wall
   * time pass (default 100; 0 disables). python-can 4.1 fails to open a bus when frames follow the `< ok >` in the
   * same read. Nothing is lost: held frames go out afterwards.
   */
  rawModeHoldMs?: number;
  /** Most buses the hub creates (default 256); `< open >` of one more new name is refused. */
  maxBuses?: number;
  /** Called with each accepted socket before the hub uses it (the lock-step gate holds its output). */
  onConnection?: (socket: Socket) => void;
  /** UDP discovery beacon; off unless given. */
  beacon?: BeaconOptions;
}

/**
 * Default connection limits of the socketcand hub.
 * - 64 connections: a bench has a controller and a few tools per hub (python-can, candump through socketcand...);
 *   socketcand itself forks a process per client without a cap, which an emulator cannot afford. At the cap the
 *   longest-idle connection makes room (those that never opened a bus first, then the one silent longest either
 *   way), so a controller on a bus with traffic is never the one closed.
 * - 30 s for a connection that has not opened a bus: clients open one right after `< hi >` (python-can and
 *   socketcand's own clients in the same round trip).
 */
export const DEFAULT_HUB_LIMITS: Readonly<Required<ConnectionLimits>> = { maxConnections: 64, idleTimeoutMs: 30_000, whenFull: 'evict-idle' };

/** A snapshot of the hub's counters. */
export interface SocketcandServerStats {
  clients: ClientStats[];
  buses: HubBusStats[];
  /** Connections accepted since start. */
  connections: number;
  /** Connections closed to make room at the cap, closed idle before opening a bus, refused at the cap. */
  evicted: number;
  idleClosed: number;
  refused: number;
  /** Most connections held at once. */
  peakConnections: number;
}

/**
 * A virtual CAN hub that speaks the socketcand ASCII protocol over TCP (PROTOCOLS.md "socketcand").
 *
 * Contract:
 * - Buses are created on demand by name (`< open name >`, at most 16 characters). A frame a client sends reaches
 *   every other client on that bus in raw mode (`< frame ... >`), BCM subscribers, and every attached bus; never
 *   its sender.
 * - `attach(bus)` joins in-process code to a bus as a `CanBus` without TCP.
 * - Bad input on one connection is counted and logged (rate-limited) for that connection and answered with
 *   `< error ... >` where it was a message; it never affects other clients.
 * - At most `limits.maxConnections` clients are held: one more closes the longest-idle (or is refused with
 *   `whenFull: 'refuse'`); a client that has not opened a bus is closed after `limits.idleTimeoutMs` of silence. A client that does not read gets its frames dropped
 *   (counted) once its unsent output passes `maxBufferedBytes`, or is disconnected (`slowClient: 'disconnect'`).
 * - `close()` stops listening, disconnects every client, closes attached buses and the beacon; idempotent.
 */
export class SocketcandServer {
  readonly clock: Clock;
  private readonly server: Server;
  private readonly opts: Required<Omit<SocketcandServerOptions, 'clock' | 'beacon' | 'log' | 'logRate' | 'limits' | 'onConnection'>> & { log: LogSink };
  private readonly logs: PeerLogs;
  private readonly guard: ConnectionGuard<ClientSession>;
  private readonly buses = new Map<string, HubBus>();
  private readonly sessions = new Set<ClientSession>();
  private readonly attached = new Set<HubAttachedBus>();
  private readonly sockets = new Set<Socket>();
  private beacon: Beacon | undefined;
  private connections = 0;
  /** Bytes of connections that have closed (see `byteTotals`). */
  private readonly closedBytes = { in: 0, out: 0 };
  private state: 'new' | 'listening' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  private bound: AddressInfo | undefined;

  constructor(private readonly options: SocketcandServerOptions = {}) {
    this.clock = options.clock ?? defaultClock();
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_SOCKETCAND_PORT,
      log: options.log ?? stderrLog,
      maxMessageLength: options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH,
      maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
      slowClient: options.slowClient ?? 'drop',
      maxBuses: options.maxBuses ?? 256,
      rawModeHoldMs: options.rawModeHoldMs ?? 100,
    };
    this.logs = new PeerLogs(this.opts.log, this.clock, options.logRate);
    this.guard = new ConnectionGuard<ClientSession>(
      this.clock,
      { ...DEFAULT_HUB_LIMITS, ...options.limits },
      (s, why, idleMs) => this.guardClose(s, why, idleMs),
      (s) => s.currentMode === 'nobus',
    );
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Start listening; resolves with the bound address (read `port` when you asked for 0). */
  listen(): Promise<{ host: string; port: number }> {
    if (this.state === 'closed') return Promise.reject(new ClosedError('socketcand server'));
    if (this.bound) return Promise.resolve({ host: this.bound.address, port: this.bound.port });
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new OperationError(`socketcand server cannot listen on ${this.opts.host}:${this.opts.port}: ${err.code ?? err.message}`, {
            cause: err,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.opts.log(`server: ${err.message}`));
        this.state = 'listening';
        this.bound = this.server.address() as AddressInfo;
        if (this.options.beacon) {
          this.beacon = new Beacon(
            this.clock,
            `can://${this.bound.address}:${this.bound.port}`,
            () => [...this.buses.keys()],
            this.opts.log,
            this.options.beacon,
          );
        }
        resolve({ host: this.bound.address, port: this.bound.port });
      });
    });
  }

  /** Bound port (after `listen`). */
  get port(): number {
    if (!this.bound) throw new OperationError('socketcand server is not listening');
    return this.bound.port;
  }

  /** `socketcand://host:port/bus` for clients of this server (after `listen`). */
  url(bus: string): string {
    return `socketcand://${this.bound?.address ?? this.opts.host}:${this.port}/${bus}`;
  }

  /**
   * Join in-process code to a bus (created if new) as a `CanBus`. Throws `ConfigError` for a bad bus name and
   * `ClosedError` after `close()`. The bus is closed when the server closes.
   */
  attach(busName: string, options: CanBusOptions = {}): CanBus {
    if (this.state === 'closed') throw new ClosedError('socketcand server');
    const bus = this.openBus(busName);
    if (typeof bus === 'string') throw new ConfigError(`cannot attach to bus '${busName}': ${bus}`);
    const member = new HubAttachedBus(bus, { clock: this.clock, ...options }, (b) => this.attached.delete(b));
    this.attached.add(member);
    return member;
  }

  stats(): SocketcandServerStats {
    return {
      clients: [...this.sessions].map((s) => ({ ...s.stats, drops: { ...s.stats.drops } })),
      buses: [...this.buses.values()].map((b) => ({ ...b.stats })),
      connections: this.connections,
      evicted: this.guard.stats.evicted,
      idleClosed: this.guard.stats.idleClosed,
      refused: this.guard.stats.refused,
      peakConnections: this.guard.stats.peak,
    };
  }

  /** Connections accepted since start (cheap; `stats()` copies every client's counters). */
  get accepted(): number {
    return this.connections;
  }

  /**
   * Bytes received from and sent to clients since start, closed connections included (the lock-step driver
   * compares them with what the controller reports). Sent bytes count when handed to the socket.
   */
  byteTotals(): { in: number; out: number } {
    let inBytes = this.closedBytes.in;
    let outBytes = this.closedBytes.out;
    for (const s of this.sessions) {
      inBytes += s.stats.bytesIn;
      outBytes += s.stats.bytesOut;
    }
    return { in: inBytes, out: outBytes };
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.sessions.size;
  }

  /** Beacons sent so far (0 when the beacon is off). */
  get beaconsSent(): number {
    return this.beacon?.sent ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasListening = this.state === 'listening';
    this.state = 'closed';
    const stopped = wasListening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
    for (const s of [...this.sessions]) s.close();
    for (const sock of this.sockets) sock.destroy();
    this.guard.dispose();
    this.logs.total.flush();
    await Promise.all([...this.attached].map((b) => b.close()));
    await this.beacon?.stop();
    await stopped;
  }

  private accept(socket: Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    this.options.onConnection?.(socket);
    this.connections++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const session = new ClientSession(socket, {
      clock: this.clock,
      log: (label) => this.logs.forPeer(label),
      onActivity: (s, established) => this.guard.touch(s, established),
      maxMessageLength: this.opts.maxMessageLength,
      maxBufferedBytes: this.opts.maxBufferedBytes,
      slowClientPolicy: this.opts.slowClient,
      rawModeHoldMs: this.opts.rawModeHoldMs,
      openBus: (name) => this.openBus(name),
      onClosed: (s) => {
        this.closedBytes.in += s.stats.bytesIn;
        this.closedBytes.out += s.stats.bytesOut;
        this.sessions.delete(s);
        this.guard.remove(s);
      },
    });
    if (!this.guard.admit(session)) {
      this.logs.total.write(`refused ${session.label}: already ${this.guard.maxConnections} connections`);
      session.close();
      return;
    }
    this.sessions.add(session);
  }

  private guardClose(s: ClientSession, why: GuardReason, idleMs: number): void {
    const idle = (idleMs / 1000).toFixed(1);
    this.logs.total.write(
      why === 'evicted'
        ? `${s.label}: closed to make room (limit ${this.guard.maxConnections}): idle longest (${idle} s)${s.currentMode === 'nobus' ? ', no bus opened' : ''}`
        : `${s.label}: closed: no bus opened and silent for ${idle} s (timeout ${this.guard.idleTimeoutMs / 1000} s)`,
    );
    s.close();
  }

  private openBus(name: string): HubBus | string {
    if (name.length === 0) return 'empty bus name';
    if (name.length > MAX_BUS_NAME_LENGTH) return `bus name longer than ${MAX_BUS_NAME_LENGTH} characters`;
    let bus = this.buses.get(name);
    if (!bus) {
      if (this.buses.size >= this.opts.maxBuses) return `the hub already has ${this.opts.maxBuses} buses`;
      bus = new HubBus(name, this.clock);
      this.buses.set(name, bus);
    }
    return bus;
  }
}
