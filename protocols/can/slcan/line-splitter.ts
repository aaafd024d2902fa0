/** What a stream of SLCAN bytes splits into. */
export type SlcanToken =
  /** A line ended by CR (or LF; CR LF counts once). `text` is '' for a bare CR, the adapter's OK reply. */
  | { kind: 'line'; text: string }
  /** A BEL (the adapter's error reply), with any text that preceded it on the line. */
  | { kind: 'bell'; text: string }
  /** A line dropped as garbage (already counted in `dropped`); an adapter answers it with BEL. */
  | { kind: 'dropped'; reason: SlcanDropReason; excerpt: string };

/** Why the splitter dropped input. */
export type SlcanDropReason = 'too-long' | 'non-printable';

/** Options for {@link SlcanLineSplitter}. */
export interface SlcanLineSplitterOptions {
  /**
   * Whether BEL ends a reply (host side, reading an adapter). On the adapter side, reading a host, BEL is just a
   * garbage byte. Default true.
   */
  bellTerminates?: boolean;
  /** Longest line kept (default 64; the longest valid line, `T` with 8 bytes and a timestamp, is 30). */
  maxLineLength?: number;
  /** Told about each dropped line (for logging); the splitter counts drops itself. */
  onDrop?: (reason: SlcanDropReason, excerpt: string) => void;
}

/**
 * Streaming splitter for SLCAN: feed it chunks as they arrive (split anywhere, even inside a line) and it returns
 * complete tokens. Over-long lines and lines with control or non-ASCII bytes are dropped whole, counted by reason
 * in `dropped` and reported as a `dropped` token (never as a line); the splitter resynchronises at the next terminator.
 * Bytes after the last terminator wait for the next chunk.
 */
export class SlcanLineSplitter {
  /** Dropped lines by reason. */
  readonly dropped: Record<SlcanDropReason, number> = { 'too-long': 0, 'non-printable': 0 };
  private readonly bellTerminates: boolean;
  private readonly maxLineLength: number;
  private readonly onDrop: ((reason: SlcanDropReason, excerpt: string) => void) | undefined;
  private buf = '';
  private overflow = false;
  private bad = false;
  private lastWasCr = false;

  constructor(options: SlcanLineSplitterOptions = {}) {
    this.bellTerminates = options.bellTerminates ?? true;
    this.maxLineLength = options.maxLineLength ?? 64;
    this.onDrop = options.onDrop;
  }

  /** Total dropped lines. */
  get droppedTotal(): number {
    return this.dropped['too-long'] + this.dropped['non-printable'];
  }

  /** Feed bytes (or latin1 text); returns the tokens completed by them, in order. */
  push(chunk: Uint8Array | string): SlcanToken[] {
    const out: SlcanToken[] = [];
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = typeof chunk === 'string' ? chunk.charCodeAt(i) : chunk[i]!;
      if (c === 0x0a && this.lastWasCr) {
        this.lastWasCr = false; // CR LF: one terminator
        continue;
      }
      this.lastWasCr = c === 0x0d;
      if (c === 0x0d || c === 0x0a) {
        this.finish(out, 'line');
      } else if (c === 0x07 && this.bellTerminates) {
        this.finish(out, 'bell');
      } else if (this.overflow) {
        continue;
      } else if (this.buf.length >= this.maxLineLength) {
        this.overflow = true;
      } else {
        if (c < 0x20 || c > 0x7e) this.bad = true;
        this.buf += String.fromCharCode(c);
      }
    }
    return out;
  }

  /** Forget a partial line (after a reconnect). */
  reset(): void {
    this.buf = '';
    this.overflow = false;
    this.bad = false;
    this.lastWasCr = false;
  }

  private finish(out: SlcanToken[], kind: 'line' | 'bell'): void {
    const text = this.buf;
    const reason: SlcanDropReason | undefined = this.overflow ? 'too-long' : this.bad ? 'non-printable' : undefined;
    this.buf = '';
    this.overflow = false;
    this.bad = false;
    if (reason) {
      this.dropped[reason]++;
      const excerpt = text.slice(0, 40);
      this.onDrop?.(reason, excerpt);
      out.push({ kind: 'dropped', reason, excerpt });
      // A dropped line that ended in BEL still carries the BEL: the adapter's error reply must not be lost.
      if (kind === 'bell') out.push({ kind: 'bell', text: '' });
      return;
    }
    out.push({ kind, text });
  }
}
