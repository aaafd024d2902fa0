import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../../core/clock';
import { validateFrame, type CanFrame } from '../frame';
import { BcmState } from './bcm';
import type { HubBus, HubMember } from './hub-bus';
import {
  MAX_BUS_NAME_LENGTH,
  formatErrorMessage,
  formatStatMessage,
  parseMessage,
  type SocketcandMessage,
} from './messages';
import type { RateLimitedLog } from '../../../core/log/rate-limited-log';
import { SocketcandTokenizer, type DropReason } from './tokenizer';

/** socketcand connection modes. */
export type SessionMode = 'nobus' | 'bcm' | 'raw' | 'control' | 'closed';

/** What a slow client (its unsent output over the bound) gets: its frames dropped and counted, or disconnected. */
export type SlowClientPolicy = 'drop' | 'disconnect';

/** Counters of one TCP client. */
export interface ClientStats {
  /** `ip:port` of the client. */
  remote: string;
  bus: string | undefined;
  mode: SessionMode;
  bytesIn: number;
  bytesOut: number;
  /** Well-formed messages received. */
  messagesIn: number;
  /** Frames the client put on the bus (`send`, `sendrtr`, BCM jobs). */
  framesIn: number;
  /** Frames written to the client. */
  framesOut: number;
  /** Frames not written because the client's unsent output was over the bound. */
  framesDropped: number;
  /** Replies not written for the same reason (a client sending commands without reading the answers). */
  repliesDropped: number;
  /** Input dropped, by reason: tokenizer reasons plus `bad-message` (unparsable) and `bad-state` (wrong mode). */
  drops: Record<string, number>;
}

/** What a session needs from the server. */
export interface SessionContext {
  clock: Clock;
  /** This client's log (rate-limited), given its label; flushed when the session ends. */
  log(label: string): RateLimitedLog;
  /** Bytes came from the client, or went to it; `established` once it opened a bus. */
  onActivity(session: ClientSession, established: boolean): void;
  maxMessageLength: number;
  maxBufferedBytes: number;
  slowClientPolicy: SlowClientPolicy;
  rawModeHoldMs: number;
  /** Find or create the named bus; a string is a refusal reason. */
  openBus(name: string): HubBus | string;
  onClosed(session: ClientSession): void;
}

/**
 * One TCP client of the hub: the socketcand state machine (NO_BUS -> BCM/RAW/CONTROL), its output buffer and
 * counters. Bad input from this client is counted and logged here and never reaches other clients.
 */
