import { defaultClock, type Clock } from '../clock';

/** Where a component writes its log lines, one line per call, without a trailing newline. */
export type LogSink = (line: string) => void;

/** Options for {@link RateLimitedLog}. */
export interface RateLimitedLogOptions {
  /** Lines written per window (default 20). */
  limit?: number;
  /**
   * Window length in ms on `clock` (default 10 000). `Infinity`: one window for ever, so only the first `limit`
   * lines are written and the rest only counted.
   */
  windowMs?: number;
  /** Clock the window is measured on (default the process's real clock). Only `now()` is read; no timer is set. */
  clock?: Pick<Clock, 'now'>;
}

/**
 * A log that a flooding peer cannot flood: at most `limit` lines per window, the rest counted.
 *
 * Contract:
 * - `write(line)` writes `<prefix>: <line>` while the current window has had fewer than `limit` lines. The first line
 *   held back in a window writes one notice instead; later ones are only counted.
 * - The count of lines held back is written as one summary line when the next line arrives after the window ended,
 *   and by `flush()` (call it when the peer goes away), so nothing held back goes unmentioned.
 * - `always(line)` writes at once, outside the budget (decisions such as a disconnect, which must not be hidden by
 *   the garbage before them).
 * - Limiters nest: give one limiter's `write` as another's sink to bound many peers together (per peer, then per
 *   server); the inner summaries then count against the outer budget too.
 */
export class RateLimitedLog {
  /** Lines written through `write` (summaries and notices not included). */
  logged = 0;
  /** Lines held back, in total (including those already summarized). */
  suppressed = 0;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private windowStart: number | undefined;
  private inWindow = 0;
  /** Held back since the last summary. */
  private pending = 0;
  private readonly head: string;

  /** `prefix` starts every line (`<prefix>: ...`); an empty prefix adds nothing. */
  constructor(
    private readonly sink: LogSink,
    prefix: string,
    options: RateLimitedLogOptions = {},
  ) {
    this.head = prefix ? `${prefix}: ` : '';
    this.limit = options.limit ?? 20;
    this.windowMs = options.windowMs ?? 10_000;
    this.clock = options.clock ?? defaultClock();
  }

  write(line: string): void {
    const now = this.clock.now();
    if (this.windowStart === undefined || now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    if (this.inWindow <= this.limit) {
      this.logged++;
        this.sink(this.head + line);
      return;
    }
    this.suppressed++;
    this.pending++;
    if (this.inWindow === this.limit + 1) {
      const per = Number.isFinite(this.windowMs) ? ` in ${seconds(this.windowMs)}` : '';
      this.sink(`${this.head}more than ${this.limit} event${this.limit === 1 ? '' : 's'}${per}; counting, not logging them`);
    }
  }

  /** Written at once, outside the budget. */
  always(line: string): void {
    this.sink(this.head + line);
  }

  /** Write the summary of lines held back since the last one, if any. */
  flush(): void {
    if (this.pending === 0) return;
    const n = this.pending;
    this.pending = 0;
    this.sink(`${this.head}${n} more event${n === 1 ? '' : 's'} not logged (over ${this.limit}${Number.isFinite(this.windowMs) ? ` per ${seconds(this.windowMs)}` : ''})`);
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Log budgets of a server with many peers (see {@link PeerLogs}). */
export interface PeerLogRate {
  /** Lines per peer per window (default 20). */
  perPeer?: number;
  /** Lines per window for all peers together, summaries included (default 100). */
  total?: number;
  /** Window in ms on the server's clock (default 10 000). */
  windowMs?: number;
}

/**
 * The logs of a server's peers: one {@link RateLimitedLog} per peer, all writing into one server-wide limiter, so
 * one peer flooding garbage cannot hide the others' lines, and 20,000 peers cannot flood the log together.
 */
export class PeerLogs {
  readonly total: RateLimitedLog;
  private readonly rate: Required<PeerLogRate>;

  constructor(
    sink: LogSink,
    private readonly clock: Pick<Clock, 'now'>,
    rate: PeerLogRate = {},
  ) {
    this.rate = { perPeer: rate.perPeer ?? 20, total: rate.total ?? 100, windowMs: rate.windowMs ?? 10_000 };
    this.total = new RateLimitedLog(sink, '', { limit: this.rate.total, windowMs: this.rate.windowMs, clock });
  }

  /** A new peer's log; `flush()` it when the peer goes away. */
  forPeer(prefix: string): RateLimitedLog {
    return new RateLimitedLog((line) => this.total.write(line), prefix, { limit: this.rate.perPeer, windowMs: this.rate.windowMs, clock: this.clock });
  }
}
