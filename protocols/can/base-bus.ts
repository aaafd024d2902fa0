import { defaultClock, type Clock, type TimerHandle } from '../../core/clock';
import { ClosedError } from '../../core/errors';
import type { CanBus, CanBusOptions, CanBusStats, CanFilter, PeriodicOptions, PeriodicTask } from './bus';
import { copyFrame, MAX_STD_ID, txCopy, validateFrame, type CanFrame } from './frame';
import { PeriodicSender } from './periodic';

/**
 * What `send` returns once a synchronous medium has sent: one shared, already resolved promise. A caller that only
 * wants to hear about failures may skip attaching a handler when `send` returned it (`p !== SENT`): nothing can
 * reject it, and a handler would cost a promise and a microtask per frame on the hot path of long virtual runs.
 */
export const SENT: Promise<void> = Promise.resolve();

interface Waiter {
  resolve: (frame: CanFrame | null) => void;
  timer: TimerHandle | undefined;
}

/**
 * Shared machinery for media (python-can's `BusABC` pattern): filters, listeners, the bounded receive queue,
 * `recv` with timeout on the bus clock, async iteration, periodic tasks and idempotent close. A medium implements
 * `transmit` (put a validated copy on the wire) and `closeMedium`, and calls `deliver` for each received frame.
 */
export abstract class BaseCanBus implements CanBus {
  abstract readonly medium: string;
  readonly channel: string;
  readonly clock: Clock;
  readonly stats: CanBusStats = { rxFrames: 0, txFrames: 0, rxOverflow: 0, rxMalformed: 0 };
  protected readonly receiveOwnMessages: boolean;
  private rxLimit: number;
  private filters: readonly CanFilter[] = [];
  /** With standard-only filters: 1 for each standard id they accept (see `setFilters`). */
  private stdAccept: Uint8Array | undefined;
  private readonly listeners = new Set<(frame: CanFrame) => void>();
  private readonly borrowers = new Set<(frame: Readonly<CanFrame>) => void>();
  private readonly queue: CanFrame[] = [];
  private queueHead = 0;
  private readonly waiters: Waiter[] = [];
  private readonly tasks = new Set<PeriodicSender>();
  private isClosed = false;
  private closing: Promise<void> | undefined;