export class ClientSession implements HubMember {
  readonly label: string;
  readonly stats: ClientStats;
  private mode: SessionMode = 'nobus';
  private bus: HubBus | undefined;
  private readonly tokenizer: SocketcandTokenizer;
  private readonly log: RateLimitedLog;
  private readonly bcm: BcmState;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushHandle: NodeJS.Immediate | undefined;
  private dropping = 0;
  private statTimer: TimerHandle | undefined;
  private tornDown = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private dataBytesIn = 0;
  private dataBytesOut = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: SessionContext,
  ) {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.label = `client ${remote}`;
    this.stats = {
      remote,
      bus: undefined,
      mode: 'nobus',
      bytesIn: 0,
      bytesOut: 0,
      messagesIn: 0,
      framesIn: 0,
      framesOut: 0,
      framesDropped: 0,
      repliesDropped: 0,
      drops: {},
    };
    this.log = ctx.log(this.label);
    this.tokenizer = new SocketcandTokenizer(
      (text) => this.onMessage(text),
      (reason, excerpt) => this.drop(reason, `${reason}: '${excerpt}'`),
      { maxMessageLength: ctx.maxMessageLength },
    );
    this.bcm = new BcmState(ctx.clock, (frame) => this.putOnBus(frame));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesIn += chunk.length;
      ctx.onActivity(this, false);
      if (this.mode !== 'closed') this.tokenizer.push(chunk);
    });
    socket.on('error', (err) => this.log.always(`socket error: ${err.message}`));
    socket.on('close', () => this.teardown());
    this.write('< hi >');
  }

  get currentMode(): SessionMode {
    return this.mode;
  }

  /** Close the connection (server shutdown, or the server's connection limits after logging why). */
  close(): void {
    this.teardown();
    this.socket.destroy();
  }

  receive(frame: Readonly<CanFrame>, wire: () => string): void {
    if (this.mode === 'raw' || (this.mode === 'bcm' && this.bcm.wants(frame))) {
      if (this.enqueueFrame(wire())) this.dataBytesOut += frame.data.length;
    }
  }

  /**
   * python-can 4.1 reads the `< ok >` of rawmode with one recv() and fails unless it holds exactly `< ok >`. So the
   * `< ok >` goes out alone and frames wait (queued, subject to the output bound) until the client shows it read
   * the `< ok >` by sending anything, or `rawModeHoldMs` of wall time passed.
   */
  private holdAfterOk(): void {
    if (this.ctx.rawModeHoldMs <= 0) return;
    this.flush();
    this.releaseHold();
    this.holdTimer = setTimeout(() => this.releaseHold(), this.ctx.rawModeHoldMs);
    this.holdTimer.unref();
  }

  private releaseHold(): void {
    if (this.holdTimer === undefined) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.flush();
  }

  private onMessage(text: string): void {
    if (this.mode === 'closed') return;
    this.releaseHold();
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      this.drop('bad-message', `bad message '< ${short(text)} >': ${parsed.reason}`);
      this.reply(formatErrorMessage(parsed.reason));
      return;
    }
    this.stats.messagesIn++;
    this.handle(parsed.message, text);
  }

  private handle(m: SocketcandMessage, text: string): void {
    if (m.kind === 'echo') {
      this.reply('< echo >');
      return;
    }
    if (this.mode === 'nobus') {
      if (m.kind === 'open') this.open(m.bus);
      else this.refuse(text, 'no bus open (send < open bus > first)');
      return;
    }
    switch (m.kind) {
      case 'rawmode':
      case 'bcmmode':
      case 'controlmode':
        this.switchMode(m.kind === 'rawmode' ? 'raw' : m.kind === 'bcmmode' ? 'bcm' : 'control');
        this.reply('< ok >');
        if (m.kind === 'rawmode') this.holdAfterOk();
        return;
      case 'send':
        if (this.mode === 'control') this.refuse(text, 'send is not available in control mode');
        else this.putOnBus(m.frame);
        return;
      case 'statistics':
        if (this.mode !== 'control') this.refuse(text, 'statistics needs control mode');
        else this.startStatistics(m.intervalMs);
        return;
      case 'add':
      case 'update':
      case 'delete':
      case 'subscribe':
      case 'unsubscribe':
        if (this.mode !== 'bcm') this.refuse(text, `${m.kind} needs BCM mode`);
        else this.handleBcm(m, text);
        return;
      case 'isotpmode':
      case 'unsupported':
        this.refuse(text, `${m.kind === 'unsupported' ? m.verb : m.kind} is not supported by this hub`);
        return;
      default:
        this.refuse(text, `'${m.kind}' is not a client command here`);
    }
  }

  private handleBcm(m: SocketcandMessage, text: string): void {
    switch (m.kind) {
      case 'add':
        try {
          this.bcm.add(m.frame, m.intervalUs);
        } catch (err) {
          this.refuse(text, (err as Error).message);
        }
        return;
      case 'update':
        if (!this.bcm.update(m.frame)) this.refuse(text, `no send job for id ${m.frame.id.toString(16)}`);
        return;
      case 'delete':
        if (!this.bcm.delete(m.id, m.extended)) this.refuse(text, `no send job for id ${m.id.toString(16)}`);
        return;
      case 'subscribe':
        this.bcm.subscribe(m.id, m.extended, m.intervalUs);
        return;
      case 'unsubscribe':
        this.bcm.unsubscribe(m.id, m.extended);
        return;
      default:
    }
  }

  private open(name: string): void {
    let refusal: string | undefined;
    if (name.length > MAX_BUS_NAME_LENGTH) refusal = `bus name longer than ${MAX_BUS_NAME_LENGTH} characters`;
    else if (!/^[\x21-\x7e]+$/.test(name)) refusal = 'bus name has characters other than printable ASCII';
    const bus = refusal === undefined ? this.ctx.openBus(name) : refusal;
    if (typeof bus === 'string') {
      this.log.always(`could not open bus '${short(name)}': ${bus}; closing`);
      this.write(formatErrorMessage(`could not open bus: ${bus}`));
      this.mode = 'closed';
      this.stats.mode = 'closed';
      this.flush();
      this.socket.end();
      return;
    }
    this.bus = bus;
    this.stats.bus = name;
    this.ctx.onActivity(this, true);
    bus.join(this);
    this.switchMode('bcm');
    this.write('< ok >');
  }

  private switchMode(mode: SessionMode): void {
    if (this.mode === 'bcm' && mode !== 'bcm') this.bcm.clear();
    if (this.mode === 'control' && mode !== 'control') this.stopStatistics();
    this.mode = mode;
    this.stats.mode = mode;
  }

  private putOnBus(frame: CanFrame): void {
    try {
      validateFrame(frame);
    } catch (err) {
      this.refuse(`frame ${frame.id.toString(16)}`, (err as Error).message);
      return;
    }
    this.stats.framesIn++;
    this.dataBytesIn += frame.data.length;
    this.bus?.broadcast(this, frame);
  }

  private startStatistics(intervalMs: number): void {
    this.stopStatistics();
    if (intervalMs === 0) return;
    const tick = (): void => {
      this.reply(formatStatMessage(this.statCounters()));
      this.statTimer = this.ctx.clock.setTimeout(tick, intervalMs);
    };
    this.statTimer = this.ctx.clock.setTimeout(tick, intervalMs);
  }

  /** Cumulative, like socketcand's interface counters, but for this client: frames and data bytes received/sent. */
  private statCounters(): { rbytes: number; rpackets: number; tbytes: number; tpackets: number } {
    return { rbytes: this.dataBytesOut, rpackets: this.stats.framesOut, tbytes: this.dataBytesIn, tpackets: this.stats.framesIn };
  }

  private stopStatistics(): void {
    if (this.statTimer !== undefined) this.ctx.clock.clearTimer(this.statTimer);
    this.statTimer = undefined;
  }

  private refuse(text: string, reason: string): void {
    this.drop('bad-state', `refused '< ${short(text)} >': ${reason}`);
    this.reply(formatErrorMessage(reason));
  }

  private drop(reason: DropReason | 'bad-message' | 'bad-state', line: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
    this.log.write(`dropped input: ${line}`);
  }

  /** Queue a frame message; false if it was dropped. */
  private enqueueFrame(s: string): boolean {
    const queued = this.socket.writableLength + this.pendingBytes;
    if (queued + s.length > this.ctx.maxBufferedBytes) {
      this.stats.framesDropped++;
      this.bus?.countDrop();
      if (this.ctx.slowClientPolicy === 'disconnect') {
        this.log.always(`not reading: ${queued} bytes unsent (bound ${this.ctx.maxBufferedBytes}); disconnecting`);
        this.close();
        return false;
      }
      if (this.dropping++ === 0) {
        this.log.always(`not reading fast enough: ${queued} bytes unsent (bound ${this.ctx.maxBufferedBytes}); dropping its frames`);
      }
      return false;
    }
    if (this.dropping > 0) {
      this.log.always(`reading again after ${this.dropping} frames dropped`);
      this.dropping = 0;
    }
    this.stats.framesOut++;
    this.write(s);
    return true;
  }

  /**
   * Queue a reply (`< ok >`, `< error >`, `< echo >`, `< stat >`) under the same output bound as frames: a client
   * that floods commands without reading its replies cannot grow the hub's memory.
   */
  private reply(s: string): void {
    if (this.socket.writableLength + this.pendingBytes + s.length > this.ctx.maxBufferedBytes) {
      this.stats.repliesDropped++;
      if (this.ctx.slowClientPolicy === 'disconnect') {
        this.log.always('not reading its replies; disconnecting');
        this.close();
      } else if (this.stats.repliesDropped === 1) {
        this.log.always('not reading its replies; dropping them (counted)');
      }
      return;
    }
    this.write(s);
  }

  /** Queue output; all output of one event-loop turn goes out in one write. */
  private write(s: string): void {
    if (this.socket.destroyed) return;
    this.pending.push(s);
    this.pendingBytes += s.length;
    this.flushHandle ??= setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    if (this.pending.length === 0 || this.socket.destroyed || this.holdTimer !== undefined) return;
    const out = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.stats.bytesOut += out.length;
    this.ctx.onActivity(this, false);
    this.socket.write(out, 'latin1');
  };

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.bcm.clear();
    this.stopStatistics();
    this.mode = 'closed';
    this.stats.mode = 'closed';
    this.bus?.leave(this);
    this.bus = undefined;
    this.log.flush();
    this.ctx.onClosed(this);
  }
}

function short(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}...` : clean;
}
