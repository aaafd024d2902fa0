/**
 * `hil emulate` as a person at a terminal uses it: the built CLI on a pseudo-terminal (python3's pty module through
 * test/e2e/py/pty_run.py), keys typed one chunk at a time (readline treats a multi-key chunk as a paste and does not
 * complete in it), the output replayed on a small screen model to assert what would be seen.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { PYTHON } from '../support/peers';
import { VtScreen } from '../support/vt-screen';

const PTY_RUN = join(ROOT, 'test', 'e2e', 'py', 'pty_run.py');
/** Failure bound of each wait (the bench starts in about a second). */
const WAIT_MS = 20_000;
const UP = '\x1b[A';
const CTRL_U = '\x15';

class PtySession {
  output = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private wake: (() => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(PYTHON, [PTY_RUN, '100', '40', '--', process.execPath, join('dist', 'harness', 'cli', 'main.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TERM: 'xterm', CI: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const take = (d: Buffer): void => {
      this.output += d.toString('utf8');
      this.wake?.();
    };
    this.child.stdout.on('data', take);
    this.child.stderr.on('data', take);
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code) => {
        this.wake?.();
        resolve(code);
      }),
    );
  }

  /** Resolves with the output from `from` on, once it matches. */
  async waitFor(pattern: RegExp | string, from = 0): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const tail = this.output.slice(from);
      if (typeof pattern === 'string' ? tail.includes(pattern) : pattern.test(tail)) return tail;
      if (this.child.exitCode !== null) throw new Error(`hil exited (${this.child.exitCode}) before ${String(pattern)}; output:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${WAIT_MS} ms; output after mark:\n${JSON.stringify(tail)}`);
      let t: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        t = setTimeout(resolve, 500); // failure bound only; output wakes us
      });
      clearTimeout(t);
    }
  }

  /** Type keys as one chunk; resolves once the terminal echoed `echo` (default: the keys themselves). */
  async type(keys: string, echo: RegExp | string = keys): Promise<string> {
    const mark = this.output.length;
    this.child.stdin.write(keys);
    return this.waitFor(echo, mark);
  }

  /** Enter; resolves with what follows, once it matches `answer`. */
  async enter(answer: RegExp | string): Promise<string> {
    const mark = this.output.length;
    this.child.stdin.write('\r');
    return this.waitFor(answer, mark);
  }

  screen(): VtScreen {
    const s = new VtScreen(100);
    s.write(this.output);
    return s;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describeIf(
  builtFile('harness', 'cli', 'main.js') && existsSync(PYTHON),
  existsSync(PYTHON) ? NEEDS_BUILD : `${PYTHON} is missing (Debian package python3; its pty module drives the terminal)`,
  'hil emulate at a terminal',
  () => {
    let dir: string;
    let hil: PtySession | undefined;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'hil-emulate-'));
    });
    afterEach(() => {
      hil?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('prompts, completes with Tab, keeps history, and draws status lines above what is being typed', async () => {
      const history = join(dir, 'history');
      hil = new PtySession(['emulate', '--bench', 'fixtures/benches/ci.yaml', '--status', '1', '--history', history]);
      await hil.waitFor('hil> ');

      // Tab completes a command, then a signal one dotted segment at a time.
      await hil.type('sh');
      await hil.type('\t', 'ow ');
      await hil.type('pack1.temp');
      await hil.type('\t', 'erature.');
      await hil.type('ma');
      await hil.type('\t', 'x ');
      await hil.enter(/pack1\.temperature\.max=25\r?\n/);

      // A second Tab lists the candidates (the first one completes the dot, so each Tab shows it was taken).
      await hil.type('show pack1.temperature');
      await hil.type('\t', '.');
      await hil.type('\t', /pack1\.temperature\.avg\s+pack1\.temperature\.max\s+pack1\.temperature\.min/);
      await hil.type(CTRL_U, /hil> /);

      // Fault kinds and parameter names complete too; the fault goes in.
      await hil.type('fault hot pack1 self-he');
      await hil.type('\t', 'ating ');
      await hil.type('cell=3 wa');
      await hil.type('\t', 'tts=');
      await hil.type('20');
      await hil.enter("fault 'hot' injected: pack1 self-heating cell=3 watts=20");
      await hil.type('fault hot pack2 comms-loss');
      await hil.enter("error: fault id 'hot' is already in force");
      await hil.type('faults');
      await hil.enter(/hot {2}pack1 {2}self-heating cell=3 watts=20 {2}\(for \d+\.\d s\)/);
      await hil.type('clear nope');
      await hil.enter("error: no fault 'nope' in force (in force: hot)");
      await hil.type('set inv1.irradiance NaN');
      await hil.enter("error: set inv1.irradiance: 'NaN' is not a finite number");
      await hil.type(`show ${'x'.repeat(1100)}`, 'xxxxxxxxxx');
      await hil.enter('error: line too long (1105 characters; at most 1024)');

      // Up recalls earlier lines, the overlong one too (to edit it); only lines within the limit go to the file.
      await hil.type(UP, 'xxxxxxxxxx');
      await hil.type(UP, 'set inv1.irradiance NaN');
      await hil.enter("error: set inv1.irradiance: 'NaN' is not a finite number");

      // A status line arrives while a command is half typed: it is drawn above, and the typed text is redrawn
      // below it, cursor at its end; Enter then runs exactly what was typed.
      const half = await hil.type('show pack1.so');
      const mark = hil.output.length - half.length;
      await hil.waitFor(/t=\d+s pack1 soc=55% [^\r\n]*\r?\n[^]*hil> show pack1\.so/, mark);
      const screen = hil.screen();
      const rows = screen.text();
      const statusRows = rows.filter((r) => /t=\d+s pack1 soc=/.test(r));
      expect(statusRows.length).toBeGreaterThan(0);
      for (const r of statusRows) expect(r).toMatch(/^t=\d+s pack1 soc=55% I=0A T=25C \| pack2 soc=50% I=0A T=25C \| inv1 P=\d+W \| inv2 P=\d+W$/);
      expect(screen.cursorRow()).toBe('hil> show pack1.so');
      for (const r of rows) if (r.includes('hil>')) expect(r).not.toMatch(/t=\d+s/);
      await hil.type('c');
      await hil.enter(/pack1\.soc=55\r?\n/);

      await hil.type('quit');
      await hil.enter('stopped');
      expect(await hil.exited).toBe(0);
      expect(readFileSync(history, 'utf8').split('\n')).toEqual(
        expect.arrayContaining(['show pack1.temperature.max ', 'fault hot pack1 self-heating cell=3 watts=20', 'faults', 'quit']),
      );
      expect(readFileSync(history, 'utf8')).not.toContain('x'.repeat(1100));
    }, 90_000);

    it('reads a piped script as before: no prompt, the same commands', async () => {
      const child = spawn(process.execPath, [join('dist', 'harness', 'cli', 'main.js'), 'emulate', '--bench', 'fixtures/benches/ci.yaml', '--status', '0'], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stdin.end('show pack1.soc\nfault hot pack1 comms-loss\nfaults\nclear hot\nquit\n');
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code).toBe(0);
      expect(out).not.toContain('hil>');
      expect(out).toContain('commands:');
      expect(out).toMatch(/pack1\.soc=55\nfault 'hot' injected: pack1 comms-loss\nhot {2}pack1 {2}comms-loss {2}\(for \d+\.\d s\)\nfault 'hot' cleared\nstopped\n$/);
    }, 60_000);
  },
  { failInCi: true },
);
