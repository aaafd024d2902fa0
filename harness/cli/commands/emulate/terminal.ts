import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { clearScreenDown, createInterface, cursorTo, moveCursor, type Interface } from 'node:readline';
import type { Completer } from '../../../operator/completer';

/** Lines of history kept (in memory, and read back from the file). */
export const HISTORY_SIZE = 500;

/** Options for {@link TerminalPrompt}. */
export interface TerminalPromptOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where log lines go (stderr); drawn above the prompt like everything else. */
  errorOutput?: NodeJS.WritableStream;
  completer: Completer;
  prompt?: string;
  /** Load history from this file and append each line to it; undefined: history for this session only. */
  historyFile?: string;
  /** Longest line saved to history. */
  maxLineLength: number;
  /** A line was entered; what it prints goes through `print`. 'quit': no prompt after it. */
  onLine(line: string): void | 'quit';
  /** Ctrl+D, or Ctrl+C on an empty line. */
  onQuit(): void;
}

/**
 * An interactive prompt on a terminal (Node's readline): editing, history (Up/Down, kept in a file across
 * sessions), Tab completion. Output that arrives while the user is typing (status lines, logs) is drawn above the
 * prompt, which is then redrawn with what was typed and the cursor where it was, so the two never mix.
 *
 * Contract: `print`/`warn` may be called at any time, also from inside `onLine` (then the prompt comes back after
 * it returns). Ctrl+C clears a typed line, or quits on an empty one. `close()` is idempotent and leaves the
 * terminal as it found it (readline restores the mode).
 */
export class TerminalPrompt {
  private readonly rl: Interface;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private prompting = false;
  private closed = false;
  private historyFile: string | undefined;

  constructor(private readonly o: TerminalPromptOptions) {
    this.out = o.output;
    this.err = o.errorOutput ?? o.output;
    this.historyFile = o.historyFile;
    this.rl = createInterface({
      input: o.input,
      output: o.output,
      terminal: true,
      completer: o.completer,
      history: this.loadHistory(),
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      prompt: o.prompt ?? 'hil> ',
      tabSize: 4,
    });
    this.rl.on('line', (line) => {
      this.prompting = false;
      this.saveHistory(line);
      if (o.onLine(line) !== 'quit') this.showPrompt();
    });
    this.rl.on('SIGINT', () => {
      if (this.rl.line.length === 0) {
        this.out.write('\n');
        o.onQuit();
        return;
      }
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
    });
    this.rl.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.out.write('\n');
      o.onQuit();
    });
  }

  /** Show the prompt (call once the banner is out). */
  showPrompt(): void {
    if (this.closed) return;
    this.rl.prompt(true);
    this.prompting = true;
  }

  /** A line on stdout, above the prompt. */
  print(line: string): void {
    this.above(this.out, line);
  }

  /** A line on stderr, above the prompt. */
  warn(line: string): void {
    this.above(this.err, line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rl.close();
  }

  private above(stream: NodeJS.WritableStream, line: string): void {
    if (!this.prompting || this.closed) {
      stream.write(`${line}\n`);
      return;
    }
    // Back to the first row of the prompt (a long line wraps), clear everything from there, write, redraw.
    moveCursor(this.out, 0, -this.rl.getCursorPos().rows);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
    stream.write(`${line}\n`);
    this.rl.prompt(true);
  }

  private loadHistory(): string[] {
    if (!this.historyFile) return [];
    try {
      const lines = readFileSync(this.historyFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const kept = lines.slice(-HISTORY_SIZE);
      if (lines.length > 2 * HISTORY_SIZE) writeFileSync(this.historyFile, `${kept.join('\n')}\n`, { mode: 0o600 });
      return kept.reverse();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.historyOff(err as Error);
      return [];
    }
  }

  private saveHistory(line: string): void {
    if (!this.historyFile || line.trim() === '' || line.length > this.o.maxLineLength) return;
    try {
      appendFileSync(this.historyFile, `${line}\n`, { mode: 0o600 });
    } catch (err) {
      this.historyOff(err as Error);
    }
  }

  private historyOff(err: Error): void {
    this.err.write(`hil: history file ${this.historyFile}: ${err.message}; history kept for this session only\n`);
    this.historyFile = undefined;
  }
}