  protected constructor(channel: string, options: CanBusOptions = {}) {
    this.channel = channel;
    this.clock = options.clock ?? defaultClock();
    this.receiveOwnMessages = options.receiveOwnMessages ?? false;
    this.rxLimit = options.rxQueueLimit ?? 65536;
    this.setFilters(options.filters);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Put a validated, copied frame on the medium. Rejects with `DisconnectedError` if the medium is gone. */
  protected abstract transmit(frame: CanFrame): Promise<void> | void;
  /** Release the medium (sockets, ports). Called once. */
  protected abstract closeMedium(): Promise<void> | void;

  send(frame: CanFrame): Promise<void> {
    // Not an async function: a medium whose transmit is synchronous (hub, virtual) costs no generator, no
    // microtask, and its own-frame delivery happens before send returns (the hot path of long virtual runs).
    try {
      if (this.isClosed) throw new ClosedError(`CAN bus ${this.medium}:${this.channel}`);
      validateFrame(frame);
      const copy = txCopy(frame);
      const pending = this.transmit(copy);
      if (pending) return pending.then(() => this.transmitted(copy));
      this.transmitted(copy);
      return SENT;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private transmitted(copy: CanFrame): void {
    this.stats.txFrames++;
    if (this.receiveOwnMessages) this.deliver(this.ownFrame(copy));
  }

  /**
   * The frame this bus's own receivers get for a frame it sent (`receiveOwnMessages`): by default a copy of the
   * transmit copy. A medium that hands the transmit copy to nobody who keeps it (its other receivers copy what they
   * keep, synchronously in `transmit`) may return `copy` itself: no allocation per own frame.
   */
  protected ownFrame(copy: CanFrame): CanFrame {
    return copyFrame(copy);
  }

  /**
   * Hand a received frame to listeners and the queue. Media call this; the frame becomes the receivers' own
   * (stamped with this bus's clock and channel unless already stamped).
   */
  protected deliver(frame: CanFrame): void {
    if (this.isClosed || !this.passes(frame)) return;
    frame.timestamp ??= this.clock.now();
    frame.channel ??= this.channel;
    this.stats.rxFrames++;
    for (const l of this.listeners) l(frame);
    for (const b of this.borrowers) b(frame);
    const waiter = this.waiters.shift();
    if (waiter) {
      if (waiter.timer !== undefined) this.clock.clearTimer(waiter.timer);
      waiter.resolve(frame);
      return;
    }
    if (this.rxLimit === 0) return; // listener-only bus: no receive queue at all
    if (this.queue.length - this.queueHead >= this.rxLimit) {
      this.queueHead++;
      this.stats.rxOverflow++;
    }
    this.queue.push(frame);
    this.compact();
  }

  /** Drop consumed or overflowed entries from the front once they are most of the array (amortised O(1)). */
  private compact(): void {
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Count a malformed input the medium dropped. */
  protected countMalformed(): void {
    this.stats.rxMalformed++;
  }

  recv(timeoutMs?: number): Promise<CanFrame | null> {
    if (this.queueHead < this.queue.length) {
      const frame = this.queue[this.queueHead++]!;
      this.compact();
      return Promise.resolve(frame);
    }
    if (this.isClosed || timeoutMs === 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = this.clock.setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(null);
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CanFrame> {
    for (;;) {
      const frame = await this.recv();
      if (frame === null) return;
      yield frame;
    }
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onFrameBorrowed(listener: (frame: Readonly<CanFrame>) => void): () => void {
    this.borrowers.add(listener);
    return () => this.borrowers.delete(listener);
  }

  /**
   * Whether every receiver of this bus only borrows frames (borrowers, and no listener, queue or `recv` waiting that
   * would own one): a medium may then `lend` a frame instead of copying it for `deliver`.
   */
  protected lendsOnly(): boolean {
    return this.borrowers.size > 0 && this.listeners.size === 0 && this.rxLimit === 0 && this.waiters.length === 0 && !this.isClosed;
  }

  /** Hand a frame nobody on this bus will own to the borrowers, as is (filters apply; counted as received). */
  protected lend(frame: Readonly<CanFrame>): void {
    if (this.isClosed || !this.passes(frame)) return;
    this.stats.rxFrames++;
    for (const b of this.borrowers) b(frame);
  }

  setFilters(filters?: readonly CanFilter[]): void {
    this.filters = filters ? filters.map((f) => ({ ...f })) : [];
    this.stdAccept = undefined;
    // Filters that all say "standard frames only" are answered by a table of the 2048 standard ids (built here,
    // from the same test as the loop in `passes`): one load per received frame instead of a loop over the filters.
    if (this.filters.length > 0 && this.filters.every((f) => f.extended === false)) {
      const table = new Uint8Array(MAX_STD_ID + 1);
      for (let id = 0; id <= MAX_STD_ID; id++) if (this.filters.some((f) => (id & f.mask) === (f.id & f.mask))) table[id] = 1;
      this.stdAccept = table;
    }
  }

  setRxQueueLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`receive queue limit must be an integer >= 0, got ${String(limit)}`);
    this.rxLimit = limit;
    const excess = this.queue.length - this.queueHead - limit;
    if (excess > 0) {
      this.queueHead += excess;
      this.stats.rxOverflow += excess;
    }
    if (limit === 0 || this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else this.compact();
  }

  /**
   * Whether `deliver` would take `frame` (the bus is open and the filters pass it): a medium may ask before it
   * copies a frame it is about to deliver, and skip the copy of one nobody here wants.
   */
  protected accepts(frame: Readonly<CanFrame>): boolean {
    return !this.isClosed && this.passes(frame);
  }

  private passes(frame: Readonly<CanFrame>): boolean {
    const table = this.stdAccept;
    if (table !== undefined) return frame.extended === false && frame.id <= MAX_STD_ID && table[frame.id] === 1;
    const filters = this.filters;
    if (filters.length === 0) return true;
    for (const f of filters) {
      if ((frame.id & f.mask) === (f.id & f.mask) && (f.extended === undefined || f.extended === frame.extended)) return true;
    }
    return false;
  }

  sendPeriodic(frame: CanFrame, periodMs: number, options?: PeriodicOptions): PeriodicTask {
    if (this.isClosed) throw new ClosedError(`CAN bus ${this.medium}:${this.channel}`);
    const task = new PeriodicSender(
      this.clock,
      frame,
      periodMs,
      (f) => {
        const p = this.send(f);
        if (p !== SENT) {
          p.catch(() => {
            /* counted by the medium; a periodic task outlives a transient send failure */
          });
        }
      },
      (t) => this.tasks.delete(t),
      options,
    );
    if (task.running) this.tasks.add(task);
    return task;
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.isClosed = true;
    for (const t of [...this.tasks]) t.stop();
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) this.clock.clearTimer(w.timer);
      w.resolve(null);
    }
    this.listeners.clear();
    try {
      await this.closeMedium();
    } catch {
      /* close never throws (contract) */
    }
  }
}
