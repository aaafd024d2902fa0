import { LazyIdleGc, type Clock, type IdleGcOptions, type IdleGcStats, type TimerHandle } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import { RateLimitedLog, type RateLimitedLogOptions } from '../../../core/log/rate-limited-log';
import { appendCrc, crc16Modbus } from '../framer/crc';
import type { ModbusFault } from '../faults';
import { RtuFramer, type RtuDropReason, type RtuFramerStats, type RtuFrame } from '../framer/rtu-framer';
import type { RtuLink } from './rtu-link';
import { SerialLink, type SerialLinkOptions } from './rtu-serial-link';
import { t35Ms, wireTimeMs } from './rtu-timing';
import type { ModbusServerCore } from '../server-core';

export interface RtuServerOptions {
  /** The shared server core holding the units (several unit ids on one line). */
  core: ModbusServerCore;
  /** The line. Closed by `close()`. */
  link: RtuLink;
  /** Clock for gaps, delays and the silence timer (default: the core's clock). */
  clock?: Clock;
  /**
   * Silence kept between the end of a request and the start of our reply, in ms. Default t3.5 of the link's baud
   * rate (the standard: the master needs it to see the request end). 0 answers as soon as the reply is ready.
   */
  replyGapMs?: number;
  /**
   * Dropped input and write failures are reported here, one line each (default: only counted), at most
   * `logRate.limit` lines per `logRate.windowMs` of the clock (default 20 per 10 s; a line full of noise cannot
   * flood the log), then one line counting what was held back. What the link could not set up (its `notes`: a port
   * that refused low-latency mode) is written here once, when the server starts.
   */
  log?: (line: string) => void;
  logRate?: Omit<RateLimitedLogOptions, 'clock'>;
  /**
   * Young-generation GC right after a reply (issue 19), when the young generation is filling up: a master on a
   * half-duplex line cannot start its next request before our reply has left and t3.5 has passed, so a scavenge
   * there does not land inside a request, where V8 would otherwise run it. Uses {@link IdleGc} with that time
   * (reply wire time + t3.5) as the idle time and `minFreeMs` 1 unless given. Default: on with a real-time clock, off
   * with a virtual one; `false` leaves GC to V8.
   */
  idleGc?: boolean | IdleGcOptions;
}

export interface RtuServerStats {
  /** Frames addressed to one of our units (broadcasts included) handed to the core. */
  requests: number;
  /** Frames for unit ids we do not serve: no reply, by the multi-drop rule. */
  otherUnits: number;
  /** Replies written (faulted ones included). */
  replies: number;
  /** Requests the core planned no reply for (broadcast, no-response fault). */
  silent: number;
  /** Replies that failed to write (I/O error, line closed). */
  writeErrors: number;
  rxBytes: number;
  txBytes: number;
}

/**
 * A Modbus RTU server on one serial line: several unit ids (multi-drop) served by one {@link ModbusServerCore}.
 *
 * Contract:
 * - Frames are found by the {@link RtuFramer} (content, then CRC, gaps as hints); malformed input is dropped and
 *   counted by reason in `framerStats`, never thrown.
 * - A request for a unit the core does not serve gets no reply and does not reach the core (it belongs to
 *   another server on the line). Unit 0 is broadcast: the core executes writes and nothing is sent.
 * - Replies leave no earlier than `replyGapMs` (t3.5) after the request's last byte, plus any planned delay, one
 *   at a time in request order. ADU faults from the plan are applied here: wrong unit id, bad CRC, truncate, split.
 * - `close()` cancels pending replies and timers, closes the link, and is idempotent. A link closed from the far
 *   side (device unplugged) closes the server; `closed` resolves with the reason.
 */
export class ModbusRtuServer {
  readonly stats: RtuServerStats = { requests: 0, otherUnits: 0, replies: 0, silent: 0, writeErrors: 0, rxBytes: 0, txBytes: 0 };
  readonly link: RtuLink;
  /** Resolves when the server has closed: `undefined` after `close()`, the error when the line went away. */
  readonly closed: Promise<Error | undefined>;
  private readonly core: ModbusServerCore;
  private readonly clock: Clock;
  private readonly framer: RtuFramer;
  private readonly replyGapMs: number;
  private readonly log: RateLimitedLog;
  private silenceTimer: TimerHandle | undefined;
  private readonly waits = new Map<TimerHandle, () => void>();
  private txChain: Promise<void> = Promise.resolve();
  /** Replies queued on `txChain` and not yet handed to the link. */
  private txQueued = 0;
  private isClosed = false;
  private resolveClosed!: (err: Error | undefined) => void;
  /** Reply of the fast path (no ADU fault, no wait), built in place: unit id, PDU, CRC. */
  private readonly txBuf = new Uint8Array(TX_BYTES);
  /** `txBuf.subarray(0, n)` by `n`, made once each. */
  private readonly txViews: Array<Uint8Array | undefined> = [];
  /** Bytes of the replies handed to the link in the current `receive` (for the idle time after them). */
  private sentInTurn = 0;
  private readonly idleGc: LazyIdleGc;
  private readonly t35: number;

