import type { Clock, TimerHandle } from '../../core/clock';
import { validateFrame, type CanFrame } from './frame';
import type { PeriodicOptions, PeriodicTask } from './bus';

/**
 * Sends one frame every `periodMs` without drift (STYLE.md point 8): it keeps a due time and adds the period, so
 * lateness of one transmission does not shift the next. If it falls more than one period behind (a stalled event
 * loop), it skips the missed slots instead of bursting.
 */
export class PeriodicSender implements PeriodicTask {
  readonly periodMs: number;
  private frame: CanFrame;
  private due: number;
  private readonly endAt: number;
  private timer: TimerHandle | undefined;
  private active = true;
  /** Transmissions that were skipped because the sender fell a whole period behind. */
  skipped = 0;

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
    this.transmit(this.frame);
    this.due += this.periodMs;
    const now = this.clock.now();
    if (now - this.due > this.periodMs) {
      const missed = Math.floor((now - this.due) / this.periodMs);
      this.skipped += missed;
      this.due += missed * this.periodMs;
    }
    this.schedule();
  };
}
