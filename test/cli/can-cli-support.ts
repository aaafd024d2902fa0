import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { VirtualClock, type TimerHandle } from '../../core/clock';
import type { CliIo } from '../../harness/cli/commands/can/cli-io';
import type { CanBus } from '../../protocols/can/bus';
import type { CanFrame } from '../../protocols/can/frame';

/** A failure bound for waits on lines and exits (not a sleep: waits end as soon as the event happens). */
export const WAIT_MS = 15000;

type Stream = 'out' | 'err';

/** Collects lines written to `out`/`err` and lets a test wait for a line matching a pattern. */
export class LineCollector {
  readonly lines: Record<Stream, string[]> = { out: [], err: [] };
  private waiters: { stream: Stream; re: RegExp; resolve: (line: string) => void }[] = [];

  push(stream: Stream, line: string): void {
    this.lines[stream].push(line);
    for (const w of [...this.waiters]) {
      if (w.stream === stream && w.re.test(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** Resolves with the first line (already written or future) matching `re`; rejects after `WAIT_MS`. */
  waitFor(stream: Stream, re: RegExp, what = re.source): Promise<string> {
    const seen = this.lines[stream].find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${stream} line matching ${what} within ${WAIT_MS} ms; ${stream} so far:\n${this.lines[stream].join('\n')}`));
      }, WAIT_MS);
      const waiter = {
        stream,
        re,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

/** An in-process `CliIo` writing into a collector. */
export function collectIo(): CliIo & { c: LineCollector } {
  const c = new LineCollector();
  return { c, out: (l) => c.push('out', l), err: (l) => c.push('err', l) };
}

/** A `hil` child process with its output collected line by line. */
export class HilProcess extends LineCollector {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(main: string, args: string[]) {
    super();
    this.child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.split(this.child.stdout!, 'out');
    this.split(this.child.stderr!, 'err');
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  /** Exit code, failing after `WAIT_MS`. */
  exitCode(): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hil did not exit within ${WAIT_MS} ms; stderr:\n${this.lines.err.join('\n')}`)), WAIT_MS);
    });
    return Promise.race([this.exited, bound]).finally(() => clearTimeout(timer));
  }

  /** Kill it if still running and wait for it (for cleanup). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private split(stream: NodeJS.ReadableStream, name: Stream): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        this.push(name, rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      if (rest) this.push(name, rest);
    });
  }
}

/** Repository root. */
export const ROOT = join(__dirname, '..', '..');
/** Where the child-process tests build the CLI (inside node_modules so the built code finds its dependencies). */
export const CLI_BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'hil-cli-test');
export const CLI_MAIN = join(CLI_BUILD_DIR, 'harness', 'cli', 'main.js');

/**
 * Transpile the project into `CLI_BUILD_DIR` (no type check: `npm test` type-checks; this keeps the tests
 * independent of a stale or half-written `dist/`). Resolves once tsc has exited; tsc's output is returned for
 * failure messages.
 */
export function buildCli(): Promise<string> {
  return new Promise((resolve, reject) => {
    const tsc = spawn(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--noCheck', '--outDir', CLI_BUILD_DIR], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    tsc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    tsc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    tsc.once('error', reject);
    tsc.once('close', () => resolve(output));
  });
}

/** A virtual clock that tells when a timer is set, so a test can wait for code that schedules after real I/O. */
export class WatchedClock extends VirtualClock {
  private onSet: (() => void)[] = [];

  override setTimer(at: number, fn: () => void): TimerHandle {
    const handle = super.setTimer(at, fn);
    for (const resolve of this.onSet.splice(0)) resolve();
    return handle;
  }

  /** Run the next timer (waiting until one is set, up to `WAIT_MS`), letting promise callbacks run after it. */
  async advanceToNextTimer(): Promise<void> {
    if (this.nextDue() === undefined) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        this.onSet.push(resolve);
        timer = setTimeout(() => reject(new Error(`no timer was set within ${WAIT_MS} ms`)), WAIT_MS);
      }).finally(() => clearTimeout(timer));
    }
    await this.advanceToAsync(this.nextDue()!);
  }
}

/** The bus's next frame, failing after `WAIT_MS` of real time (for buses on a virtual clock). */
export async function nextFrame(bus: CanBus): Promise<CanFrame> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no frame on ${bus.medium}:${bus.channel} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  try {
    const f = await Promise.race([bus.recv(), bound]);
    if (!f) throw new Error(`${bus.medium}:${bus.channel} closed while waiting for a frame`);
    return f;
  } finally {
    clearTimeout(timer);
  }
}
