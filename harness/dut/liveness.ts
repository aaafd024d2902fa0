import { formatDuration } from '../config/duration';

/**
 * Hang detection by silence: the controller must show a sign of life - a CAN frame, a Modbus request, an output
 * line; anything that moves `activity()` - at least once every `timeoutMs` of scenario time. Every controller of
 * this field heartbeats its BMSs and polls its inverters, so a controller silent for that long is hung (deadlocked,
 * stopped, stuck in a blocking call), and the scenario ends with an error verdict rather than a fail.
 *
 * Contract: `check(t)` is called with non-decreasing scenario times (ms since t=0); it returns the reason once the
 * silence exceeds the timeout (and keeps returning it), `undefined` otherwise. A timeout of 0 disables the watch.
 * The first `check` starts the clock, so a controller that is silent from the start is caught too.
 */
export class LivenessWatch {
  private lastActivity: number | undefined;
  private lastChangeAt = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly activity: () => number,
  ) {}

  check(t: number): string | undefined {
    if (this.timeoutMs <= 0) return undefined;
    const now = this.activity();
    if (now !== this.lastActivity) {
      this.lastActivity = now;
      this.lastChangeAt = t;
      return undefined;
    }
    if (t - this.lastChangeAt <= this.timeoutMs) return undefined;
    return (
      `the controller is hung: no sign of life for ${formatDuration(t - this.lastChangeAt)} ` +
      `(no CAN frame, no Modbus request, no output since t=${(this.lastChangeAt / 1000).toFixed(3)}s; ` +
      `dut.livenessTimeout is ${formatDuration(this.timeoutMs)})`
    );
  }
}
