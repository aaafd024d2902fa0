import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterfaceNotAvailableError, OperationError } from '../../../core/errors';

/**
 * Two linked pseudo-terminals from socat, a virtual null-modem cable: `socat -d -d pty,raw,echo=0,link=A
 * pty,raw,echo=0,link=B`. Open `a` with our RTU server and hand `b` to a Modbus master (mbpoll, pymodbus, a DUT).
 *
 * Contract:
 * - `start` resolves once both links exist and socat has printed "starting data transfer loop" (no sleeps). It
 *   rejects with `InterfaceNotAvailableError` when socat is missing and `OperationError` when socat exits or does
 *   not come up within `startTimeoutMs`.
 * - `close()` kills socat, waits for it to exit and removes the temporary directory. Idempotent, never throws.
 * - A pty does not pace bytes at any baud rate: data crosses as fast as the kernel moves it.
 */
export class PtyPair {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly a: string,
    readonly b: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  /**
   * `prefix`: a command socat runs under (e.g. `['chrt', '--fifo', '10']` for a benchmark under real-time
   * scheduling); a missing prefix program is reported like a missing socat.
   */
  static async start(options: { startTimeoutMs?: number; socat?: string; prefix?: readonly string[] } = {}): Promise<PtyPair> {
    const dir = mkdtempSync(join(tmpdir(), 'hil-pty-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const socat = options.socat ?? 'socat';
    const argv = [socat, '-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`];
    const [cmd, ...args] = options.prefix && options.prefix.length > 0 ? [...options.prefix, ...argv] : argv;
    const child = spawn(cmd!, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        let log = '';
        const timer = setTimeout(() => fail(new OperationError(`socat did not start within ${options.startTimeoutMs ?? 10000} ms: ${log.trim()}`)), options.startTimeoutMs ?? 10000);
        const fail = (err: Error): void => {
          clearTimeout(timer);
          reject(err);
        };
        child.once('error', (err: NodeJS.ErrnoException) =>
          fail(err.code === 'ENOENT' ? new InterfaceNotAvailableError(`'${socat}' is not installed (apt-get install socat)`, { cause: err }) : new OperationError(`cannot start ${socat}: ${err.message}`, { cause: err })),
        );
        child.once('exit', (code) => fail(new OperationError(`socat exited (code ${code}) before the ptys were ready: ${log.trim()}`)));
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (text: string) => {
          if (log.length < 4096) log += text;
          if (log.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    child.removeAllListeners('exit');
    child.on('error', () => undefined);
    return new PtyPair(a, b, dir, child, exited);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
      await this.exited;
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}
