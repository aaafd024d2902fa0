import { PeriodicSchedule, type Clock } from '../../core/clock';
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
 * Sends one frame every `periodMs` on the core {@link PeriodicSchedule} (drift-free, STYLE.md point 8; after a
 * stall of a period or more the missed slots are skipped and counted, no burst). A transmit callback that throws is
 * counted, not fatal.
 */
export class PeriodicSender implements PeriodicTask {
  readonly periodMs: number;
  private frame: CanFrame;
  private active = true;
  private sent = 0;
  private errors = 0;
  private readonly schedule: PeriodicSchedule;

  constructor(
    clock: Clock,
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
    this.schedule = new PeriodicSchedule(clock, periodMs, this.fire, {
      firstAt: now + (options.startDelayMs ?? 0),
      ...(options.durationMs !== undefined ? { until: now + options.durationMs } : {}),
      onEnd: () => this.finish(),
    });
  }

  get running(): boolean {
    return this.active;
  }

  /** Transmissions that were skipped because the sender fell a whole period behind. */
  get skipped(): number {
    return this.schedule.stats.skipped;
  }

  get stats(): Readonly<PeriodicStats> {
    const s = this.schedule.stats;
    return { sent: this.sent, skipped: s.skipped, errors: this.errors, lastLateMs: s.lastLateMs, maxLateMs: s.maxLateMs };
  }

  update(data: Uint8Array | ArrayLike<number>): void {
    const next = { ...this.frame, data: Uint8Array.from(data) };
    validateFrame(next);
    this.frame = next;
  }

  stop(): void {
    if (!this.active) return;
    this.schedule.stop();
    this.finish();
  }

  private finish(): void {
    if (!this.active) return;
    this.active = false;
    this.onStop(this);
  }

  private readonly fire = (): void => {
    try {
      this.transmit(this.frame);
      this.sent++;
    } catch {
      this.errors++;
    }
  };
}
