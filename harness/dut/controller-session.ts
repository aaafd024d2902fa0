import { join, resolve } from 'node:path';
import { resolveModule } from '../bench/check-bench';
import { ScaledClock, VirtualClock, type Clock } from '../../core/clock';
import { ConfigError, HilTimeoutError, OperationError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import type { ModbusMaster } from '../../protocols/modbus/master';
import type { BenchInstance } from '../bench/bench-instance';
import { substitutePlaceholders } from '../bench/placeholders';
import type { Bench } from '../bench/load-bench';
import { DutProcess, describeExit, type DutExit } from './dut-process';
import { faketimeLaunch, parseAlignReport, removeFaketimeShm, type FaketimeLaunch } from './faketime';

/** File descriptor on which the `--speed` launcher reports the controller's clocks. */
const ALIGN_FD = 3;

/**
 * An in-process controller module (bench `dut.module`): exports `createController(io, options)`. The harness gives it
 * its own bus handle per BMS and a Modbus master per inverter, on the run's clock (virtual or real), and calls
 * `start()` before the scenario and `stop()` after it. See examples/controllers/reference/controller.ts.
 */
export interface ControllerModule {
  createController(
    io: {
      clock: Clock;
      packs: Array<{ name: string; bus: CanBus }>;
      inverters: Array<{ name: string; master: ModbusMaster; unitId: number; pack?: string }>;
      log(line: string): void;
    },
    options: Record<string, unknown>,
  ): { start(): Promise<void>; stop(): Promise<void> };
  /** The options `createController` takes, as a JSON Schema (see controller-options.ts); absent: none. */
  controllerOptions?: unknown;
}

/**
 * How long (wall clock) a controller process must stay stopped (state `T`/`t` in /proc) before it counts as hung:
 * long enough that a process caught mid-`SIGSTOP`/`SIGCONT` (a job-control blip) is not condemned.
 */
export const STOPPED_LIMIT_MS = 1000;

/** What starting the controller needs from the run. */
export interface ControllerContext {
  bench: Bench;
  inst: BenchInstance;
  /**
   * The run's clock. A `ScaledClock` (`--speed k`) starts a controller process under libfaketime at the same rate and
   * aligns the clock to the controller's in `ready()`.
   */
  clock: Clock;
  mode: 'real' | 'virtual';
  /** Options for an in-process module, merged over the bench's `moduleOptions`. */
  dutOptions?: Record<string, unknown>;
  /** Arguments appended to the bench's command. */
  dutArgs?: string[];
  /** Where `controller.log` goes. */
  outDir?: string;
  log?: (line: string) => void;
  emit: (record: Record<string, unknown>) => void;
}

/**
 * The controller under test for one scenario run, however it is reached.
 *
 * Contract: `ready()` is awaited before the scenario starts; `died` is set when a controller process exits without
 * being asked to, `stalled` when its process has been stopped (SIGSTOP, a debugger) for {@link STOPPED_LIMIT_MS}
 * (the runner turns either into an error verdict); `outputCount` counts the lines it printed or logged (a sign of
 * life); `tail` gives its last output lines for evidence; `stop()` stops it (SIGTERM to its process group, then
 * SIGKILL, for a process; `stop()` for a module, with virtual time advanced while it winds down) and reports a
 * failure to stop as a string, never by throwing.
 */
export interface ControllerSession {
  /** Resolves when the controller is ready (its `readyLine` printed); rejects if it exits or times out first. */
  ready(): Promise<void>;
  readonly died: string | undefined;
  /** Read when asked (it looks at the process state): why the controller is known to be stuck, if it is. */
  readonly stalled: string | undefined;
  readonly outputCount: number;
  /** The last `n` output lines, each as `t=1.234s stdout: text`, t counted from the clock time `originMs`. */
  tail(n: number, originMs: number): string[];
  /** The scenario's t=0 is `atMs` (clock time): noted in `controller.log` so its times line up with the traces. */
  markTimeZero(atMs: number, label: string): void;
  stop(): Promise<string | undefined>;
}

/**
 * Start the controller the bench names: an in-process module (always in virtual time; in real time when there is no
 * command), a process (real time), or nothing (a wired board: resolves `undefined`). Rejects with `ConfigError` for
 * a module that cannot be loaded or a command with an unknown placeholder, and with the controller's own error when
 * it fails to start (a program that cannot be run, a module whose `start()` rejects). Then await `ready()`.
 */
export async function startController(ctx: ControllerContext): Promise<ControllerSession | undefined> {
  const dut = ctx.bench.file.dut;
  if (dut?.module && (ctx.mode === 'virtual' || !dut.command)) return startModule(ctx, dut.module);
  if (dut?.command) return startProcess(ctx, dut.command);
  return undefined;
}

/** "module <path> {options}", "command <argv>" or "none (a wired controller)", for provenance. */
export function describeController(bench: Bench, mode: 'real' | 'virtual', dutOptions?: Record<string, unknown>, dutArgs?: string[]): string {
  const dut = bench.file.dut;
  if (dut?.module && (mode === 'virtual' || !dut.command)) return `module ${dut.module} ${JSON.stringify({ ...moduleOptions(bench), ...(dutOptions ?? {}) })}`;
  if (dut?.command) return `command ${[...dut.command, ...(dutArgs ?? [])].join(' ')}`;
  return 'none (a wired controller)';
}

function moduleOptions(bench: Bench): Record<string, unknown> {
  return bench.file.dut?.moduleOptions ?? {};
}

async function startModule(ctx: ControllerContext, modulePath: string): Promise<ControllerSession> {
  const { bench, clock } = ctx;
  let mod: ControllerModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(resolveModule(modulePath) ?? resolve(modulePath)) as ControllerModule;
  } catch (err) {
    throw new ConfigError(`cannot load the controller module '${modulePath}': ${(err as Error).message.split('\n')[0]}`, bench.where.dut);
  }
  if (typeof mod.createController !== 'function') throw new ConfigError(`controller module '${modulePath}' does not export createController`, bench.where.dut);
  let logged = 0;
  const io = {
    clock,
    ...ctx.inst.controllerIO(),
    log: (line: string) => {
      logged++;
      ctx.log?.(`controller: ${line}`);
    },
  };
  const controller = mod.createController(io, { ...moduleOptions(bench), ...(ctx.dutOptions ?? {}) });
  // Start-up (discovery over Modbus) runs in virtual time, at most 60 s of it.
  await settle(clock, controller.start(), 600, 'the controller did not finish starting within 60 s of virtual time');
  return {
    ready: async () => undefined,
    died: undefined,
    stalled: undefined,
    get outputCount() {
      return logged;
    },
    tail: () => [],
    markTimeZero: () => undefined,
    async stop() {
      try {
        await settle(clock, controller.stop(), 50, 'the controller did not stop within 5 s of virtual time');
        return undefined;
      } catch (err) {
        return `the controller failed to stop: ${(err as Error).message}`;
      }
    },
  };
}

