import type { Clock, TimerHandle } from '../../core/clock';
import { validateFrame, type CanFrame } from './frame';
import type { PeriodicOptions, PeriodicTask } from './bus';

/** Figures of one periodic task (for benches: how late it ran, what it skipped). */
export interface PeriodicStats {
  /** Transmissions handed to the medium. */
  sent: number;
  /** Slots skipped because the task fell a whole period behind (stalled event loop). */
  skipped: number;
  /** Transmit callbacks that threw (the schedule carries on). */
  errors: number;
  /** How late the last transmission ran against its due time, ms. */
  lastLateMs: number;
  /** The latest any transmission ran, ms. */
  maxLateMs: number;
}

/**
 * Sends one frame every `periodMs` without drift (STYLE.md point 8): it keeps a due time and adds the period, so
 * lateness of one transmission does not shift the next. If it falls a period or more behind (a stalled event
 * loop), it skips the missed slots and resumes on the period grid instead of bursting. A transmit callback that
 * throws is counted, not fatal.
 */
export class PeriodicSender implements PeriodicTask {
  readonly periodMs: number;
  private frame: CanFrame;
  private due: number;
  private readonly endAt: number;
  private timer: TimerHandle | undefined;
  private active = true;
  private readonly figures: PeriodicStats = { sent: 0, skipped: 0, errors: 0, lastLateMs: 0, maxLateMs: 0 };

  constructor(
    private readonly clock: Clock,
    frame: CanFrame,
    periodMs: number,
    private readonly transmit: (frame: CanFrame) => void,
    private readonly onStop: (task: PeriodicSender) => void,
    options: PeriodicOptions = {},
  ) {
    if (!(periodMs > 0)) throw new RangeError(`period must be > 0 ms, got ${periodMs}`);
    validateFrame(frame);
    this.periodMs = periodMs;
    this.frame = { ...frame, data: new Uint8Array(frame.data) };
    const now = clock.now();
    this.due = now + (options.startDelayMs ?? 0);
    this.endAt = options.durationMs !== undefined ? now + options.durationMs : Infinity;
    this.schedule();
  }

  get running(): boolean {
    return this.active;
  }

  /** Transmissions that were skipped because the sender fell a whole period behind. */
  get skipped(): number {
    return this.figures.skipped;
  }

  get stats(): Readonly<PeriodicStats> {
    return this.figures;
  }

  update(data: Uint8Array | ArrayLike<number>): void {
    const next = { ...this.frame, data: Uint8Array.from(data) };
    validateFrame(next);
    this.frame = next;
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.onStop(this);
  }

  private schedule(): void {
    if (this.due > this.endAt) {
      this.stop();
      return;
    }
    this.timer = this.clock.setTimer(this.due, this.fire);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (!this.active) return;
    const now = this.clock.now();
    const late = Math.max(0, now - this.due);
    const f = this.figures;
    f.lastLateMs = late;
    if (late > f.maxLateMs) f.maxLateMs = late;
    try {
      this.transmit(this.frame);
      f.sent++;
    } catch {
      f.errors++;
    }
    this.due += this.periodMs;
    if (this.due <= now) {
      // A stall of a period or more: resume on the first grid slot still ahead rather than bursting. Slots past the
      // end of a duration were never going to be sent: they are not counted as skipped.
      const missed = Math.floor((now - this.due) / this.periodMs) + 1;
      const inDuration = this.endAt === Infinity ? missed : Math.floor((this.endAt - this.due) / this.periodMs) + 1;
      f.skipped += Math.max(0, Math.min(missed, inDuration));
      this.due += missed * this.periodMs;
    }
    if (this.active) this.schedule();
  };
}
