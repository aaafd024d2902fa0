import type { Clock, TimerHandle } from './clock';

/** Options for {@link RealClock}. */
export interface RealClockOptions {
  /**
   * Finish the last `spinMs` before a timer's due time by polling with `setImmediate` instead of trusting
   * `setTimeout` (whose error is about 1 ms and can be several under load). 0 disables it (no CPU cost).
   */
  spinMs?: number;
}

interface RealTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Wall-clock time with optionally precise timers. All timers share one `setTimeout` armed for the earliest due
 * time, then, when `spinMs > 0`, a `setImmediate` loop for the final stretch, so many periodic tasks due at the
 * same instant cost one wake-up rather than one each.
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly spinMs: number;
  private readonly origin = Date.now() - performance.now();
  private readonly timers = new Map<TimerHandle, RealTimer>();
  private nextHandle = 1;
  private seq = 0;
  private armedAt = Infinity;
  private coarse: NodeJS.Timeout | undefined;
  private spinning = false;

  constructor(options: RealClockOptions = {}) {
    this.spinMs = Math.max(0, options.spinMs ?? 0);
  }

  now(): number {
    return this.origin + performance.now();
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at, seq: this.seq++, fn });
    if (at < this.armedAt) this.arm();
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
    if (this.timers.size === 0) this.disarm();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.setTimer(this.now() + delayMs, fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of pending timers (for leak checks in tests). */
  get pending(): number {
    return this.timers.size;
  }

  private earliest(): number {
    let min = Infinity;
    for (const t of this.timers.values()) if (t.at < min) min = t.at;
    return min;
  }

  private disarm(): void {
    if (this.coarse) clearTimeout(this.coarse);
    this.coarse = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.spinning) return; // the spin loop re-arms when it finishes
    this.disarm();
    const due = this.earliest();
    if (due === Infinity) return;
    this.armedAt = due;
    const wait = due - this.now() - this.spinMs;
    if (wait <= 0) {
      this.startSpin();
      return;
    }
    this.coarse = setTimeout(() => {
      this.coarse = undefined;
      this.armedAt = Infinity;
      this.startSpin();
    }, wait);
  }

  private startSpin(): void {
    if (this.spinning) return;
    this.spinning = true;
    const loop = (): void => {
      const now = this.now();
      const due = this.earliest();
      if (due === Infinity) {
        this.spinning = false;
        return;
      }
      if (due <= now) {
        this.spinning = false;
        this.fireDue(now);
        this.arm();
        return;
      }
      if (due - now > this.spinMs) {
        this.spinning = false;
        this.arm();
        return;
      }
      setImmediate(loop);
    };
    loop();
  }

  private fireDue(now: number): void {
    const due = [...this.timers.entries()]
      .filter(([, t]) => t.at <= now)
      .sort((a, b) => a[1].at - b[1].at || a[1].seq - b[1].seq);
    for (const [handle, t] of due) {
      if (!this.timers.delete(handle)) continue; // cleared by an earlier callback
      try {
        t.fn();
      } catch (err) {
        setImmediate(() => {
          throw err;
        });
      }
    }
  }
}