async function startProcess(ctx: ControllerContext, command: string[]): Promise<ControllerSession> {
  const { bench } = ctx;
  const dut = bench.file.dut!;
  const argv = substitutePlaceholders([...command, ...(ctx.dutArgs ?? [])], ctx.inst.substitutions(), bench.file, bench.where.dut);
  const clock = ctx.clock;
  const fake: FaketimeLaunch | undefined = clock instanceof ScaledClock ? faketimeLaunch(argv, clock.speed, clock.now(), ALIGN_FD, dut.cwd) : undefined;
  const proc = new DutProcess({
    argv: fake ? fake.argv : argv,
    ...(dut.cwd ? { cwd: dut.cwd } : {}),
    env: { ...DEFAULT_CONTROLLER_ENV, ...(fake?.env ?? {}), ...(dut.env ?? {}) },
    ...(fake ? { unsetEnv: fake.unsetEnv, sideChannel: true } : {}),
    ...(ctx.outDir ? { logFile: join(ctx.outDir, 'controller.log') } : {}),
  });
  let exitedEarly: DutExit | undefined;
  let stoppedSince: number | undefined;
  proc.on('exit', (e: DutExit) => {
    if (e.unexpected) exitedEarly = e;
  });
  await proc.start();
  ctx.emit({ type: 'dut-start', argv, pid: proc.pid });
  return {
    async ready() {
      const deadline = Date.now() + bench.readyTimeoutMs;
      try {
        if (fake && clock instanceof ScaledClock) alignClocks(clock, parseAlignReport(await proc.sideLine(bench.readyTimeoutMs)), ctx);
        if (dut.readyLine) await proc.waitForLine(dut.readyLine, Math.max(0, deadline - Date.now()));
        else if (dut.readyWhen) await waitReached(proc, ctx.inst, dut.readyWhen, deadline);
      } catch (err) {
        if (err instanceof HilTimeoutError) {
          throw new HilTimeoutError(`${err.message}${dut.readyLine ? `; ${BUFFERING_HINT}` : ''}${stderrTail(proc)}`);
        }
        if (err instanceof OperationError) {
          await proc.outputDone(500); // it exited: let its last words arrive
          throw new OperationError(`${err.message}${stderrTail(proc)}`);
        }
        throw err;
      }
    },
    get died() {
      return exitedEarly ? `the controller exited during the scenario (${describeExit(exitedEarly)})${stderrTail(proc)}` : undefined;
    },
    get stalled() {
      const state = proc.procState();
      if (state !== 'T' && state !== 't') {
        stoppedSince = undefined;
        return undefined;
      }
      stoppedSince ??= Date.now();
      if (Date.now() - stoppedSince < STOPPED_LIMIT_MS) return undefined;
      return `the controller is hung: its process (pid ${proc.pid}) has been stopped (state ${state}: SIGSTOP or a debugger) for ${Math.round((Date.now() - stoppedSince) / 100) / 10} s`;
    },
    get outputCount() {
      return proc.lineCount;
    },
    tail: (n, originMs) => proc.tail(n).map((l) => `t=${((l.t - originMs) / 1000).toFixed(3)}s ${l.stream}: ${l.text}`),
    markTimeZero: (atMs, label) => proc.note(`t=0 ${(atMs / 1000).toFixed(6)} scenario ${label}`, atMs),
    async stop() {
      const exit = await proc.stop(bench.stopTimeoutMs);
      if (fake && proc.pid !== undefined) removeFaketimeShm(proc.pid);
      ctx.emit({ type: 'dut-exit', ...(exit ?? {}) });
      return undefined;
    },
  };
}

