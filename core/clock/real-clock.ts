import type { Clock, TimerHandle } from './clock';
import { LazyIdleGc, type IdleGcOptions, type IdleGcStats } from './idle-gc';
import { TimerHeap, type HeapTimer } from './timer-heap';

/** Default precision window, ms: covers the usual lateness of Node's `setTimeout` (about 1 ms, ms granularity). */
export const DEFAULT_SPIN_MS = 2;

/** Options for {@link RealClock}. */
export interface RealClockOptions {
  /**
   * Precision window, ms. `setTimeout` wakes the clock up to this long before a timer's due time, and the rest is
   * waited actively, so timers fire within tens of microseconds of their due time instead of the ~1 ms (and, under
   * load, several ms) `setTimeout` alone gives. 0 disables it: plain `setTimeout`, no CPU cost. Default
   * {@link DEFAULT_SPIN_MS}.
   */
  spinMs?: number;
  /**
   * Shrink the window to what `setTimeout` actually needs here (the worst of its last 64 wake-ups plus 0.3 ms,
   * at least 0.5 ms), never above `spinMs`: less CPU spinning on a quiet machine, the full window again under
   * load. Default: on with `fine: 'spin'` (where the window costs CPU), off with `sleep` (where it costs almost
   * none and a full window rides out load better).
   */
  adaptive?: boolean;
  /**
   * How to wait inside the window. `sleep` (default) blocks in `Atomics.wait` slices of at most `sliceMs`, with an
   * event-loop turn between slices so I/O keeps flowing; the last slice asks its learned overshoot less and only the
   * last `spinTailMs` is polled, without allocating: timers fire within a few microseconds at a few % of a core.
   * `spin` polls the clock the whole window, in 0.1 ms slices with an event-loop turn (`setImmediate`) between: a
   * busy core while waiting (about 30-40% of a core for 192 tasks spread over a 100 ms period).
   */
  fine?: 'spin' | 'sleep';
  /**
   * Longest single `Atomics.wait` in `sleep` mode, ms: the most I/O can be held up while waiting (default 0.5). A
   * batch of timers due together may hold it longer, up to 3 ms, while it fires.
   */
  sliceMs?: number;
  /**
   * In `sleep` mode, a timer due within this many ms is waited for by polling the clock; a later one by a futex
   * wait asked to return that wait's learned overshoot early. Default 0.1 ms.
   */
  spinTailMs?: number;
  /**
   * Young-generation GC in idle time (issue 19): after a batch of timers has fired, when the next one is far enough
   * away and the young generation is filling up, run the scavenge V8 would otherwise run in the middle of a later
   * batch (a 0.3-2 ms pause that makes every frame after it late). See {@link IdleGc} for when it scavenges;
   * `false` leaves GC to V8. Default: on when `spinMs > 0` (precise timers), off with plain `setTimeout`. Needs the
   * engine's `gc`: taken from `--expose-gc` or enabled at run time (see `v8Engine`); without it this does nothing.
   */
  idleGc?: boolean | IdleGcOptions;
}

/** Figures for benchmarks and leak checks. */
export interface RealClockStats {
  /** Timers fired. */
  fired: number;
  /** `setTimeout` wake-ups (coarse phase). */
  wakeups: number;
  /** Rounds of the active wait (setImmediate turns or wait slices). */
  spins: number;
  /** Current precision window, ms (adaptive). */
  windowMs: number;
  /** Idle-time scavenges ({@link RealClockOptions.idleGc}); absent when off. */
  idleGc?: IdleGcStats;
}

const LATENESS_SAMPLES = 64;
/**
 * How early Node's `setTimeout` may fire, ms: it counts from the loop time truncated to whole ms and truncates a
 * fractional delay too, so it fires up to (not quite) 2 ms before the asked time (measured: 1.4 ms under load).
 */
const EARLY_WAKE_MS = 2;
const MIN_WINDOW_MS = 0.5;
/** Futex timeouts overshoot by about 65 us (Linux timer slack): the first guess of that, before it is learned. */
const NAP_LATE_MS = 0.065;
/** Longest overshoot taken as the futex's own (a longer one was a preemption). */
const NAP_LATE_MAX_MS = 0.2;
/** Default {@link RealClockOptions.spinTailMs}. */
const SPIN_TAIL_MS = 0.1;
/** In `spin` mode, how long one turn polls the clock before letting I/O in, ms. */
const SPIN_SLICE_MS = 0.1;
/** Shortest futex wait asked (one that returns after its overshoot, whatever is asked). */
const MIN_NAP_MS = 0.001;
/**
 * Longest stretch one turn of the fine phase may keep the event loop, ms. Long enough for a batch of tasks started
 * in one loop (192 CAN tasks: about 1.6 ms of due times) to fire in one turn: a yield in the middle of a batch is
 * where V8 runs the scavenge it scheduled when the batch's allocations filled the young generation, and every
 * frame after it was 0.3-0.5 ms late (issue 19). After the batch the scavenge runs in the idle time.
 */