  constructor(options: RtuServerOptions) {
    this.core = options.core;
    this.link = options.link;
    this.clock = options.clock ?? options.core.clock;
    this.t35 = t35Ms(this.link.baudRate);
    this.replyGapMs = options.replyGapMs ?? this.t35;
    const idle = options.idleGc ?? this.clock.kind === 'real';
    this.idleGc = new LazyIdleGc(idle === false ? undefined : { minFreeMs: 1, ...(idle === true ? {} : idle) });
    this.log = new RateLimitedLog(options.log ?? (() => undefined), `modbus rtu ${this.link.path}`, { ...options.logRate, clock: this.clock });
    for (const note of this.link.notes ?? []) this.log.always(note);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.framer = new RtuFramer({
      kind: 'request',
      baudRate: this.link.baudRate,
      bitsPerChar: this.link.bitsPerChar,
      onDrop: (reason: RtuDropReason, bytes: Uint8Array, length: number) =>
        this.log.write(`dropped ${length} byte(s), ${reason}: ${hexdump(bytes)}`),
    });
    this.link.onData((chunk) => this.receive(chunk));
    this.link.onClose((err) => void this.shutdown(err));
  }

  /** Open a serial port or pty with `serialport` and serve `core` on it. */
  static async open(options: SerialLinkOptions & Omit<RtuServerOptions, 'link'>): Promise<ModbusRtuServer> {
    const link = await SerialLink.open(options);
    return new ModbusRtuServer({ ...options, link });
  }

