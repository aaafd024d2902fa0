import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, readdirSync, type WriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import { ConfigError, HilTimeoutError, OperationError } from '../../core/errors';
import { procStatFields } from '../../core/proc-stat';

/** How to start the controller under test. */
export interface DutLaunch {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Append the DUT's output here (one line per output line, prefixed with stream and harness time). */
  logFile?: string;
  /** Lines of output kept in memory for evidence. */
  keepLines?: number;
  /** Inherited environment variables to remove (before `env` is applied). */
  unsetEnv?: string[];
  /**
   * Open file descriptor 3 of the DUT as a pipe to the harness (read with `sideLine`). It is a socket pair, so the
   * harness can write on it too (`sideStream`: the lock-step clock channel).
   */
  sideChannel?: boolean;
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
 * The controller under test as a child process (DESIGN.md `dut/`), in its own process group, so that stopping it
 * reaches everything it started (a shell script's children, a supervisor's workers). Output is captured line by
 * line (events `line`), kept in a ring buffer for evidence and optionally logged to a file. An exit the harness did
 * not ask for is reported through `exited` and the `exit` event: the runner turns it into an error verdict; it
 * never throws into the harness.
 *
 * Contract: `start()` rejects with `ConfigError` if the program cannot be started (not found, not executable);
 * `waitForLine` rejects with `HilTimeoutError` after its timeout or `OperationError` if the DUT exits first;
 * `stop()` sends SIGTERM (and SIGCONT, so a stopped process can act on it) to the whole process group, then SIGKILL
 * to the group after `graceMs` if the controller or anything it started is still there, and resolves once the
 * controller has exited and its group is empty or killed (idempotent). If the harness exits while a controller is
 * still running (an error, a second Ctrl-C), its group is SIGKILLed on the way out (see `killAllControllersNow`).
 */
export class DutProcess extends EventEmitter {
  private child: ChildProcess | undefined;
  private readonly lines: DutLine[] = [];
  private readonly keep: number;
  private log: WriteStream | undefined;
  private stopping = false;
  private exitInfo: DutExit | undefined;
  private exitPromise: Promise<DutExit> | undefined;
  private closePromise: Promise<void> | undefined;
  private printed = 0;

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
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const k of this.launch.unsetEnv ?? []) delete env[k];
      const child = spawn(cmd, args, {
        cwd: this.launch.cwd,
        env: { ...env, ...this.launch.env },
        stdio: this.launch.sideChannel ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: signals reach everything it starts, and a terminal's Ctrl-C reaches only the harness
      });
      this.child = child;
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        if (child.pid !== undefined) liveGroups.add(child.pid);
        installExitGuard();
        resolve();
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (!spawned) {
          reject(new ConfigError(`cannot start the controller '${cmd}': ${err.code === 'ENOENT' ? 'program not found' : err.message}`));
        }
      });
      // 'exit': the controller itself is gone (its children may still hold the pipes open); 'close': all output read.
      this.exitPromise = new Promise((done) => {
        child.once('exit', (code, signal) => {
          this.exitInfo = { code, signal, unexpected: !this.stopping };
          this.emit('exit', this.exitInfo);
          done(this.exitInfo);
        });
      });
      this.closePromise = new Promise((done) => {
        child.once('close', () => {
          this.log?.end();
          done();
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

  /** Resolves once all of the DUT's output has been read (its pipes closed), or after `timeoutMs`, whichever is first. */
  async outputDone(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closePromise ?? Promise.resolve(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Resolves true once the DUT has exited, false after `timeoutMs` (wall clock) if it is still running. */
  async exitedWithin(timeoutMs: number): Promise<boolean> {
    if (this.exitInfo) return true;
    if (!this.exitPromise) return false;
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([this.exitPromise.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    return exited;
  }

  /** Lines printed so far (a sign of life for hang detection). */
  get lineCount(): number {
    return this.printed;
  }

  /**
   * The process's scheduler state from `/proc/<pid>/stat` (`R` running, `S` sleeping, `T` stopped by a signal,
   * `t` stopped by a debugger, `Z` zombie...), or `undefined` where there is no procfs or the process is gone.
   */
  procState(): string | undefined {
    const pid = this.child?.pid;
    if (pid === undefined || this.exitInfo) return undefined;
    return processState(pid);
  }

  private addLine(stream: 'stdout' | 'stderr', text: string): void {
    this.printed++;
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

  /** The harness's end of file descriptor 3 (`sideChannel`), both ways; `undefined` without one. */
  get sideStream(): Socket | undefined {
    return (this.child?.stdio[3] as Socket | null | undefined) ?? undefined;
  }

  /**
   * The first line the DUT writes on file descriptor 3 (`sideChannel`). Rejects with `HilTimeoutError` after
   * `timeoutMs`, `OperationError` if the channel closes or the DUT exits first without a line.
   */
  sideLine(timeoutMs: number): Promise<string> {
    const stream = this.child?.stdio[3] as NodeJS.ReadableStream | undefined;
    if (!stream) return Promise.reject(new OperationError('the controller has no side channel (not started, or started without one)'));
    return new Promise((resolve, reject) => {
      let text = '';
      const cleanup = (): void => {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.off('end', onEnd);
      };
      const onData = (chunk: Buffer | string): void => {
        text += chunk.toString();
        const nl = text.indexOf('\n');
        if (nl < 0) return;
        cleanup();
        resolve(text.slice(0, nl));
      };
      const onEnd = (): void => {
        cleanup();
        reject(new OperationError(`the controller's side channel closed without a line${this.exitInfo ? ` (it exited: ${describeExit(this.exitInfo)})` : ''}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new HilTimeoutError(`no line on the controller's side channel within ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on('data', onData);
      stream.on('end', onEnd);
    });
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
    const pgid = this.child.pid;
    if (pgid === undefined) return this.exitPromise;
    if (!this.exitInfo) this.stopping = true;
    const deadline = Date.now() + graceMs;
    signalGroup(pgid, 'SIGTERM');
    signalGroup(pgid, 'SIGCONT'); // a stopped (SIGSTOP) process acts on SIGTERM only once it runs again
    const killer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
    const info = await this.exitPromise;
    clearTimeout(killer);
    // The controller is gone; what it started may not be (a child that ignores SIGTERM, or that outlived it).
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50)); // a /proc scan each: not faster
    if (groupAlive(pgid)) {
      signalGroup(pgid, 'SIGKILL');
      const killDeadline = Date.now() + 2000;
      while (groupAlive(pgid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 10));
    }
    liveGroups.delete(pgid);
    // Read the last output (evidence); bounded, in case something outside the group inherited the pipes.
    let closeTimer: NodeJS.Timeout | undefined;
    await Promise.race([this.closePromise, new Promise((r) => (closeTimer = setTimeout(r, 2000)))]);
    clearTimeout(closeTimer);
    return info;
  }
}

/** Process groups of controllers that are (or may still be) running, keyed by their leader's pid. */
const liveGroups = new Set<number>();
let exitGuardInstalled = false;

function installExitGuard(): void {
  if (exitGuardInstalled) return;
  exitGuardInstalled = true;
  process.on('exit', () => killAllControllersNow());
}

/**
 * SIGKILL every controller process group still running, synchronously. For the way out: a second Ctrl-C, an
 * uncaught error; also run on process exit. Normal stops go through `DutProcess.stop()`.
 */
export function killAllControllersNow(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is empty already.
  }
}

/** True while any process of the group exists and is not a zombie (zombies hold no resources and cannot act). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return groupHasLiveMember(pgid);
}

function groupHasLiveMember(pgid: number): boolean {
  // kill(-pgid, 0) also succeeds for zombies that nobody reaped yet (in a container whose pid 1 does not reap).
  // Where /proc lists the group's members, count only those that are not zombies.
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return true;
  }
  for (const e of entries) {
    const stat = readStat(Number(e));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** `state` and `pgrp` from `/proc/<pid>/stat` (fields 3 and 5; the command name in field 2 may hold spaces). */
function readStat(pid: number): { state: string; pgrp: number } | undefined {
  const rest = procStatFields(pid);
  return rest && rest.length >= 3 ? { state: rest[0]!, pgrp: Number(rest[2]) } : undefined;
}

/** The scheduler state letter of a process (`/proc/<pid>/stat`), or `undefined` if unknown. */
export function processState(pid: number): string | undefined {
  return readStat(pid)?.state;
}

/** "exit code 3", "signal SIGSEGV". */
export function describeExit(e: DutExit): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${String(e.code)}`;
}
