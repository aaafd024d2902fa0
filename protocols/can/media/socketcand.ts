import { connect, type Socket } from 'node:net';
import { ClosedError, ConfigError, DisconnectedError, HilTimeoutError, OperationError } from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import type { CanFrame } from '../frame';
import { DEFAULT_SOCKETCAND_PORT, formatSendMessage, parseMessage, type SocketcandMessage } from '../socketcand/messages';
import { RateLimitedLog } from '../../../core/log/rate-limited-log';
import { stderrLog, type LogSink } from '../socketcand/stderr-log';
import { SocketcandTokenizer } from '../socketcand/tokenizer';

/** Options for {@link SocketcandBus.connect}. */
export interface SocketcandBusOptions extends CanBusOptions {
  host?: string;
  /** Default 29536. */
  port?: number;
  /** Bus name on the server (`< open bus >`), at most 16 characters. */
  bus: string;
  /** Give up on connect + handshake after this many ms of wall time (default 5000). */
  connectTimeoutMs?: number;
  /** Log sink for dropped input and server errors (default stderr, rate-limited). */
  log?: LogSink;
}

type Step = 'hi' | 'open' | 'rawmode' | 'ready';

/** `send` waits for 'drain' when this much is buffered in Node for the socket. */
const WRITE_HIGH_WATER = 64 * 1024;
/** Queued output is written at once when a batch reaches this size. */
const OUT_BATCH = 16 * 1024;
/** How long `close` lets the server acknowledge the end of the connection before destroying it. */
const CLOSE_GRACE_MS = 500;

/**
 * `socketcand://host:port/bus`: a CAN bus through a socketcand server (ours or linux-can's) in raw mode.
 *
 * Contract (beyond `CanBus`):
 * - `connect` resolves once the server said `< hi >`, accepted `< open bus >` and `< rawmode >`. A refused TCP
 *   connection rejects with `OperationError` naming host:port; a server that refuses the bus rejects with
 *   `OperationError` carrying the server's text; no answer in `connectTimeoutMs` rejects with `HilTimeoutError`.
 * - `send` resolves once the message is queued for the socket (waiting for 'drain' when Node's buffer is full);
 *   frames queued before `close()` are still written.
 *   Error and FD frames cannot be carried: `OperationError`.
 * - When the server goes away, the bus closes itself: pending `recv` resolves null, iteration ends, and `send`
 *   rejects with `DisconnectedError` (not `ClosedError`); `disconnected` holds that error.
 * - Input that breaks the protocol is dropped, counted in `stats.rxMalformed` and logged (rate-limited); `< error
 *   ... >` messages from the server are counted in `serverErrors` and logged.
 */
export class SocketcandBus extends BaseCanBus {
  readonly medium = 'socketcand';
  readonly host: string;
  readonly port: number;
  /** `< error ... >` messages received from the server after the handshake. */
  serverErrors = 0;
  private readonly socket: Socket;
  private readonly log: RateLimitedLog;
  private readonly tokenizer: SocketcandTokenizer;
  private step: Step = 'hi';
  private disconnectError: DisconnectedError | undefined;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private echoWaiters: Array<{ resolve: (ms: number) => void; reject: (e: Error) => void; at: number }> = [];
  private handshake: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private closingByUs = false;
  private unsolicitedEchoes = 0;
  private out: string[] = [];
  private outBytes = 0;
  private outImmediate: NodeJS.Immediate | undefined;
  private lastSocketError: Error | undefined;
  private socketClosed: Promise<void>;