  /** Framing counters: frames found, drops by reason (bad-crc, garbage, truncated, too-long). */
  get framerStats(): Readonly<RtuFramerStats> {
    return this.framer.stats;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Stop serving and close the link. Idempotent. */
  async close(): Promise<void> {
    await this.shutdown(undefined);
  }

  private async shutdown(err: Error | undefined): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.silenceTimer !== undefined) this.clock.clearTimer(this.silenceTimer);
    this.silenceTimer = undefined;
    for (const [h, wake] of this.waits) {
      this.clock.clearTimer(h);
      wake();
    }
    this.waits.clear();
    this.log.flush();
    await this.link.close();
    this.resolveClosed(err);
  }

  private receive(chunk: Uint8Array): void {
    if (this.isClosed) return;
    this.stats.rxBytes += chunk.length;
    const frames = this.framer.push(chunk, this.clock.now());
    this.armSilence();
    this.sentInTurn = 0;
    for (const f of frames) this.serve(f);
    if (this.sentInTurn > 0) this.afterReply(this.sentInTurn, this.txQueued);
  }

  /**
   * A reply of `bytes` is with the link and `waiting` replies are queued behind it: with none, and no request
   * being received, the master cannot speak until the reply has left and t3.5 more. The place to scavenge.
   */
  private afterReply(bytes: number, waiting: number): void {
    if (this.isClosed || waiting > 0 || this.framer.silenceDueAt !== undefined) return;
    this.idleGc.get()?.idle(wireTimeMs(bytes, this.link.baudRate, this.link.bitsPerChar) + this.t35);
  }

  /** Idle-time scavenges so far ({@link RtuServerOptions.idleGc}); undefined when off. */
  get idleGcStats(): IdleGcStats | undefined {
    return this.idleGc.stats();
  }

  private armSilence(): void {
    if (this.silenceTimer !== undefined) this.clock.clearTimer(this.silenceTimer);
    this.silenceTimer = undefined;
    const due = this.framer.silenceDueAt;
    if (due === undefined) return;
    this.silenceTimer = this.clock.setTimer(due, () => {
      this.silenceTimer = undefined;
      if (this.isClosed) return;
      for (const f of this.framer.silence(this.clock.now())) this.serve(f);
    });
  }

  private serve(frame: RtuFrame): void {
    const unit = frame.unitId;
    if (unit !== 0 && !this.core.hasUnit(unit)) {
      this.stats.otherUnits++;
      return;
    }
    this.stats.requests++;
    const plan = this.core.handle(frame.pdu, { transport: 'rtu', unitId: unit, peer: this.link.path });
    if (plan.pdu === null) {
      this.stats.silent++;
      return;
    }
    const now = this.clock.now();
    const sendAt = Math.max(now, frame.at + this.replyGapMs) + plan.delayMs;
    const pduLength = plan.pdu.length;
    if (this.txQueued === 0 && sendAt <= now && plan.aduFaults.length === 0 && pduLength + 3 <= TX_BYTES) {
      // Nothing ahead of it, no silence left to keep, no fault to apply: build the reply in place and hand it to the
      // link in this turn (no promise hop, no timer, no array per reply: links copy what they keep).
      const tx = this.txBuf;
      tx[0] = unit;
      tx.set(plan.pdu, 1);
      const crc = crc16Modbus(tx, 0, pduLength + 1);
      tx[pduLength + 1] = crc & 0xff;
      tx[pduLength + 2] = crc >>> 8;
      const n = pduLength + 3;
      this.sendNow((this.txViews[n] ??= tx.subarray(0, n)));
      return;
    }
    const body = new Uint8Array(pduLength + 1);
    body[0] = unit;
    body.set(plan.pdu, 1);
    const pieces = applyAduFaults(body, plan.aduFaults);
    if (this.txQueued === 0 && sendAt <= now && pieces.length === 1) {
      this.sendNow(pieces[0]!.bytes);
      return;
    }
    this.txQueued++;
    this.txChain = this.txChain.then(() => this.transmit(pieces, sendAt)).finally(() => this.txQueued--);
  }

  private sendNow(bytes: Uint8Array): void {
    this.stats.txBytes += bytes.length;
    this.sentInTurn += bytes.length;
    this.link.write(bytes).then(this.replied, this.writeFailedHandler);
  }

  private readonly replied = (): void => {
    this.stats.replies++;
  };

  private readonly writeFailedHandler = (err: unknown): void => this.writeFailed(err);

  private writeFailed(err: unknown): void {
    if (err instanceof ClosedError || this.isClosed) return;
    this.stats.writeErrors++;
    this.log.write(`write failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  private async transmit(pieces: Piece[], sendAt: number): Promise<void> {
    try {
      await this.waitUntil(sendAt);
      let sent = 0;
      for (const piece of pieces) {
        if (this.isClosed) return;
        if (piece.gapBeforeMs > 0) {
          await this.link.drain();
          await this.waitUntil(this.clock.now() + piece.gapBeforeMs);
          if (this.isClosed) return;
        }
        if (piece.bytes.length === 0) continue;
        this.stats.txBytes += piece.bytes.length;
        sent += piece.bytes.length;
        await this.link.write(piece.bytes);
      }
      this.stats.replies++;
      if (sent > 0) this.afterReply(sent, this.txQueued - 1); // txQueued still counts this reply
    } catch (err) {
      this.writeFailed(err);
    }
  }

  /**
   * Resolve at clock time `at` (at once if past). The clock does the precise part: a RealClock finishes the last
   * ms or two of a wait actively (core/clock), so the 1.75 ms t3.5 at 115200 baud is kept to tens of microseconds.
   */
  private waitUntil(at: number): Promise<void> {
    if (this.isClosed || this.clock.now() >= at) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const h = this.clock.setTimer(at, () => {
        this.waits.delete(h);
        resolve();
      });
      this.waits.set(h, resolve);
    });
  }
}

/** Longest RTU ADU: unit id, 253-byte PDU, CRC. */
const TX_BYTES = 256;

/** A piece of a reply and the silence to keep before it. */
interface Piece {
  bytes: Uint8Array;
  gapBeforeMs: number;
}

/** Frame `body` (unit id + PDU) with its CRC and apply the RTU-relevant ADU faults, in a fixed order. */
export function applyAduFaults(body: Uint8Array, faults: readonly ModbusFault[]): Piece[] {
  let b = body;
  if (faults.some((f) => f.kind === 'wrong-unit-id')) {
    b = body.slice();
    b[0] = (body[0]! % 247) + 1; // another valid unit id, never the request's
  }
  let adu = appendCrc(b);
  if (faults.some((f) => f.kind === 'bad-crc')) adu[adu.length - 1]! ^= 0xff;
  for (const f of faults) if (f.kind === 'truncate') adu = adu.subarray(0, Math.min(adu.length, f.bytes));
  const split = faults.find((f): f is Extract<ModbusFault, { kind: 'split' }> => f.kind === 'split');
  if (!split || split.chunks <= 1 || adu.length < 2) return [{ bytes: adu, gapBeforeMs: 0 }];
  const n = Math.min(split.chunks, adu.length);
  const pieces: Piece[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * adu.length) / n);
    const to = Math.floor(((i + 1) * adu.length) / n);
    pieces.push({ bytes: adu.subarray(from, to), gapBeforeMs: i === 0 ? 0 : split.gapMs });
  }
  return pieces;
}

function hexdump(bytes: Uint8Array, max = 32): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, max); i++) parts.push(bytes[i]!.toString(16).padStart(2, '0'));
  return parts.join(' ') + (bytes.length > max ? ' ...' : '');
}
