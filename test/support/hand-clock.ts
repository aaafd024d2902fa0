import type { Clock, TimerHandle } from '../../core/clock';

/** A clock whose timers the test fires by hand, at whatever (late) time it chooses. */
export class HandClock implements Clock {
  readonly kind = 'virtual' as const;
  t = 0;
  timers = new Map<TimerHandle, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimer(at: number, fn: () => void): TimerHandle {
    this.timers.set(this.next, { at, fn });
    return this.next++;
  }
  clearTimer(h: TimerHandle): void {
    this.timers.delete(h);
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.setTimer(this.t + ms, fn);
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  /** Fire the one pending timer at time `t`; returns its due time. */
  fireAt(t: number): number {
    const [h, timer] = [...this.timers.entries()][0]!;
    this.timers.delete(h);
    this.t = t;
    timer.fn();
    return timer.at;
  }
}
