/**
 * Drive a stepped model from a Clock: every `periodMs` the model steps by the elapsed time. Slots come from the core
 * `PeriodicSchedule` (drift-free, STYLE.md point 8; after a stall the missed slots are skipped and the next step
 * covers the elapsed time), so a virtual clock gives the same steps for the same run.
 */
import { PeriodicSchedule, type Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';

export interface Steppable {
  step(dtSeconds: number): void;
}

export interface Driver {
  /** Stop stepping. Idempotent. */
  stop(): void;
  readonly running: boolean;
}

/** Step `model` every `periodMs` of `clock` time (default 100 ms) until `stop()`. A throwing step stops the driver. */
export function driveWithClock(clock: Clock, model: Steppable, periodMs = 100): Driver {
  if (!(periodMs > 0)) throw new ConfigError(`step period must be > 0 ms, got ${periodMs}`);
  let last = clock.now();
  const schedule = new PeriodicSchedule(clock, periodMs, ({ now }) => {
    const dt = (now - last) / 1000;
    last = now;
    try {
      model.step(dt);
    } catch (err) {
      schedule.stop();
      throw err;
    }
  });
  return {
    stop: () => schedule.stop(),
    get running() {
      return schedule.running;
    },
  };
}
