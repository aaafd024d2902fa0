/** Opaque handle returned by {@link Clock.setTimer}. */
export type TimerHandle = number;

/**
 * The one source of time for emulators, schedulers and scenarios (DESIGN.md "Clock").
 *
 * Contract:
 * - `now()` is milliseconds (fractional allowed). Real clocks count from the Unix epoch; a virtual clock from its
 *   configured start (default 0), so traces read `now()/1000` as seconds either way.
 * - `setTimer(at, fn)` calls `fn` once, no earlier than `at` (absolute ms on this clock). A time in the past fires
 *   as soon as possible, after timers already due. Timers due at the same instant fire in the order they were set.
 * - `clearTimer(h)` on a fired, cleared or unknown handle is a no-op.
 * - A callback that throws does not stop other timers; the error goes to `onTimerError` (default: rethrown on a
 *   later tick by a real clock, collected by a virtual clock and rethrown from `advance`).
 */
export interface Clock {
  readonly kind: 'real' | 'virtual';
  now(): number;
  setTimer(at: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** `setTimer(now() + delayMs, fn)`. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Resolves when `ms` have passed on this clock. Never use the wall clock to wait in tests: use a virtual clock. */
  sleep(ms: number): Promise<void>;
}
