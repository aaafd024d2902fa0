import type { Clock, TimerHandle } from '../../core/clock';
import { TimerHeap, type HeapTimer } from '../../core/clock/timer-heap';

/**
 * The controller's clock in lock step: it reads the last instant the harness granted and fires timers only when told.
 *
 * Contract: as `Clock` (kind `virtual`: the time is simulated). `grant(t)` sets the time to `t` without firing
 * anything (so bytes the harness sent at `t` are handled at `t`, before the controller's own timers);
 * `runDue()` then fires every timer due at or before the time, in (due time, creation order), timers they set for
 * the same instant included; `now()` reads the granted time throughout (the harness grants each wake-up instant, so
 * a timer is never late unless it was set for the past).
 * Time never goes back: a grant earlier than the current time is ignored. A throwing callback does not stop the
 * others; its error goes to `onTimerError`.
 */
export class GrantedClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  private granted: number;
  private readonly heap = new TimerHeap();
  private readonly live = new Set<TimerHandle>();
  private nextHandle = 1;
  private seq = 0;

  constructor(
    start: number,
    private readonly onTimerError: (err: unknown) => void,
  ) {
    this.current = start;
    this.granted = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    this.heap.push({ at: Math.max(at, this.current), seq: this.seq++, handle, fn });
    this.live.add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.live.delete(handle);
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.setTimer(this.current + Math.max(0, delayMs), fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.live.size;
  }

  /** Due time of the next timer, or `undefined`. */
  nextDue(): number | undefined {
    this.dropCleared();
    return this.heap.peek()?.at;
  }

  /** The harness's time is `t` now (nothing fires). */
  grant(t: number): void {
    if (t < this.granted) return;
    this.granted = t;
    this.current = t;
  }

  /**
   * Fire the timers due by the granted time; between timers, `between()` is awaited (let promise chains run).
   * Returns how many fired.
   */
  async runDue(between: () => Promise<void>): Promise<number> {
    let fired = 0;
    for (;;) {
      this.dropCleared();
      const top = this.heap.peek();
      if (!top || top.at > this.granted) break;
      this.run(this.heap.pop()!);
      fired++;
      await between();
    }
    return fired;
  }

  private run(t: HeapTimer): void {
    this.live.delete(t.handle);
    try {
      t.fn();
    } catch (err) {
      this.onTimerError(err);
    }
  }

  private dropCleared(): void {
    while (this.heap.size > 0 && !this.live.has(this.heap.peek()!.handle)) this.heap.pop();
  }
}
