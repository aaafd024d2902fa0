import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClosedError, ConfigError, InterfaceNotAvailableError, OperationError } from '../../../core/errors';
import type { CanBus } from '../bus';
import { SlcanAdapterEngine, type SlcanAdapterOptions, type SlcanAdapterState, type SlcanAdapterStats } from './adapter-engine';
import type { SlcanCommand } from './codec';

/** Options for {@link SlcanAdapter.start}. */
export interface SlcanPtyAdapterOptions extends SlcanAdapterOptions {
  /**
   * Where the pty's symlink goes (what hosts open). Default: `slcan` in a fresh temporary directory, removed on
   * close. Must not contain `,` `:` `!` or spaces (socat's address syntax).
   */
  link?: string;
  /** socat executable (default `socat` on the PATH). */
  socat?: string;
  /** Give up starting after this many ms (default 10000). A failure bound, not a wait. */
  startTimeoutMs?: number;
  /** Frames from the bus are dropped (and counted) while more than this many bytes wait for the host. Default 64 KiB. */
  maxBacklogBytes?: number;
}

/**
 * Acts as an SLCAN (Lawicel) USB adapter on a pseudo-terminal, for any {@link CanBus}: a controller, `slcand` or
 * python-can's `slcan` interface opens {@link path} as if a CANable were plugged in. See
 * {@link SlcanAdapterEngine} for the command set and replies.
 *
 * The pty comes from `socat -d -d pty,raw,echo=0,link=<path> STDIO`: socat owns the pty master and relays it over
 * its stdin/stdout. Hosts may open and close the path as often as they like; the adapter stays up until `close()`.
 *
 * Contract:
 * - `start` resolves once the link exists (socat has reported the pty and entered its transfer loop). It rejects
 *   with `InterfaceNotAvailableError` when socat is missing, `ConfigError` for a bad link path, `OperationError`
 *   when socat fails or does not come up within `startTimeoutMs`.
 * - Frames from the bus go to the host only while the host has the channel open (`O`/`L`); transmitted frames go
 *   to the bus only while open and not listen-only. If the host stops reading, frames beyond `maxBacklogBytes` are
 *   dropped, counted in `stats.framesDropped`, and flagged in the `F` reply.
 * - Garbage on the line gets BEL and a counted error; the adapter keeps serving.
 * - `close()` stops serving, kills socat, removes the link (and the temporary directory it made). Idempotent. The
 *   bus is the caller's and stays open. If socat dies on its own, `onExit` listeners hear about it.
 */
export class SlcanAdapter {
  private readonly engine: SlcanAdapterEngine;
  private closing: Promise<void> | undefined;
  private exited = false;
  private readonly exitListeners = new Set<(why: string) => void>();
  private readonly openWaiters = new Set<() => void>();

  private constructor(
    /** The path hosts open (the symlink). */
    readonly path: string,
    /** The pty slave itself (`/dev/pts/N`). */
    readonly ptyPath: string,
    private readonly child: ChildProcess,
    private readonly tempDir: string | undefined,
    bus: CanBus,
    options: SlcanPtyAdapterOptions,
    exitPromise: Promise<void>,
  ) {
    const maxBacklog = options.maxBacklogBytes ?? 65536;
    const stdin = child.stdin!;
    this.engine = new SlcanAdapterEngine(
      bus,
      (text, kind) => {
        if (this.exited || stdin.destroyed) return false;
        if (kind === 'frame' && stdin.writableLength > maxBacklog) return false;
        stdin.write(text, 'latin1');
        return true;
      },
      options,
    );
    child.stdout!.on('data', (chunk: Buffer) => this.engine.input(chunk));
    void exitPromise.then(() => {
      this.exited = true;
      this.engine.close();
      this.rejectOpenWaiters();
      if (!this.closing) for (const l of this.exitListeners) l('socat exited on its own');
    });
    this.exitPromise = exitPromise;
  }

  private readonly exitPromise: Promise<void>;

