import type { Clock } from '../../../core/clock';
import { validateFrame, type CanFrame } from '../frame';
import { PeriodicSender } from '../periodic';

function key(id: number, extended: boolean): string {
  return `${extended ? 'x' : 's'}${id}`;
}

/**
 * A client's BCM state (socketcand BCM mode): cyclic send jobs on the hub's clock and receive subscriptions.
 * Everything is dropped by `clear()` (mode switch out of BCM, disconnect), as socketcand closes its BCM socket.
 */
export class BcmState {
  private readonly jobs = new Map<string, PeriodicSender>();
  private readonly subs = new Map<string, { intervalMs: number; lastAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly transmit: (frame: CanFrame) => void,
  ) {}

  /** `add`: start (or replace) the job for this id. Interval 0 sends once. Throws `FrameError` for a bad frame. */
  add(frame: CanFrame, intervalUs: number): void {
    validateFrame(frame);
    const k = key(frame.id, frame.extended);
    this.jobs.get(k)?.stop();
    if (intervalUs === 0) {
      this.transmit({ ...frame, data: new Uint8Array(frame.data) });
      return;
    }
    const job = new PeriodicSender(
      this.clock,
      frame,
      intervalUs / 1000,
      (f) => this.transmit({ ...f, data: new Uint8Array(f.data) }),
      () => undefined,
    );
    this.jobs.set(k, job);
  }

  /** `update`: new payload, timers untouched. False if there is no such job. */
  update(frame: CanFrame): boolean {
    const job = this.jobs.get(key(frame.id, frame.extended));
    if (!job?.running) return false;
    job.update(frame.data);
    return true;
  }

  /** `delete`: stop the job. False if there is no such job. */
  delete(id: number, extended: boolean): boolean {
    const k = key(id, extended);
    const job = this.jobs.get(k);
    if (!job) return false;
    job.stop();
    this.jobs.delete(k);
    return true;
  }

  subscribe(id: number, extended: boolean, intervalUs: number): void {
    this.subs.set(key(id, extended), { intervalMs: intervalUs / 1000, lastAt: -Infinity });
  }

  unsubscribe(id: number, extended: boolean): boolean {
    return this.subs.delete(key(id, extended));
  }

  /**
   * Whether a received frame goes to the client: its id is subscribed and, with a throttle interval, at least
   * that long has passed since the last one delivered (frames in between are skipped, not queued).
   */
  wants(frame: Readonly<CanFrame>): boolean {
    if (this.subs.size === 0) return false;
    const sub = this.subs.get(key(frame.id, frame.extended));
    if (!sub) return false;
    const now = this.clock.now();
    if (now - sub.lastAt < sub.intervalMs) return false;
    sub.lastAt = now;
    return true;
  }

  get jobCount(): number {
    return this.jobs.size;
  }

  clear(): void {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
    this.subs.clear();
  }
}
