/**
 * A python peer of the interop tests (python-can, canmatrix, pymodbus scripts under test/interop/py/): a child
 * process printing JSON lines, each awaited as an event, and taking JSON commands on stdin. Bounded waits are
 * failure bounds only; a python that exits early fails the wait with its stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON } from './peers';

const WAIT_MS = 20_000;

export type PyEvent = { event: string; [k: string]: unknown };

/** The python peer: JSON lines awaited one by one; fails if python exits first. */
export class PyPeer {
  private readonly lines: PyEvent[] = [];
  private waiter: (() => void) | undefined;
  private stderr = '';
  private exited: string | undefined;
  /** Resolves with python's exit code. */
  readonly done: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(script: string, args: string[], private readonly waitMs = WAIT_MS) {
    this.child = spawn(PYTHON, ['-u', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as PyEvent);
      this.waiter?.();
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.done = new Promise((resolve) =>
      this.child.once('close', (code) => {
        this.exited = `python exited with code ${code}: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        this.waiter?.();
        resolve(code);
      }),
    );
  }

  /** The next line with this event (lines of other events stay queued). */
  async next(event: string): Promise<PyEvent> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const i = this.lines.findIndex((l) => l.event === event);
      if (i >= 0) return this.lines.splice(i, 1)[0]!;
      if (this.exited) throw new Error(`waiting for '${event}': ${this.exited}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${event}' line from python within ${this.waitMs} ms; stderr: ${this.stderr.slice(-300)}`);
      let t: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        t = setTimeout(resolve, left); // failure bound only
      });
      clearTimeout(t);
    }
  }

  /** Every queued line with this event. */
  take(event: string): PyEvent[] {
    const out = this.lines.filter((l) => l.event === event);
    this.lines.splice(0, this.lines.length, ...this.lines.filter((l) => l.event !== event));
    return out;
  }

  /** One JSON command on python's stdin. */
  send(cmd: object): void {
    this.child.stdin.write(JSON.stringify(cmd) + '\n');
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

