/**
 * The Node side of the lock-step clock protocol (docs/lockstep.md), for a controller written in TypeScript or
 * JavaScript: a `Clock` that moves only when the harness grants time, and the byte counting the protocol needs.
 *
 *   const ls = await LockstepClient.fromEnv();   // undefined when not started by `hil run` in lock step
 *   const clock = ls?.clock ?? new RealClock();  // give this clock to everything that waits or times out
 *   ... open buses and Modbus connections, start ...
 *   ls?.ready();
 *
 * Every TCP connection the process opens after `fromEnv` is counted (it wraps `net.Socket.prototype.connect`): the
 * bytes read and written on them are the protocol's `rx` and `tx`, the connections made its `conns`. So a controller
 * using this client should open no TCP connection other than its data connections to the bench.
 */
import * as net from 'node:net';
import type { Clock } from '../../core/clock';
import { GrantedClock } from './granted-clock';
import { encodeMessage, LineSplitter, LOCKSTEP_FD, LOCKSTEP_FD_ENV, LOCKSTEP_PROTOCOL, parseHarnessMessage, type GrantMessage } from './messages';

/** How often (wall ms) a clock left on its own after the session ended moves on, in real time. */
const FREE_RUN_TICK_MS = 10;

/**
 * One controller's lock-step session.
 *
 * Contract: `clock` reads the last granted time (it moves the moment a grant is read, before the bytes sent at that
 * instant are handled) and fires its timers only when a grant reaches their due time. On each grant the client
 * (1) waits until it has read as many bytes as the harness says it sent, (2) runs every timer
 * due at or before the granted time, (3) lets the process settle (promise chains, socket events, timers set for the
 * same instant, connections in progress) until nothing changes for two event-loop turns, then (4) reports its next
 * timer as `wake` with its byte and connection counts. After the harness ends the session (or the channel closes)
 * the clock runs on in real time from the last granted instant, so shutdown code that waits still finishes.
 */
export class LockstepClient {
  private readonly virtual: GrantedClock;
  private readonly sockets = new Set<net.Socket>();
  private connected = 0;
  private isReady = false;
  private ended = false;
  private busy: Promise<void> = Promise.resolve();
  private firstGrant: ((now: number) => void) | undefined;
  private restore: (() => void) | undefined;

  private constructor(
    private readonly channel: net.Socket,
    private readonly onError: (message: string) => void,
  ) {
    this.virtual = new GrantedClock(0, (err) => this.onError(`lock step: a timer callback threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    this.restore = trackConnects((s) => this.track(s));
    const splitter = new LineSplitter((line) => this.onLine(line));
    channel.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (err) {
        this.fail((err as Error).message);
      }
    });
    channel.on('error', (err) => this.fail(`lock-step channel: ${err.message}`));
    channel.on('close', () => this.end());
  }

  /** The clock to give to everything in the controller that reads time, waits or times out. */
  get clock(): Clock {
    return this.virtual;
  }

  /**
   * Open the session on the inherited channel named by `HIL_LOCKSTEP_FD`, say hello and wait for the first grant.
   * Resolves `undefined` when the variable is not set (the controller was not started in lock step).
   */
  static async fromEnv(env: NodeJS.ProcessEnv = process.env, onError: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<LockstepClient | undefined> {
    const text = env[LOCKSTEP_FD_ENV];
    if (text === undefined || text === '') return undefined;
    const fd = Number(text);
    if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`${LOCKSTEP_FD_ENV}='${text}' is not a file descriptor (the harness passes ${LOCKSTEP_FD})`);
    return LockstepClient.open(new net.Socket({ fd, readable: true, writable: true }), onError);
  }

  /** Open the session on a connected stream (tests; `fromEnv` for a controller process). */
  static async open(channel: net.Socket, onError: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<LockstepClient> {
    const c = new LockstepClient(channel, onError);
    const first = new Promise<number>((resolve) => (c.firstGrant = resolve));
    channel.write(encodeMessage({ type: 'hello', protocol: LOCKSTEP_PROTOCOL }));
    await first;
    return c;
  }

  /** Say that start-up is over: the harness starts the scenario (t=0) after the report that carries it. */
  ready(): void {
    this.isReady = true;
  }

  /** Count a socket this client did not see connecting (one made before `fromEnv`, or given by a library). */
  track(socket: net.Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    if (socket.connecting) socket.once('connect', () => this.connected++);
    else if (!socket.destroyed) this.connected++;
  }

  /** Stop counting new connections (the channel stays as it is). */
  close(): void {
    this.restore?.();
    this.restore = undefined;
  }

  private bytesRead(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesRead;
    return n;
  }

  private bytesWritten(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesWritten;
    return n;
  }

  private connecting(): boolean {
    for (const s of this.sockets) if (s.connecting && !s.destroyed) return true;
    return false;
  }

  private onLine(line: string): void {
    const m = parseHarnessMessage(line);
    if (m.type === 'end') {
      this.end();
      return;
    }
    // The time moves at once, before any byte sent at this instant is handled (they come after the grant).
    this.virtual.grant(m.now);
    // Grants come one at a time (the harness waits for each report), but keep them in order regardless.
    this.busy = this.busy.then(() => this.onGrant(m)).catch((err: unknown) => this.fail((err as Error).message));
  }

  private async onGrant(g: GrantMessage): Promise<void> {
    // (1) Everything the harness sent before this grant has been read.
    while (this.bytesRead() < g.rx && !this.ended) await turn();
    if (this.firstGrant) {
      const resolve = this.firstGrant;
      this.firstGrant = undefined;
      resolve(g.now);
    }
    // (2) Timers due by the granted time, letting promise chains run between them.
    await this.virtual.runDue(turn);
    // (3) Settle: until two turns of the event loop change nothing.
    let last = '';
    for (let quiet = 0; quiet < 2; ) {
      await turn();
      await this.virtual.runDue(turn);
      const snapshot = `${this.bytesRead()} ${this.bytesWritten()} ${this.connected} ${this.virtual.pending} ${this.virtual.nextDue() ?? ''}`;
      if (snapshot === last && !this.connecting()) quiet++;
      else {
        quiet = 0;
        last = snapshot;
      }
    }
    if (this.ended) return;
    // (4) Report.
    this.channel.write(
      encodeMessage({ type: 'done', wake: this.virtual.nextDue() ?? null, rx: this.bytesRead(), tx: this.bytesWritten(), conns: this.connected, ready: this.isReady }),
    );
  }

  private fail(message: string): void {
    this.onError(`lock step: ${message}`);
    this.channel.destroy();
  }

  /** The session is over: from now on the clock follows real time. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.close();
    let wall = Date.now();
    const tick = setInterval(() => {
      const now = Date.now();
      this.virtual.grant(this.virtual.now() + (now - wall));
      wall = now;
      void this.virtual.runDue(async () => undefined);
    }, FREE_RUN_TICK_MS);
    tick.unref();
    this.channel.destroy();
  }
}

/** One turn of the event loop (I/O callbacks and the microtasks they queue run before it resolves). */
function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Call `onSocket` for every socket that starts connecting from now on; returns the undo. */
function trackConnects(onSocket: (s: net.Socket) => void): () => void {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const r = original.apply(this, args);
    onSocket(this);
    return r;
  };
  return () => {
    if (proto.connect !== original) proto.connect = original;
  };
}
