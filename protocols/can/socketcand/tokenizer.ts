/** Why the tokenizer dropped bytes. Stable strings: they are counter keys. */
export type DropReason =
  /** Non-blank bytes outside any `< ... >`. */
  | 'text-outside-message'
  /** A `<` arrived before the open message's `>`: the open message was cut off. */
  | 'unterminated-message'
  /** A message grew past `maxMessageLength` without `>`; the rest up to its `>` (or the next `<`) is skipped. */
  | 'message-too-long';

/** Default bound on one message, `<` to `>` inclusive. socketcand's own buffer is about 4 KiB; its longest real
 * message (`< fdframe ... 64 bytes >`) is about 200 characters. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 1024;

/** Options for {@link SocketcandTokenizer}. */
export interface TokenizerOptions {
  /** Longest message kept, `<` to `>` inclusive (default {@link DEFAULT_MAX_MESSAGE_LENGTH}). */
  maxMessageLength?: number;
}

/**
 * Finds `< ... >` messages in a TCP byte stream (socketcand ASCII protocol).
 *
 * Contract:
 * - `push(chunk)` may be called with any split of the stream: messages cut across chunks, several in one chunk.
 *   For each complete message, `onMessage` receives its inner text (between `<` and `>`, trimmed), in order.
 * - Bytes it cannot use are dropped, never thrown: blank space between messages is ignored silently; each run of
 *   other bytes outside a message, each cut-off message and each over-long message is one drop, reported to
 *   `onDrop` with a {@link DropReason} and a short excerpt (at most 40 characters, for logs).
 * - Memory is bounded: it never holds more than `maxMessageLength` bytes, whatever the peer sends.
 */
export class SocketcandTokenizer {
  private readonly maxLength: number;
  /** Bytes of the open message, including its `<`. */
  private buf = '';
  private state: 'between' | 'message' | 'garbage' | 'skip' = 'between';
  private garbageExcerpt = '';

  constructor(
    private readonly onMessage: (text: string) => void,
    private readonly onDrop: (reason: DropReason, excerpt: string) => void,
    options: TokenizerOptions = {},
  ) {
    this.maxLength = Math.max(8, options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH);
  }

  /** Bytes held for an unfinished message (for tests of the memory bound). */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Buffer | string): void {
    // latin1 maps every byte to one char, so lengths are byte counts and nothing throws on binary garbage.
    const s = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let i = 0;
    const n = s.length;
    while (i < n) {
      switch (this.state) {
        case 'between':
        case 'garbage': {
          const lt = s.indexOf('<', i);
          const end = lt < 0 ? n : lt;
          for (let j = i; j < end; j++) {
            const c = s.charCodeAt(j);
            if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
              if (this.state === 'between') {
                this.state = 'garbage';
                this.garbageExcerpt = '';
              }
              if (this.garbageExcerpt.length < 40) this.garbageExcerpt += s[j];
            }
          }
          if (lt < 0) return;
          this.endGarbage();
          this.state = 'message';
          this.buf = '<';
          i = lt + 1;
          break;
        }
        case 'message': {
          const gt = s.indexOf('>', i);
          const lt = s.indexOf('<', i);
          if (lt >= 0 && (gt < 0 || lt < gt)) {
            // A new message starts before this one ended.
            if (!this.append(s, i, lt)) break;
            this.onDrop('unterminated-message', excerpt(this.buf));
            this.buf = '<';
            i = lt + 1;
            break;
          }
          if (gt < 0) {
            this.append(s, i, n);
            return;
          }
          if (!this.append(s, i, gt + 1)) break;
          const text = this.buf.slice(1, -1).trim();
          this.buf = '';
          this.state = 'between';
          i = gt + 1;
          this.onMessage(text);
          break;
        }
        case 'skip': {
          const gt = s.indexOf('>', i);
          const lt = s.indexOf('<', i);
          if (gt < 0 && lt < 0) return;
          if (lt >= 0 && (gt < 0 || lt < gt)) {
            this.state = 'message';
            this.buf = '<';
            i = lt + 1;
          } else {
            this.state = 'between';
            i = gt + 1;
          }
          break;
        }
      }
    }
  }

  /** Report a pending garbage run (call when the stream ends, to count trailing bytes). */
  flush(): void {
    this.endGarbage();
    if (this.state === 'message' && this.buf.length > 0) {
      this.onDrop('unterminated-message', excerpt(this.buf));
      this.buf = '';
      this.state = 'between';
    }
  }

  private endGarbage(): void {
    if (this.state === 'garbage') {
      this.onDrop('text-outside-message', this.garbageExcerpt);
      this.garbageExcerpt = '';
      this.state = 'between';
    }
  }

  /** Append s[from, to) to the open message; on overflow drop it, switch to 'skip' and return false. */
  private append(s: string, from: number, to: number): boolean {
    if (this.buf.length + (to - from) <= this.maxLength) {
      this.buf += s.slice(from, to);
      return true;
    }
    this.onDrop('message-too-long', excerpt(this.buf + s.slice(from, Math.min(to, from + 40))));
    this.buf = '';
    // The caller re-scans from `from` in skip mode: the next '<' or '>' resynchronises.
    this.state = 'skip';
    return false;
  }
}

function excerpt(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