  private constructor(socket: Socket, options: SocketcandBusOptions, host: string, port: number) {
    super(options.bus, options);
    this.host = host;
    this.port = port;
    this.socket = socket;
    this.log = new RateLimitedLog(options.log ?? stderrLog, `socketcand client ${host}:${port}/${options.bus}`, { clock: this.clock });
    this.tokenizer = new SocketcandTokenizer(
      (text) => this.onMessage(text),
      (reason, excerpt) => {
        this.countMalformed();
        this.log.write(`dropped input (${reason}): '${excerpt}'`);
      },
    );
    this.socketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connect, open `bus` and switch to raw mode. See the class contract for failures. */
  static connect(options: SocketcandBusOptions): Promise<SocketcandBus> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? DEFAULT_SOCKETCAND_PORT;
    const where = `${host}:${port}`;
    if (!/^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(options.bus)) {
      return Promise.reject(new ConfigError(`socketcand bus name '${options.bus}' must be printable ASCII without blanks or < >`));
    }
    return new Promise<SocketcandBus>((resolve, reject) => {
      const socket = connect({ host, port });
      const bus = new SocketcandBus(socket, options, host, port);
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        bus.handshake = undefined;
        bus.closingByUs = true;
        socket.destroy();
        void bus.close();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new HilTimeoutError(`socketcand ${where}: no handshake within ${options.connectTimeoutMs ?? 5000} ms`)),
        options.connectTimeoutMs ?? 5000,
      );
      bus.handshake = {
        resolve: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          bus.handshake = undefined;
          resolve(bus);
        },
        reject: fail,
      };
      socket.once('connect', () => socket.setNoDelay(true));
      socket.on('data', (chunk: Buffer) => bus.tokenizer.push(chunk));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!bus.handshake) {
          bus.lastSocketError = err; // 'close' follows and reports the disconnect
          return;
        }
        fail(
          new OperationError(
            err.code === 'ECONNREFUSED'
              ? `socketcand: cannot connect to ${where}: connection refused (is the server running?)`
              : `socketcand ${where}: ${err.code ?? err.message}`,
            { cause: err },
          ),
        );
      });
      socket.on('close', () => bus.onSocketClose());
      socket.on('drain', () => {
        for (const w of bus.drainWaiters.splice(0)) w.resolve();
      });
    });
  }

  /** This end of the TCP connection, `ip:port` (as the server's per-client counters name it). */
  get localAddress(): string {
    return `${this.socket.localAddress ?? '?'}:${this.socket.localPort ?? '?'}`;
  }

  /** Set once the server went away (the bus is then closed). */
  get disconnected(): DisconnectedError | undefined {
    return this.disconnectError;
  }

  override async send(frame: CanFrame): Promise<void> {
    if (this.disconnectError) throw this.disconnectError;
    return super.send(frame);
  }

  /** Round trip of `< echo >` in ms of wall time. Everything sent before has been handled by the server when it
   * resolves (TCP keeps order), so tests use it as a barrier. Rejects on close or disconnect. */
  ping(): Promise<number> {
    if (this.disconnectError) return Promise.reject(this.disconnectError);
    if (this.closed) return Promise.reject(new ClosedError(`CAN bus socketcand:${this.channel}`));
    return new Promise((resolve, reject) => {
      this.echoWaiters.push({ resolve, reject, at: performance.now() });
      this.queueOut('< echo >');
      this.flushOut();
    });
  }

  protected transmit(frame: CanFrame): Promise<void> | void {
    if (this.disconnectError) throw this.disconnectError;
    if (frame.error || frame.fd) {
      throw new OperationError(`socketcand cannot carry ${frame.error ? 'error' : 'CAN FD'} frames`);
    }
    this.queueOut(formatSendMessage(frame));
    if (this.socket.writableLength < WRITE_HIGH_WATER) return;
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /**
   * Output is batched: everything sent in one event-loop turn goes out in one write (one syscall instead of one
   * per frame), flushed at once when a batch reaches OUT_BATCH bytes.
   */
  private queueOut(s: string): void {
    this.out.push(s);
    this.outBytes += s.length;
    if (this.outBytes >= OUT_BATCH) this.flushOut();
    else this.outImmediate ??= setImmediate(this.flushOut);
  }

  private readonly flushOut = (): void => {
    if (this.outImmediate) clearImmediate(this.outImmediate);
    this.outImmediate = undefined;
    if (this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0]! : this.out.join('');
    this.out = [];
    this.outBytes = 0;
    if (!this.socket.destroyed) this.socket.write(data, 'latin1');
  };

  protected async closeMedium(): Promise<void> {
    this.closingByUs = true;
    const err = this.disconnectError ?? new ClosedError(`CAN bus socketcand:${this.channel}`);
    for (const w of this.drainWaiters.splice(0)) w.reject(err);
    for (const w of this.echoWaiters.splice(0)) w.reject(err);
    // Frames whose send resolved are still delivered: flush, then end gracefully (destroy if the peer lingers).
    this.flushOut();
    if (this.socket.destroyed || this.disconnectError) this.socket.destroy();
    else {
      this.socket.end();
      const force = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      force.unref();
      await this.socketClosed;
      clearTimeout(force);
    }
    await this.socketClosed;
    this.log.flush();
  }

  private onSocketClose(): void {
    this.tokenizer.flush();
    if (this.handshake) {
      this.handshake.reject(
        new OperationError(`socketcand ${this.host}:${this.port}: server closed the connection during the handshake`, {
          cause: this.lastSocketError,
        }),
      );
      return;
    }
    if (this.closingByUs || this.closed) return;
    this.disconnectError = new DisconnectedError(
      `socketcand server ${this.host}:${this.port} closed the connection${this.lastSocketError ? ` (${this.lastSocketError.message})` : ''}`,
      { cause: this.lastSocketError },
    );
    this.log.flush();
    this.log.always(this.disconnectError.message);
    void this.close();
  }

  private onMessage(text: string): void {
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      this.countMalformed();
      this.log.write(`dropped message '< ${text.slice(0, 60)} >': ${parsed.reason}`);
      return;
    }
    const m = parsed.message;
    if (this.step !== 'ready') {
      this.onHandshake(m);
      return;
    }
    switch (m.kind) {
      case 'frame':
        this.deliver(m.frame);
        return;
      case 'echo': {
        if (this.unsolicitedEchoes > 0) {
          this.unsolicitedEchoes--;
          return;
        }
        const w = this.echoWaiters.shift();
        w?.resolve(performance.now() - w.at);
        return;
      }
      case 'error':
        this.serverErrors++;
        this.log.write(`server error: ${m.text}`);
        return;
      default:
        this.countMalformed();
        this.log.write(`unexpected message '< ${text.slice(0, 60)} >' in raw mode`);
    }
  }

  private onHandshake(m: SocketcandMessage): void {
    const hs = this.handshake;
    if (!hs) return;
    const where = `socketcand ${this.host}:${this.port}`;
    if (m.kind === 'error') {
      hs.reject(new OperationError(`${where} refused bus '${this.channel}' (${this.step}): ${m.text}`));
      return;
    }
    const expected = this.step === 'hi' ? 'hi' : 'ok';
    if (m.kind !== expected) {
      hs.reject(new OperationError(`${where}: expected < ${expected} > during the handshake, got < ${m.kind} >`));
      return;
    }
    if (this.step === 'hi') {
      this.step = 'open';
      this.socket.write(`< open ${this.channel} >`);
    } else if (this.step === 'open') {
      this.step = 'rawmode';
      this.socket.write('< rawmode >');
    } else {
      this.step = 'ready';
      // Tells the hub we read the < ok > (it holds frames until then, for python-can's sake); the echo that comes
      // back finds no ping waiting and is ignored.
      this.queueOut('< echo >');
      this.unsolicitedEchoes++;
      hs.resolve();
    }
  }
}
