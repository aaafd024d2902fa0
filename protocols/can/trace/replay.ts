import type { Clock, TimerHandle } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import type { CanBus } from '../bus';
import type { CanFrame } from '../frame';

/** Options for {@link replayTrace}. */
export interface ReplayOptions {
  /** Clock that paces the replay (default: the bus's clock). */
  clock?: Clock;
  /** Time factor: 1 original timing, 2 twice as fast, 0.5 half speed, `Infinity` back to back. Default 1. */
  speed?: number;
  /** Frames to skip (for example other channels). Default: send every frame except error frames. */
  filter?: (frame: CanFrame) => boolean;
}

/** Counters of a replay. */
export interface ReplayResult {
  sent: number;
  /** Error frames and frames the filter rejected: not sent. */
  skipped: number;
  /** True when `stop()` ended it before the trace did. */
  stopped: boolean;
}

/** A running replay. */
export interface Replay {
  /** Resolves when the trace is done or `stop()` was called; rejects if a send fails (bus closed, medium lost). */
  readonly done: Promise<ReplayResult>;
  /** Counters so far. */
  readonly progress: Readonly<ReplayResult>;
  /** Stop sending (idempotent); `done` resolves with `stopped: true`. */
  stop(): void;
}

/**
 * Send a trace onto a bus, keeping the original spacing between frames (scaled by `speed`) on the given clock:
 * frame i goes out at `start + (t_i - t_0) / speed`, computed from the start, so delays never add up.
 *
 * With an in-memory trace (an array or other sync iterable) every step runs inside clock timers, so a
 * `VirtualClock` replays deterministically. An async source (a file being read) is pulled between sends.
 * Error frames cannot be sent and are skipped; frames without a timestamp go out with the previous one.
 */
export function replayTrace(source: Iterable<CanFrame> | AsyncIterable<CanFrame>, bus: CanBus, options: ReplayOptions = {}): Replay {
  const clock = options.clock ?? bus.clock;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
  const progress: ReplayResult = { sent: 0, skipped: 0, stopped: false };
  const syncIt = Symbol.iterator in source ? (source as Iterable<CanFrame>)[Symbol.iterator]() : undefined;
  const asyncIt = syncIt ? undefined : (source as AsyncIterable<CanFrame>)[Symbol.asyncIterator]();
  let timer: TimerHandle | undefined;
  let finished = false;
  let t0: number | undefined;
  let lastT = 0;
  const start = clock.now();
  let resolveDone!: (r: ReplayResult) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<ReplayResult>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const finish = (err?: unknown): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    if (asyncIt?.return) void Promise.resolve(asyncIt.return()).catch(() => undefined);
    if (err !== undefined) rejectDone(err);
    else resolveDone({ ...progress });
  };

  const inFlight = new Set<Promise<void>>();
  const send = (frame: CanFrame): Promise<void> | undefined => {
    if (frame.error || (options.filter && !options.filter(frame))) {
      progress.skipped++;
      return undefined;
    }
    if (bus.closed) {
      finish(new ClosedError(`CAN bus ${bus.medium}:${bus.channel}`));
      return undefined;
    }
    progress.sent++;
    const p = bus.send(frame);
    inFlight.add(p);
    p.then(() => inFlight.delete(p), (err) => finish(err));
    return p;
  };

  /** The source is exhausted: resolve once every send has settled (a late failure still rejects). */
  const drain = (): void => {
    if (inFlight.size === 0) finish();
    else void Promise.all(inFlight).then(() => finish(), () => undefined);
  };

  /** Schedule (or, back to back, send at once) the next frame; `r` is its iterator result. */
  const schedule = (r: IteratorResult<CanFrame>): void => {
    if (finished) return;
    if (r.done) {
      drain();
      return;
    }
    const frame = r.value;
    const t = frame.timestamp ?? lastT;
    lastT = t;
    t0 ??= t;
    if (speed === Infinity) {
      const p = send(frame);
      if (p) void p.then(() => pull(), () => undefined);
      else queueMicrotask(pull);
      return;
    }
    timer = clock.setTimer(start + (t - t0) / speed, () => {
      timer = undefined;
      if (finished) return;
      send(frame);
      pull();
    });
  };

  const pull = (): void => {
    if (finished) return;
    if (syncIt) {
      schedule(syncIt.next());
      return;
    }
    asyncIt!.next().then(schedule, (err) => finish(err));
  };

  pull();
  return {
    done,
    get progress() {
      return progress;
    },
    stop() {
      progress.stopped = !finished;
      finish();
    },
  };
}
