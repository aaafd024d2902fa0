/**
 * Drive a stepped model from a Clock: every `periodMs` the model steps by the elapsed time. Due times advance by the
 * period (no drift, STYLE.md point 8), so a virtual clock gives the same steps for the same run.
 */
import type { Clock, TimerHandle } from '../../core/clock';
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
  let due = last + periodMs;
  let handle: TimerHandle | undefined;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    const now = clock.now();
    const dt = (now - last) / 1000;
    last = now;
    due += periodMs;
    if (due <= now) due = now + periodMs; // fell behind (real clock): skip, do not burst
    handle = clock.setTimer(due, tick);
    try {
      model.step(dt);
    } catch (err) {
      stop();
      throw err;
    }
  };
  const stop = (): void => {
    running = false;
    if (handle !== undefined) clock.clearTimer(handle);
  };
  handle = clock.setTimer(due, tick);
  return {
    stop,
    get running() {
      return running;
    },
  };
}
