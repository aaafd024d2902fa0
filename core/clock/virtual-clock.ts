import type { Clock, TimerHandle } from './clock';

/** A pending timer; `fn` is cleared when it fires or is cleared. */
interface Entry {
  readonly handle: TimerHandle;
  fn: (() => void) | undefined;
}

/** The timers due at one instant, in creation order; `next` is the first not yet run. */
interface Bucket {
  readonly entries: Entry[];
  next: number;
}

/**
 * Deterministic simulated time. Time moves only when the owner calls `advance`/`advanceTo`/`runAll`; timers fire
 * in (due time, creation order), and `now()` reads each timer's due time while it runs. Identical inputs give
 * identical firing order, so traces are reproducible for a seed.
 *
 * Timers are kept per due instant (one bucket per distinct due time, a heap of the distinct times): the many timers
 * of a big bench that fall on the same instant (every device's cycle on the same 1 s grid) cost one heap operation
 * per instant, not one per timer, and run in one pass. A timer set for the instant being run (or the past) joins the
 * end of that instant's bucket, so it runs in the same pass, after the timers already due (the Clock contract).
 *
 * Use the async variants (`advanceAsync`) when timer callbacks start promise chains that must settle before the
 * next timer (for example a bus receiver awaiting a frame): they yield to the microtask queue between timers.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  /** Distinct due times with a bucket, as a binary min-heap. */
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Bucket>();
  private readonly live = new Map<TimerHandle, Entry>();
  /** Due time of the bucket `firstBucket` returned last. */
  private firstAt = 0;
  private nextHandle = 1;
  private errors: unknown[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    const due = at > this.current ? at : this.current;
    const entry: Entry = { handle, fn };
    const bucket = this.buckets.get(due);
    if (bucket) bucket.entries.push(entry);
    else {
      this.buckets.set(due, { entries: [entry], next: 0 });
      heapPush(this.times, due);
    }
    this.live.set(handle, entry);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const entry = this.live.get(handle);
    if (!entry) return;
    entry.fn = undefined;
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
    return this.firstBucket() ? this.firstAt : undefined;
  }

  /** Run every timer due up to `now() + ms` synchronously, then set `now()` to that time. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Run every timer due up to `t` synchronously (timers they set that fall before `t` run too). */
  advanceTo(t: number): void {
    for (;;) {
      const bucket = this.firstBucket();
      if (!bucket || this.firstAt > t) break;
      // One pass over the instant: timers set meanwhile for this instant are appended and run in this pass too.
      this.current = this.firstAt;
      const { entries } = bucket;
      while (bucket.next < entries.length) this.run(entries[bucket.next++]!);
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
      this.run(next);
    }
    this.throwCollected();
  }

  private run(e: Entry): void {
    const fn = e.fn;
    if (fn === undefined) return; // cleared
    e.fn = undefined;
    this.live.delete(e.handle);
    try {
      fn();
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

  /**
   * The bucket of the earliest instant that still has a pending timer (its time in `firstAt`), positioned on that
   * timer. Instants whose timers all ran or were cleared are dropped on the way.
   */
  private firstBucket(): Bucket | undefined {
    const times = this.times;
    while (times.length > 0) {
      const at = times[0]!;
      const bucket = this.buckets.get(at)!;
      const { entries } = bucket;
      while (bucket.next < entries.length && entries[bucket.next]!.fn === undefined) bucket.next++;
      if (bucket.next < entries.length) {
        this.firstAt = at;
        return bucket;
      }
      this.buckets.delete(at);
      heapPop(times);
    }
    return undefined;
  }

  /** The next pending timer due at or before `limit` (now() set to its due time), taken off its bucket. */
  private popDue(limit: number): Entry | undefined {
    const bucket = this.firstBucket();
    if (!bucket || this.firstAt > limit) return undefined;
    this.current = this.firstAt;
    return bucket.entries[bucket.next++];
  }
}

function heapPush(h: number[], v: number): void {
  h.push(v);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): void {
  const last = h.pop()!;
  const n = h.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]! < h[l]! ? r : l;
    if (h[c]! >= last) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
}

/** Let queued promise callbacks run (a few rounds, for chains of awaits). */
export async function flushMicrotasks(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
