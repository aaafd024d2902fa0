/**
 * The one clock-driven periodic scheduler: CAN periodic sends, protocol cycles, model steppers and controller loops
 * all run on it, so they share one catch-up policy.
 */
import type { Clock, TimerHandle } from './clock';

/** One slot of a schedule as its callback sees it. */
export interface ScheduleSlot {
  /** Grid time this slot was due at (first slot + k periods). */
  due: number;
  /** Clock time it runs at (`now >= due`; `now - due` is how late it is). */
  now: number;
  /** Slots run before this one (0 for the first); skipped slots are not counted. */
  run: number;
  /** Slots skipped right before this one because the loop stalled a period or more (0 normally). */
  skipped: number;
}

/** Figures of one schedule (for benches: how late it ran, what it skipped). */
export interface ScheduleStats {
  /** Slots run. */
  runs: number;
  /** Slots skipped because the schedule fell a whole period behind (stalled event loop). */
  skipped: number;
  /** How late the last slot ran against its due time, ms. */
  lastLateMs: number;
  /** The latest any slot ran, ms. */
  maxLateMs: number;
}

export interface PeriodicScheduleOptions {
  /** Clock time of the first slot (default `now + period`). At or before now: it runs on the clock's next turn. */
  firstAt?: number;
  /** The last time a slot may be due (inclusive); the schedule ends by itself after the last such slot. */
  until?: number;
  /** Called once when the schedule ends by reaching `until` (after that last slot ran), not on `stop()`. */
  onEnd?: () => void;
}

/**
 * Calls `run(slot)` every `periodMs` of `clock` time on a fixed grid (`firstAt + k * periodMs`).
 *
 * Contract:
 * - Drift-free: each due time is the previous due time plus the period, never "now plus the period", so lateness of
 *   one slot does not shift the next. On a `VirtualClock` every slot runs exactly at its due time.
 * - Catch-up (the one policy): when a slot runs a period or more late (a stalled loop), the slots whose due times
 *   have already passed are skipped, not run in a burst; they are counted in `stats.skipped` and handed to the next
 *   run as `slot.skipped`, and the schedule resumes on the first grid slot strictly after now. Slots that would be
 *   due after `until` are never counted as skipped. A caller that integrates time (a model stepper) uses
 *   `slot.skipped` or the clock to cover the skipped span.
 * - The next slot is armed before `run` is called, so `run` may call `stop()`, and a `run` that throws does not end
 *   the schedule (the error goes to whoever drives the clock; catch it in `run` to count it instead).
 * - `stop()` is idempotent and cancels the armed timer; no slot runs after it.
 */
export class PeriodicSchedule {
  readonly periodMs: number;
  private due: number;
  private readonly until: number;
  private timer: TimerHandle | undefined;
  private active = true;
  private pendingSkipped = 0;
  private readonly figures: ScheduleStats = { runs: 0, skipped: 0, lastLateMs: 0, maxLateMs: 0 };

  constructor(
    private readonly clock: Clock,
    periodMs: number,
    private readonly onSlot: (slot: ScheduleSlot) => void,
    private readonly options: PeriodicScheduleOptions = {},
  ) {
    if (!(periodMs > 0)) throw new RangeError(`period must be > 0 ms, got ${periodMs}`);
    this.periodMs = periodMs;
    this.due = options.firstAt ?? clock.now() + periodMs;
    this.until = options.until ?? Infinity;
    if (this.due > this.until) this.end();
    else this.timer = clock.setTimer(this.due, this.fire);
  }

  get running(): boolean {
    return this.active;
  }

  get stats(): Readonly<ScheduleStats> {
    return this.figures;
  }

  /** Due time of the next slot (meaningless once stopped). */
  get nextDue(): number {
    return this.due;
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private end(): void {
    this.stop();
    this.options.onEnd?.();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (!this.active) return;
    const now = this.clock.now();
    const due = this.due;
    const late = Math.max(0, now - due);
    const f = this.figures;
    f.lastLateMs = late;
    if (late > f.maxLateMs) f.maxLateMs = late;
    const slot: ScheduleSlot = { due, now, run: f.runs, skipped: this.pendingSkipped };
    f.runs++;
    this.pendingSkipped = 0;
    let next = due + this.periodMs;
    if (next <= now) {
      // A stall of a period or more: resume on the first grid slot still ahead rather than bursting.
      const missed = Math.floor((now - next) / this.periodMs) + 1;
      const inRange = this.until === Infinity ? missed : Math.floor((this.until - next) / this.periodMs) + 1;
      const skipped = Math.max(0, Math.min(missed, inRange));
      f.skipped += skipped;
      this.pendingSkipped = skipped;
      next += missed * this.periodMs;
    }
    this.due = next;
    const last = next > this.until;
    if (!last) this.timer = this.clock.setTimer(next, this.fire);
    try {
      this.onSlot(slot);
    } finally {
      if (last && this.active) this.end();
    }
  };
}
