/**
 * What the native EV pack profiles share: a drift-free tick on a clock, and the watch over the vehicle side
 * (keep-alive lost -> relays open; silent longer -> asleep; heard again -> awake).
 */
import { PeriodicSchedule, type Clock } from '../../../../core/clock';

/**
 * Call `fn(tick)` now and every `periodMs` on `clock` after (the core `PeriodicSchedule`: drift-free; after a
 * stall the missed ticks are skipped, no burst; `tick` counts the calls). Returns `stop`, idempotent.
 */
export function startTicker(clock: Clock, periodMs: number, fn: (tick: number) => void): () => void {
  let tick = 0;
  const run = (): void => fn(tick++);
  const schedule = new PeriodicSchedule(clock, periodMs, run);
  run();
  return () => schedule.stop();
}

export interface VehicleWatchOptions {
  /** No keep-alive for this long: `onLost` (the pack opens its relays), ms. */
  keepAliveMs: number;
  /** No keep-alive for this long: asleep until the next one, ms. */
  sleepMs: number;
  onLost(): void;
}

/** The vehicle side as a pack sees it. Call `heard()` on each keep-alive and `check()` on each tick. */
export class VehicleWatch {
  awake = true;
  lost = false;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly o: VehicleWatchOptions,
  ) {
    this.last = clock.now();
  }

  /** A keep-alive: wakes the pack; returns true when it was asleep or lost (the caller restores its relays). */
  heard(): boolean {
    this.last = this.clock.now();
    const was = !this.awake || this.lost;
    this.awake = true;
    this.lost = false;
    return was;
  }

  check(): void {
    const silent = this.clock.now() - this.last;
    if (!this.lost && silent > this.o.keepAliveMs) {
      this.lost = true;
      this.o.onLost();
    }
    if (this.awake && silent > this.o.sleepMs) this.awake = false;
  }
}
