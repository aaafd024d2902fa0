import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON } from './peers';

/**
 * A python peer driven request by request: each `ask(cmd)` writes one JSON line to its stdin and resolves with the
 * next JSON line it prints (a pymodbus client script, say). A python that exits first rejects the pending `ask`
 * with its stderr. `close()` ends its stdin and waits for it to exit.
 */
export class PyRequester {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';

  /** `args` after the interpreter, e.g. `['-c', SCRIPT, host, port]`. */
  constructor(args: string[]) {
    this.child = spawn(PYTHON, args);
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout }).on('line', (l) => this.waiting.shift()?.(l));
  }

  ask(cmd: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`python exited ${code}: ${this.stderr}`));
      this.child.once('exit', onExit);
      this.waiting.push((l) => {
        this.child.off('exit', onExit);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
      this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
