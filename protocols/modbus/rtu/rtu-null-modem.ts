import { defaultClock, type Clock, type TimerHandle } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import type { RtuLink } from './rtu-link';
import { bitsPerChar as defaultBits, wireTimeMs } from './rtu-timing';

/**
 * Rewrites the bytes one end sends before the other end sees them (STYLE.md point 5, like pymodbus's
 * `NullModem.set_manipulator`): return the pieces to deliver (each a separate chunk), `[]` to drop them.
 */
export type ByteManipulator = (bytes: Uint8Array) => Uint8Array[];

export interface NullModemOptions {
  /** Clock used for pacing (default: the process real clock). */
  clock?: Clock;
  baudRate?: number;
  bitsPerChar?: number;
  /**
   * Pace delivery at the baud rate on the clock: a chunk arrives when its last byte would have, the line carries one
   * chunk at a time, and `write` resolves when the bytes are on the other side. Off (default): chunks arrive on
   * the next microtask, in order.
   */
  paced?: boolean;
}

/** One end of a {@link createNullModem} pair. */
export class NullModemEnd implements RtuLink {
  readonly baudRate: number;
  readonly bitsPerChar: number;
  /** Bytes this end sent (before manipulation) and received. */
  readonly counters = { sent: 0, received: 0 };
  peer!: NullModemEnd;
  private listener: ((chunk: Uint8Array) => void) | undefined;
  private closeListener: ((err?: Error) => void) | undefined;
  private manipulator: ByteManipulator | undefined;
  private isClosed = false;
  private lineFreeAt = 0;
  private readonly timers = new Set<TimerHandle>();
  private readonly pendingWrites = new Set<(err?: Error) => void>();

  constructor(
    readonly path: string,
    private readonly clock: Clock,
    private readonly paced: boolean,
    baudRate: number,
    bits: number,
  ) {
    this.baudRate = baudRate;
    this.bitsPerChar = bits;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Faults on what this end sends: split, corrupt or drop bytes. `undefined` removes it. */
  setManipulator(fn: ByteManipulator | undefined): void {
    this.manipulator = fn;
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.listener = listener;
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListener = listener;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new ClosedError(`null modem end ${this.path}`));
    this.counters.sent += bytes.length;
    const pieces = this.manipulator ? this.manipulator(bytes.slice()) : [bytes.slice()];
    if (!this.paced) {
      for (const piece of pieces) queueMicrotask(() => this.peer.deliver(piece));
      return Promise.resolve();
    }
    let doneAt = Math.max(this.clock.now(), this.lineFreeAt);
    for (const piece of pieces) {
      doneAt += wireTimeMs(piece.length, this.baudRate, this.bitsPerChar);
      const h = this.clock.setTimer(doneAt, () => {
        this.timers.delete(h);
        this.peer.deliver(piece);
      });
      this.timers.add(h);
    }
    this.lineFreeAt = doneAt;
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        this.pendingWrites.delete(settle);
        if (err) reject(err);
        else resolve();
      };
      this.pendingWrites.add(settle);
      const h = this.clock.setTimer(doneAt, () => {
        this.timers.delete(h);
        settle();
      });
      this.timers.add(h);
    });
  }

  drain(): Promise<void> {
    if (!this.paced || this.clock.now() >= this.lineFreeAt) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const h = this.clock.setTimer(this.lineFreeAt, () => {
        this.timers.delete(h);
        resolve();
      });
      this.timers.add(h);
    });
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.isClosed = true;
    for (const h of this.timers) this.clock.clearTimer(h);
    this.timers.clear();
    for (const settle of [...this.pendingWrites]) settle(new ClosedError(`null modem end ${this.path}`));
    this.listener = undefined;
    const l = this.closeListener;
    this.closeListener = undefined;
    l?.();
    return Promise.resolve();
  }

  private deliver(piece: Uint8Array): void {
    if (this.isClosed || piece.length === 0) return;
    this.counters.received += piece.length;
    this.listener?.(piece);
  }
}

/**
 * Two connected in-memory line ends, like a null-modem cable or a socat pty pair. Closing one end leaves the
 * other open; bytes sent to a closed end are lost (as on a line nobody listens to).
 */
export function createNullModem(options: NullModemOptions = {}): [NullModemEnd, NullModemEnd] {
  const clock = options.clock ?? defaultClock();
  const baud = options.baudRate ?? 115200;
  const bits = options.bitsPerChar ?? defaultBits();
  const a = new NullModemEnd('null-modem:a', clock, options.paced ?? false, baud, bits);
  const b = new NullModemEnd('null-modem:b', clock, options.paced ?? false, baud, bits);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
