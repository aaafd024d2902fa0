import type { Clock } from '../../core/clock';
import type { CanFrame } from './frame';

/** A receive filter: a frame passes when `(frame.id & mask) === (id & mask)` (and `extended` matches, if given). */
export interface CanFilter {
  id: number;
  mask: number;
  extended?: boolean;
}

/** Handle on a periodic transmission started by {@link CanBus.sendPeriodic}. */
export interface PeriodicTask {
  /** Period in ms. */
  readonly periodMs: number;
  /** Replace the payload (same id); takes effect from the next transmission. Throws `FrameError` if invalid. */
  update(data: Uint8Array | ArrayLike<number>): void;
  /** Stop sending. Idempotent. */
  stop(): void;
  /** False once stopped (by `stop()`, `duration` elapsed, or the bus closed). */
  readonly running: boolean;
  /**
   * Slots skipped because the task fell a whole period behind (a stalled event loop): it resumes on the period grid
   * instead of bursting. Counted, never silent; always 0 on a virtual clock.
   */
  readonly skipped: number;
}

/** Options for {@link CanBus.sendPeriodic}. */
export interface PeriodicOptions {
  /** Stop after this many ms (default: until stopped). */
  durationMs?: number;
  /** Delay before the first transmission (default 0: send at once). */
  startDelayMs?: number;
}

/** Counters every medium keeps. Drops are counted, never silent. */
export interface CanBusStats {
  rxFrames: number;
  txFrames: number;
  /** Frames received but discarded because the receive queue was full. */
  rxOverflow: number;
  /** Malformed input from the medium that was dropped (garbage line, bad token). */
  rxMalformed: number;
}

/**
 * One CAN channel on one medium (DESIGN.md "CanBus"; STYLE.md point 1). Every medium passes
 * `describeCanBusContract` in `contract.ts`.
 *
 * Contract:
 * - `send(frame)` validates the frame (throws `FrameError`), copies it, and resolves once the medium accepted it.
 *   It never modifies the caller's frame (receive stamps go on the copies), and the caller may reuse the frame and
 *   its buffer as soon as `send` returns.
 *   On a closed bus it rejects with `ClosedError`; a medium that lost its peer rejects with `DisconnectedError`.
 * - Received frames go to listeners (`onFrame`, synchronous, in arrival order) and to one receive queue read by
 *   `recv`/async iteration. The queue is bounded (`rxQueueLimit`); overflow drops the oldest and counts it.
 * - Whether a bus sees its own sent frames is the medium's `receiveOwnMessages` option (default false).
 * - `recv(timeoutMs)` resolves with the next frame, or `null` after `timeoutMs` on the bus's clock (undefined waits
 *   forever); on close it resolves `null`. Async iteration ends on close.
 * - `sendPeriodic` returns a task that sends without drift (due time += period) on the bus's clock.
 * - `close()` stops periodic tasks, ends iterators, releases the medium; it is idempotent and never throws.
 */
export interface CanBus extends AsyncIterable<CanFrame> {
  /** Medium name (`virtual`, `socketcand`, `slcan`, `socketcan`). */
  readonly medium: string;
  /** Channel name on the medium (`vcan0`, `can0`, the serial path...). */
  readonly channel: string;
  readonly clock: Clock;
  readonly closed: boolean;
  readonly stats: Readonly<CanBusStats>;
  send(frame: CanFrame): Promise<void>;
  recv(timeoutMs?: number): Promise<CanFrame | null>;
  /** Subscribe to every received frame that passes the filters; returns an unsubscribe function. */
  onFrame(listener: (frame: CanFrame) => void): () => void;
  /**
   * Subscribe like `onFrame`, but borrow each frame instead of owning it: the listener must neither modify the frame
   * nor keep it (or its `data`) after it returns; it may be the very object other receivers on the medium get, with
   * the sender side's stamps. When nothing on this bus owns frames (no `onFrame` listener, no receive queue - limit 0 -
   * and no `recv` waiting), a medium may hand its borrowers the frame without copying it: zero-copy delivery to
   * in-process listeners that only read (decode, compare) what they receive. Returns an unsubscribe function.
   */
  onFrameBorrowed(listener: (frame: Readonly<CanFrame>) => void): () => void;
  /** Replace the receive filters; an empty list or `undefined` passes everything. */
  setFilters(filters?: readonly CanFilter[]): void;
  /**
   * Replace the receive queue bound (`rxQueueLimit`). Frames already queued beyond it are dropped, oldest first, and
   * counted in `stats.rxOverflow`. 0 keeps no queue at all: a bus read only through `onFrame` listeners should say
   * so, or every frame it receives stays referenced until the queue overflows (in a long run, garbage the collector
   * has to promote and sweep). `RangeError` for anything but an integer >= 0.
   */
  setRxQueueLimit(limit: number): void;
  sendPeriodic(frame: CanFrame, periodMs: number, options?: PeriodicOptions): PeriodicTask;
  close(): Promise<void>;
}

/** Options common to every medium. Media add their own. */
export interface CanBusOptions {
  clock?: Clock;
  /** Deliver frames this bus sends to its own receivers too (default false). */
  receiveOwnMessages?: boolean;
  /** Receive queue bound (default 65536 frames). 0: no queue (listeners only; `recv` then only times out). */
  rxQueueLimit?: number;
  filters?: readonly CanFilter[];
  /**
   * Where the medium writes what it has to report, one line each (set-up notes such as an SLCAN adapter's serial port
   * that refused low-latency mode; a socketcand client's dropped input). Each medium states its default.
   */
  log?: (line: string) => void;
}