/**
 * Map the harness's scaled clock onto the controller's faked one with the launcher's report: the harness clock is
 * made to read the controller's faked wall-clock time at the real instant the launcher read it. Emits a
 * `clock-align` record (the offset found before aligning, the uncertainty of the reading, and how far the
 * controller's faked monotonic clock is from its faked wall clock), all in ms of scaled time.
 */
function alignClocks(clock: ScaledClock, r: ReturnType<typeof parseAlignReport>, ctx: ControllerContext): void {
  const hr = process.hrtime.bigint(); // CLOCK_MONOTONIC, like the RealClock inside and the launcher's reading
  const innerNow = clock.innerNow();
  const innerAt = innerNow + Number(BigInt(r.real_monotonic_ns) - hr) / 1e6;
  const controllerAt = r.faked_realtime_ns / 1e6;
  const offsetMs = controllerAt - clock.fromInner(innerAt);
  clock.align(controllerAt, innerAt);
  const record = {
    type: 'clock-align',
    speed: clock.speed,
    offsetMs: round3(offsetMs),
    uncertaintyMs: round3((r.uncertainty_ns / 1e6) * clock.speed),
    monotonicMinusRealtimeMs: round3((r.faked_monotonic_ns - r.faked_realtime_ns) / 1e6),
  };
  ctx.emit(record);
  ctx.log?.(`clock: controller at x${clock.speed}; harness clock moved by ${record.offsetMs} ms to match it (reading uncertain by ${record.uncertaintyMs} ms)`);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Environment every controller process gets unless the bench's `dut.env` says otherwise. */
export const DEFAULT_CONTROLLER_ENV: Readonly<Record<string, string>> = {
  // Python block-buffers stdout into a pipe: without this a ready line may never arrive.
  PYTHONUNBUFFERED: '1',
};

/** Said when a ready line does not come: the usual cause is output buffered in the controller, not a hang. */
export const BUFFERING_HINT =
  'a controller writing to a pipe may hold its output in a buffer: Python gets PYTHONUNBUFFERED=1 by default; for C/C++ start it with `stdbuf -oL <command>` or call setvbuf(stdout, NULL, _IOLBF, 0) / fflush(stdout) after the line';

/** How many stderr lines of a controller that exits or fails are shown. */
export const STDERR_TAIL_LINES = 8;

/** "\n  last stderr lines:\n    ..." for an error message, or '' when the controller wrote nothing on stderr. */
function stderrTail(proc: DutProcess): string {
  const lines = proc
    .tail(200)
    .filter((l) => l.stream === 'stderr')
    .slice(-STDERR_TAIL_LINES)
    .map((l) => `    ${l.text}`);
  return lines.length ? `\n  its last stderr line(s):\n${lines.join('\n')}` : '';
}

/** Poll (every 10 ms, wall clock) until the controller reached the bench; rejects at `deadline` or when it exits. */
async function waitReached(proc: DutProcess, inst: BenchInstance, how: 'first-frame' | 'first-modbus-connection', deadline: number): Promise<void> {
  while (!inst.controllerReached(how)) {
    if (proc.exited) throw new OperationError(`the controller exited (${describeExit(proc.exited)}) before its ${how === 'first-frame' ? 'first CAN frame' : 'first Modbus connection'}`);
    if (Date.now() > deadline) throw new HilTimeoutError(`the controller did not ${how === 'first-frame' ? 'send a CAN frame' : 'connect to a Modbus endpoint'} within the ready timeout`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Await a promise; in virtual time, advance the clock 100 ms at a time (at most `steps`) while it is pending. */
async function settle(clock: Clock, p: Promise<void>, steps: number, timeoutMessage: string): Promise<void> {
  if (!(clock instanceof VirtualClock)) return p;
  let done = false;
  let failure: unknown;
  p.then(
    () => (done = true),
    (err: unknown) => {
      done = true;
      failure = err;
    },
  );
  for (let i = 0; i < steps && !done; i++) {
    await drain();
    if (!done) clock.advance(100);
  }
  await drain();
  if (failure) throw failure;
  if (!done) throw new Error(timeoutMessage);
}

/** Let every queued promise callback run (a macrotask turn drains the microtask queue). */
export function drain(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
