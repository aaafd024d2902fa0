import type { Clock, TimerHandle } from './clock';

interface ScaledTimer {
  at: number;
  fn: () => void;
  inner: TimerHandle;
}

/**
 * A clock that runs `speed` times faster than another one (`hil run --speed k`: the harness at k x real time while
 * the controller runs under libfaketime at the same rate).
 *
 * Contract: `now()` is `start + (inner.now() - innerStart) * speed`: ms, epoch-based when the inner clock is (the
 * default start is the inner clock's time at construction, so both read the same instant then). Timers are kept on
 * the inner clock at the mapped instant (its precision, in inner time, is theirs): a timer due at scaled time `at` fires no earlier than inner time `innerStart + (at - start) / speed`. `align(at, innerAt)`
 * moves the mapping (scaled `at` <-> inner `innerAt`, same speed) and re-arms every pending timer on the new mapping
 * in the order they were set, so same-instant timers keep their order; use it before a scenario starts (a step
 * backwards would make `now()` go back). `clearTimer` on an unknown, fired or cleared handle is a no-op. Callback
 * errors go where the inner clock sends them.
 */
export class ScaledClock implements Clock {
  readonly kind = 'real' as const;
  private start: number;
  private innerStart: number;
  private readonly timers = new Map<TimerHandle, ScaledTimer>();
  private nextHandle = 1;

  constructor(
    private readonly inner: Clock,
    readonly speed: number,
    start?: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive finite number, got ${speed}`);
    this.innerStart = inner.now();
    this.start = start ?? this.innerStart;
  }

  now(): number {
    return this.start + (this.inner.now() - this.innerStart) * this.speed;
  }

  /** The inner clock's time at which this clock reads `at`. */
  toInner(at: number): number {
    return this.innerStart + (at - this.start) / this.speed;
  }

  /** This clock's reading when the inner clock reads `innerAt`. */
  fromInner(innerAt: number): number {
    return this.start + (innerAt - this.innerStart) * this.speed;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    const t: ScaledTimer = { at, fn, inner: 0 };
    t.inner = this.arm(handle, t);
    this.timers.set(handle, t);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (!t) return;
    this.timers.delete(handle);
    this.inner.clearTimer(t.inner);
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.setTimer(this.now() + delayMs, fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Make this clock read `at` when the inner clock reads `innerAt` (same speed); pending timers follow. */
  align(at: number, innerAt: number): void {
    this.start = at;
    this.innerStart = innerAt;
    for (const [handle, t] of this.timers) {
      this.inner.clearTimer(t.inner);
      t.inner = this.arm(handle, t);
    }
  }

  /** The inner clock's reading now. */
  innerNow(): number {
    return this.inner.now();
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  private arm(handle: TimerHandle, t: ScaledTimer): TimerHandle {
    return this.inner.setTimer(this.toInner(t.at), () => {
      if (this.timers.get(handle) !== t) return;
      this.timers.delete(handle);
      t.fn();
    });
  }
}
