import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { ConfigError, HilTimeoutError, OperationError } from '../../core/errors';

/** How to start the controller under test. */
export interface DutLaunch {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Append the DUT's output here (one line per output line, prefixed with stream and harness time). */
  logFile?: string;
  /** Lines of output kept in memory for evidence. */
  keepLines?: number;
}

/** One line the DUT printed. `t` is wall-clock ms (epoch). */
export interface DutLine {
  t: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** How the DUT ended. */
export interface DutExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True if it exited before the harness asked it to stop (a crash, from the harness's point of view). */
  unexpected: boolean;
}

/**
 * The controller under test as a child process (DESIGN.md `dut/`). Output is captured line by line (events
 * `line`), kept in a ring buffer for evidence and optionally logged to a file. An exit the harness did not ask for
 * is reported through `exited` and the `exit` event: the runner turns it into an error verdict; it never throws
 * into the harness.
 *
 * Contract: `start()` rejects with `ConfigError` if the program cannot be started (not found, not executable);
 * `waitForLine` rejects with `HilTimeoutError` after its timeout or `OperationError` if the DUT exits first;
 * `stop()` sends SIGTERM, then SIGKILL after `graceMs`, and resolves once the process is gone (idempotent).
 */
export class DutProcess extends EventEmitter {
  private child: ChildProcess | undefined;
  private readonly lines: DutLine[] = [];
  private readonly keep: number;
  private log: WriteStream | undefined;
  private stopping = false;
  private exitInfo: DutExit | undefined;
  private exitPromise: Promise<DutExit> | undefined;

  constructor(private readonly launch: DutLaunch) {
    super();
    this.keep = launch.keepLines ?? 200;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Set once the process has exited. */
  get exited(): DutExit | undefined {
    return this.exitInfo;
  }

  /** The last lines of output (for evidence). */
  tail(n = 20): DutLine[] {
    return this.lines.slice(-n);
  }

  start(): Promise<void> {
    const [cmd, ...args] = this.launch.argv;
    if (!cmd) return Promise.reject(new ConfigError('the DUT command is empty'));
    if (this.launch.logFile) this.log = createWriteStream(this.launch.logFile, { flags: 'a' });
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: this.launch.cwd,
        env: { ...process.env, ...this.launch.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (!spawned) {
          reject(new ConfigError(`cannot start the controller '${cmd}': ${err.code === 'ENOENT' ? 'program not found' : err.message}`));
        }
      });
      this.exitPromise = new Promise((done) => {
        child.once('close', (code, signal) => {
          this.exitInfo = { code, signal, unexpected: !this.stopping };
          this.log?.end();
          this.emit('exit', this.exitInfo);
          done(this.exitInfo);
        });
      });
      for (const stream of ['stdout', 'stderr'] as const) {
        let partial = '';
        child[stream]!.setEncoding('utf8');
        child[stream]!.on('data', (chunk: string) => {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop() ?? '';
          for (const text of parts) this.addLine(stream, text.replace(/\r$/, ''));
        });
        child[stream]!.on('end', () => {
          if (partial) this.addLine(stream, partial);
          partial = '';
        });
      }
    });
  }

  private addLine(stream: 'stdout' | 'stderr', text: string): void {
    const line: DutLine = { t: Date.now(), stream, text };
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    this.log?.write(`${new Date(line.t).toISOString()} ${stream} ${text}\n`);
    this.emit('line', line);
  }

  /** A line from the harness into the log file (`<ISO time> harness <text>`), e.g. where the scenario's t=0 is. */
  note(text: string, atMs = Date.now()): void {
    this.log?.write(`${new Date(atMs).toISOString()} harness ${text}\n`);
  }

  /** Resolve when a line containing `text` appears (also if it already did). */
  waitForLine(text: string, timeoutMs: number): Promise<DutLine> {
    const seen = this.lines.find((l) => l.text.includes(text));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('line', onLine);
        this.off('exit', onExit);
      };
      const onLine = (l: DutLine): void => {
        if (l.text.includes(text)) {
          cleanup();
          resolve(l);
        }
      };
      const onExit = (e: DutExit): void => {
        cleanup();
        reject(new OperationError(`the controller exited (${describeExit(e)}) before printing '${text}'`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new HilTimeoutError(`the controller did not print '${text}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('line', onLine);
      this.on('exit', onExit);
      if (this.exitInfo) onExit(this.exitInfo);
    });
  }

  async stop(graceMs = 5000): Promise<DutExit | undefined> {
    if (!this.child || !this.exitPromise) return undefined;
    if (this.exitInfo) return this.exitInfo;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const info = await this.exitPromise;
    clearTimeout(killer);
    return info;
  }
}

/** "exit code 3", "signal SIGSEGV". */
export function describeExit(e: DutExit): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${String(e.code)}`;
}
