import type { Clock, TimerHandle } from './clock';
import { TimerHeap, type HeapTimer } from './timer-heap';

type VirtualTimer = HeapTimer;

/**
 * Deterministic simulated time. Time moves only when the owner calls `advance`/`advanceTo`/`runAll`; timers fire
 * in (due time, creation order), and `now()` reads each timer's due time while it runs. Identical inputs give
 * identical firing order, so traces are reproducible for a seed.
 *
 * Use the async variants (`advanceAsync`) when timer callbacks start promise chains that must settle before the
 * next timer (for example a bus receiver awaiting a frame): they yield to the microtask queue between timers.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  private readonly heap = new TimerHeap();
  private readonly live = new Set<TimerHandle>();
  private nextHandle = 1;
  private seq = 0;
  private errors: unknown[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    this.heap.push({ at: Math.max(at, this.current), seq: this.seq++, handle, fn });
    this.live.add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.live.delete(handle);
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.setTimer(this.current + Math.max(0, delayMs), fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.live.size;
  }

  /** Due time of the next pending timer, or `undefined`. */
  nextDue(): number | undefined {
    this.dropCleared();
    return this.heap.peek()?.at;
  }

  /** Run every timer due up to `now() + ms` synchronously, then set `now()` to that time. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Run every timer due up to `t` synchronously (timers they set that fall before `t` run too). */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.popDue(t);
      if (!next) break;
      this.current = next.at;
      this.run(next);
    }
    if (t > this.current) this.current = t;
    this.throwCollected();
  }

  /** Like `advanceTo`, but lets pending promise callbacks run after each timer. */
  async advanceToAsync(t: number): Promise<void> {
    await flushMicrotasks();
    for (;;) {
      const next = this.popDue(t);
      if (!next) break;
      this.current = next.at;
      this.run(next);
      await flushMicrotasks();
    }
    if (t > this.current) this.current = t;
    await flushMicrotasks();
    this.throwCollected();
  }

  /** Like `advance`, but lets pending promise callbacks run after each timer. */
  advanceAsync(ms: number): Promise<void> {
    return this.advanceToAsync(this.current + ms);
  }

  /** Run timers until none are left or `limit` timers have run (guards against periodic tasks). */
  runAll(limit = 1_000_000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.popDue(Infinity);
      if (!next) break;
      this.current = next.at;
      this.run(next);
    }
    this.throwCollected();
  }

  private run(t: VirtualTimer): void {
    this.live.delete(t.handle);
    try {
      t.fn();
    } catch (err) {
      this.errors.push(err);
    }
  }

  private throwCollected(): void {
    if (this.errors.length === 0) return;
    const errs = this.errors;
    this.errors = [];
    if (errs.length === 1) throw errs[0];
    throw new AggregateError(errs, `${errs.length} timer callbacks threw`);
  }

  private dropCleared(): void {
    while (this.heap.size > 0 && !this.live.has(this.heap.peek()!.handle)) this.heap.pop();
  }

  private popDue(limit: number): VirtualTimer | undefined {
    this.dropCleared();
    const top = this.heap.peek();
    if (!top || top.at > limit) return undefined;
    return this.heap.pop();
  }



}

/** Let queued promise callbacks run (a few rounds, for chains of awaits). */
export async function flushMicrotasks(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