const TURN_BUDGET_MS = 3;

/**
 * Wall-clock time with precise timers. All timers live in one heap; one `setTimeout` is armed for the earliest
 * due time minus the precision window, then the clock waits actively (see {@link RealClockOptions.fine}) and fires
 * every timer that is due in one pass, in (due time, creation order). Many periodic tasks due at about the same
 * instant therefore cost one wake-up and one short active wait, not one each.
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly maxWindow: number;
  private readonly adaptive: boolean;
  private readonly fine: 'spin' | 'sleep';
  private readonly sliceMs: number;
  private readonly origin = Date.now() - performance.now();
  private readonly heap = new TimerHeap();
  private readonly live = new Set<TimerHandle>();
  private nextHandle = 1;
  private seq = 0;
  private coarse: NodeJS.Timeout | undefined;
  /** Time the armed `setTimeout` aims at. */
  private coarseTarget = Infinity;
  private spinning = false;
  /** Extra active-wait allowance for the current fine phase (an early `setTimeout`). */
  private extraMs = 0;
  private windowMs: number;
  private readonly lateness: number[] = [];
  private latenessCount = 0;
  private waitCell: Int32Array | undefined;
  private readonly spinTailMs: number;
  /** Learned overshoot of a futex wait, ms. */
  private napLateMs = NAP_LATE_MS;
  private readonly counters = { fired: 0, wakeups: 0, spins: 0 };
  private readonly idleGc: LazyIdleGc;
  private idlePending = false;

  constructor(options: RealClockOptions = {}) {
    this.maxWindow = Math.max(0, options.spinMs ?? DEFAULT_SPIN_MS);
    this.fine = options.fine ?? 'sleep';
    this.adaptive = options.adaptive ?? this.fine === 'spin';
    this.sliceMs = Math.max(0.01, options.sliceMs ?? 0.5);
    this.spinTailMs = Math.max(0, options.spinTailMs ?? SPIN_TAIL_MS);
    this.windowMs = this.maxWindow;
    const idle = options.idleGc ?? this.maxWindow > 0;
    this.idleGc = new LazyIdleGc(idle === false ? undefined : idle === true ? {} : idle);
  }

  now(): number {
    return this.origin + performance.now();
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    // A time in the past fires after timers already due (Clock contract), so it queues as "now".
    const t: HeapTimer = { at: Math.max(at, this.now()), seq: this.seq++, handle, fn };
    this.heap.push(t);
    this.live.add(handle);
    if (!this.spinning && at - this.windowMs < this.coarseTarget) this.arm();
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    if (!this.live.delete(handle)) return;
    if (this.live.size === 0) {
      this.disarm();
      while (this.heap.size > 0) this.heap.pop();
    }
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.setTimer(this.now() + delayMs, fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of pending timers (for leak checks in tests). */
  get pending(): number {
    return this.live.size;
  }

  stats(): RealClockStats {
    const s: RealClockStats = { ...this.counters, windowMs: this.windowMs };
    const idle = this.idleGc.stats();
    if (idle) s.idleGc = idle;
    return s;
  }

  private nextDue(): number {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return Infinity;
      if (this.live.has(top.handle)) return top.at;
      this.heap.pop();
    }
  }

  private disarm(): void {
    if (this.coarse) clearTimeout(this.coarse);
    this.coarse = undefined;
    this.coarseTarget = Infinity;
  }

  private arm(): void {
    this.disarm();
    const due = this.nextDue();
    if (due === Infinity) return;
    const target = due - this.windowMs;
    const wait = target - this.now();
    if (wait <= 0) {
      // Never from inside setTimer's caller: start the active wait on the next turn.
      this.spinning = true;
      this.extraMs = 0;
      setImmediate(this.fineStep);
      return;
    }
    this.coarseTarget = target;
    this.coarse = setTimeout(this.onCoarse, wait);
  }

  private readonly onCoarse = (): void => {
    const late = this.now() - this.coarseTarget;
    this.coarse = undefined;
    this.coarseTarget = Infinity;
    this.counters.wakeups++;
    this.learn(late);
    // Node's timers may fire up to EARLY_WAKE_MS early: wait that out actively too rather than paying another
    // wake-up.
    this.startFine(EARLY_WAKE_MS);
  };

  /** Track how late `setTimeout` fires and size the window to the worst of the recent wake-ups plus a margin. */
  private learn(late: number): void {
    if (!this.adaptive || this.maxWindow === 0) return;
    this.lateness[this.latenessCount++ % LATENESS_SAMPLES] = Math.max(0, late);
    if (this.latenessCount < 16) return; // keep the full window until there is something to learn from
    let worst = 0;
    for (const l of this.lateness) if (l > worst) worst = l;
    this.windowMs = Math.min(this.maxWindow, Math.max(MIN_WINDOW_MS, worst + 0.3));
  }

  private startFine(extraMs = 0): void {
    if (this.spinning) return;
    this.spinning = true;
    this.extraMs = extraMs;
    this.fineStep();
  }

  private readonly fineStep = (): void => {
    const turnStart = this.now();
    for (;;) {
      let now = this.now();
      let due = this.nextDue();
      if (due <= now) {
        this.extraMs = 0;
        this.fireDue(now);
        due = this.nextDue();
        now = this.now();
        const remainingAfter = due - now;
        if (remainingAfter > this.windowMs || due === Infinity || this.maxWindow === 0) {
          this.spinning = false;
          // Idle until the next due timer: the place for the scavenge the batch's allocations made due.
          this.scheduleIdle(remainingAfter);
          this.arm();
          return;
        }
        // Timers due within a slice of each other (tasks started in one loop) fire in this same turn, but
        // never for more than TURN_BUDGET_MS: then timers and I/O of the rest of the process get a turn, so a chain
        // of short timers cannot hold the event loop (it once froze sockets for seconds).
        if (remainingAfter <= this.sliceMs && now - turnStart < TURN_BUDGET_MS) continue;
        setImmediate(this.fineStep);
        return;
      }
      const remaining = due - now;
      if (remaining > this.windowMs + this.extraMs || due === Infinity || this.maxWindow === 0) {
        this.spinning = false;
        this.arm();
        return;
      }
      this.counters.spins++;
      if (this.fine === 'sleep') {
        if (remaining > this.sliceMs + this.napLateMs) {
          this.nap(this.sliceMs);
          setImmediate(this.fineStep); // let I/O in between slices
          return;
        }
        if (remaining <= this.spinTailMs) this.spinUntil(due);
        else this.nap(Math.max(MIN_NAP_MS, remaining - this.napLateMs));
        continue;
      }
      // spin: poll the clock for a slice without allocating, then give I/O a turn (an Immediate per slice, not per
      // reading: polling by setImmediate alone made about 25 scavenges a second, issue 19).
      this.spinUntil(Math.min(due, now + SPIN_SLICE_MS));
      if (this.now() >= due) continue;
      setImmediate(this.fineStep);
      return;
    }
  };

  /**
   * Look at the young generation once the callbacks just fired have finished: promise continuations (a `sleep`
   * resolved, the reply an awaiting server sends) run in microtasks after the timer pass, and a scavenge before
   * them would delay exactly that work. A `setImmediate` runs after them, in this loop turn.
   */
  private scheduleIdle(freeMs: number): void {
    if (this.idlePending || !this.idleGc.get()?.longEnough(freeMs)) return;
    this.idlePending = true;
    setImmediate(this.onIdle);
  }

  private readonly onIdle = (): void => {
    this.idlePending = false;
    if (this.spinning) return; // a timer became due meanwhile: not idle
    // Timers the continuations set count: the idle time is to the next due one now.
    this.idleGc.get()?.idle(this.nextDue() - this.now());
  };

  /**
   * Block the thread for `ms` in `Atomics.wait` and learn how late such a wait returns (futex timer slack, about
   * 0.065 ms here), so that the next one can ask that much less and return at, not after, its timer's due time.
   */
  private nap(ms: number): void {
    this.waitCell ??= new Int32Array(new SharedArrayBuffer(4));
    const t0 = this.now();
    Atomics.wait(this.waitCell, 0, 0, ms);
    const late = this.now() - t0 - ms;
    // Only waits that were not preempted teach anything: a wait 1 ms late measures the machine's load.
    if (late >= 0 && late < NAP_LATE_MAX_MS) this.napLateMs += (late - this.napLateMs) / 16;
  }

  /**
   * Busy-wait the last few tens of microseconds on `process.hrtime.bigint()`. Once this loop is optimised, the
   * comparison of readings allocates next to nothing (measured 0.8 B per reading here, against 17.5 B polling
   * `performance.now()`); a `hrtime.bigint()` reading kept or called outside an optimised loop does allocate (40-56 B
   * a call in a microbenchmark). Polling `performance.now()` came to megabytes a second, a scavenge every 200 ms,
   * and those pauses landed inside the ticks (issue 19).
   */
  private spinUntil(due: number): void {
    const remaining = due - this.now();
    if (remaining <= 0) return;
    const target = process.hrtime.bigint() + BigInt(Math.ceil(remaining * 1e6));
    while (process.hrtime.bigint() < target) {
      /* spin */
    }
  }

  private fireDue(now: number): void {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.at > now) return;
      this.heap.pop();
      if (!this.live.delete(top.handle)) continue; // cleared
      this.counters.fired++;
      try {
        top.fn();
      } catch (err) {
        setImmediate(() => {
          throw err;
        });
      }
    }
  }
}