  /** Start an adapter for `bus`. See the class contract for errors. */
  static async start(bus: CanBus, options: SlcanPtyAdapterOptions = {}): Promise<SlcanAdapter> {
    let tempDir: string | undefined;
    let link = options.link;
    if (link === undefined) {
      tempDir = mkdtempSync(join(tmpdir(), 'hil-slcan-'));
      link = join(tempDir, 'slcan');
    }
    if (/[,:!\s'"]/.test(link)) {
      throw new ConfigError(`SLCAN pty link '${link}' must not contain , : ! quotes or spaces (socat address syntax)`);
    }
    if (!existsSync(dirname(link))) throw new ConfigError(`SLCAN pty link '${link}': directory ${dirname(link)} does not exist`);
    const socat = options.socat ?? 'socat';
    const child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${link}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exitPromise = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const cleanupDir = (): void => {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    };
    let ptyPath: string;
    try {
      ptyPath = await waitForPty(child, socat, options.startTimeoutMs ?? 10000);
    } catch (err) {
      child.kill('SIGTERM');
      await exitPromise;
      cleanupDir();
      throw err;
    }
    if (!existsSync(link)) {
      child.kill('SIGTERM');
      await exitPromise;
      cleanupDir();
      throw new OperationError(`socat reported pty ${ptyPath} but the link ${link} does not exist`);
    }
    // stdin errors (EPIPE after socat died) surface through exit handling, not as crashes.
    child.stdin!.on('error', () => undefined);
    return new SlcanAdapter(link, ptyPath, child, tempDir, bus, options, exitPromise);
  }

  /** Process id of the socat that holds the pty master. */
  get socatPid(): number | undefined {
    return this.child.pid;
  }

  /** Adapter state as the host configured it (open, listen-only, bitrate, timestamps). */
  get state(): Readonly<SlcanAdapterState> {
    return this.engine.state;
  }

  get stats(): Readonly<SlcanAdapterStats> {
    return this.engine.stats;
  }

  /** Called after every command line from the host (undefined: garbage). Returns an unsubscribe function. */
  onCommand(listener: (cmd: SlcanCommand | undefined, line: string) => void): () => void {
    return this.engine.onCommand(listener);
  }

  /**
   * Resolves when the host has the channel open (`O` or `L`), at once if it already has. Rejects with
   * `ClosedError` if the adapter is closed (or socat exits) first.
   */
  whenOpen(): Promise<void> {
    if (this.engine.state.open) return Promise.resolve();
    if (this.closing || this.exited) return Promise.reject(new ClosedError(`SLCAN adapter ${this.path}`));
    return new Promise((resolve, reject) => {
      const stop = (): void => reject(new ClosedError(`SLCAN adapter ${this.path}`));
      this.openWaiters.add(stop);
      const off = this.engine.onCommand(() => {
        if (this.engine.state.open) {
          off();
          this.openWaiters.delete(stop);
          resolve();
        }
      });
    });
  }

  private rejectOpenWaiters(): void {
    for (const stop of this.openWaiters) stop();
    this.openWaiters.clear();
  }

  /** Told if socat exits without `close()` (the adapter has stopped serving). */
  onExit(listener: (why: string) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Stop serving, kill socat, remove the link. Idempotent, never throws. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.engine.close();
      this.rejectOpenWaiters();
      if (!this.exited) this.child.kill('SIGTERM');
      await this.exitPromise;
      try {
        if (existsSync(this.path)) unlinkSync(this.path);
      } catch {
        /* already gone */
      }
      if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

/** Wait for socat's "PTY is /dev/pts/N" and "starting data transfer loop" notices on stderr. */
function waitForPty(child: ChildProcess, socat: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let pty: string | undefined;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('error', onError);
      child.off('close', onClose);
      // Keep draining stderr so socat never blocks on a full pipe.
      child.stderr!.resume();
      if (err) reject(err);
      else resolve(pty!);
    };
    const onData = (chunk: Buffer): void => {
      stderr += chunk.toString('utf8');
      pty ??= /PTY is (\S+)/.exec(stderr)?.[1];
      if (pty && /starting data transfer loop/.test(stderr)) done();
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'ENOENT') {
        done(new InterfaceNotAvailableError(`cannot act as an SLCAN adapter: '${socat}' is not installed (apt-get install socat)`, { cause: err }));
      } else {
        done(new OperationError(`cannot start ${socat}: ${err.message}`, { cause: err }));
      }
    };
    const onClose = (code: number | null): void => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      done(new OperationError(`${socat} exited (code ${code}) before the pty was ready: ${tail}`));
    };
    const timer = setTimeout(() => {
      done(new OperationError(`${socat} did not create the pty within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    child.stderr!.on('data', onData);
    child.once('error', onError);
    child.once('close', onClose);
  });
}
