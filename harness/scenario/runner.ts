import type { ByteBudget } from '../../core/budget/byte-budget';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock, ScaledClock, VirtualClock, type Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { BenchInstance } from '../bench/bench-instance';
import type { Bench } from '../bench/load-bench';
import { describeController, drain, startController, type ControllerSession } from '../dut/controller-session';
import { LivenessWatch } from '../dut/liveness';
import { usesLockstep } from '../dut/lockstep-driver';
import { lockstepUnsupported } from '../bench/check-bench';
import type { ScenarioResult } from './result';
import { combineVerdicts } from './result';
import { SeriesRecorder } from '../evidence/series';
import { collectIdentity, withSunSpec } from '../evidence/controller-identity';
import { describeEndpoint, type SunSpecIdentityRead } from '../dut/sunspec-identity-note';
import { decodeFrameLines, decodeWriteLines } from './decode-evidence';
import { trafficEvidence } from './traffic-evidence';
import { provenance } from '../evidence/provenance';
import { capProblems, InputProblems } from '../config/problems';
import { scenarioBenchProblems } from './bench-check';
import { Judge, type ExpectationResult, type RunEnd } from './judge';
import type { Scenario } from './scenario';
import { TimelinePlayer } from './timeline-player';
import { signalsRead } from './scenario';

/** Virtual runs start at this instant (2026-01-01T00:00:00Z), so traces carry plausible, reproducible timestamps. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

/** How to run one scenario. */
export interface RunOptions {
  mode: 'real' | 'virtual';
  /** Directory for this scenario's evidence (traces, controller output); created if missing. */
  outDir?: string;
  /** Full CAN traces and Modbus transaction logs into `outDir` (default true when outDir is given). */
  traces?: boolean;
  /** Trace files: gzip-compressed (default) or plain, pcap besides candump. */
  traceFormat?: { compress?: boolean; pcap?: boolean };
  /** The run's evidence budget (shared by its scenarios): when spent, tracing stops with a note, verdicts do not. */
  traceBudget?: ByteBudget;
  /** Extra options for an in-process controller (`--dut-option k=v`), merged over the bench's. */
  dutOptions?: Record<string, unknown>;
  /** Extra arguments appended to the DUT command (`--dut-arg`). */
  dutArgs?: string[];
  /** Progress callback, at most every simulated second. */
  progress?: (simMs: number, durationMs: number) => void;
  /** Event records (for the JSON lines log). */
  onEvent?: (record: Record<string, unknown>) => void;
  /** Harness log lines (controller decisions in-process, drops). */
  log?: (line: string) => void;
  /** Stop at the first failed expectation (default false: run to the end and judge everything). */
  stopOnFail?: boolean;
  /**
   * Real mode: run the harness's clock at `speed` x real time (and a controller process under libfaketime at the same
   * rate, `hil run --speed`). Default 1. Ignored in virtual time.
   */
  speed?: number;
  /**
   * Virtual time with the controller as a process in lock step (`--time-mode lockstep`, docs/lockstep.md), even when
   * the bench also has an in-process module. A bench with `dut.clock: lockstep` and no module runs so in virtual time
   * without asking.
   */
  lockstep?: boolean;
  /** Real mode: precise timers (RealClock spinMs). Default 1. */
  spinMs?: number;
  /** The scenario already passed `checkScenarioAgainstBench` on this bench (the CLI checks every file first). */
  checked?: boolean;
  /** Run in `mode` even if the scenario declares another time mode (`hil run --time-mode real`). */
  forceTimeMode?: boolean;
  /**
   * Interrupt: when aborted (its `reason` names the signal, e.g. 'SIGINT'), the run stops at once, the controller
   * is stopped, and the result is an `error` marked `interrupted`, with what was judged so far and the pending
   * expectations "not judged".
   */
  signal?: AbortSignal;
  /**
   * Called once the bench is up (a live view: `hil run --ui`), with a function reading the bench clock (ms); what it
   * returns is awaited before the bench closes. Must not throw.
   */
  onBench?: (inst: BenchInstance, now: () => number) => (() => Promise<void>) | void;
}

export type { ControllerModule } from '../dut/controller-session';

const emptyEvidence = (): ScenarioResult['evidence'] => ({ frames: [], writes: [], dutOutput: [], events: [] });

/**
 * Check a scenario against a bench before anything real starts: devices exist, stimuli and initial conditions are
 * accepted, every fault is accepted by its device (injected and cleared on a throwaway virtual bench), every signal
 * the expectations read exists. Throws `InputProblems` (a `ConfigError`) listing every problem with the scenario's
 * file:line:column (see `scenarioBenchProblems`).
 */
export async function checkScenarioAgainstBench(bench: Bench, scenario: Scenario): Promise<void> {
  const problems = await scenarioBenchProblems(bench, scenario);
  if (problems.length > 0) throw new InputProblems(capProblems(problems));
}

/**
 * Run one scenario on a bench and judge it. Never throws for things that go wrong during the run (controller crash,
 * adapter lost, device error): they become an `error` verdict with evidence. Throws `ConfigError` only for bad
 * input found before the run starts (the caller reports it with exit code 2).
 *
 * The phases, in order: {@link prepare} (checks, the result's header, the clock), {@link ScenarioRun.bringUp}
 * (bench, initial conditions, controller ready), {@link ScenarioRun.startTimeline} (t=0),
 * {@link ScenarioRun.runTimeline} (steps, plant, samples), {@link ScenarioRun.judge} (expectations, before the
 * controller stops), {@link ScenarioRun.report} (teardown, verdict, summary, series).
 */
export async function runScenario(bench: Bench, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const prepared = await prepare(bench, scenario, options);
  if ('skipped' in prepared) return prepared.skipped;
  const run = new ScenarioRun(bench, scenario, options, prepared);
  await run.bringUp();
  try {
    await run.untilControllerReady();
    run.startTimeline();
    await run.runTimeline();
  } catch (err) {
    await run.failed(err);
  }
  const expectations = run.judge();
  return run.report(expectations);
}

/** What {@link prepare} hands to the run: the result so far, the clock, when the wall-clock run started. */
interface Prepared {
  result: ScenarioResult;
  clock: VirtualClock | RealClock | ScaledClock;
  wallStart: number;
  /** The controller process runs in lock step on the virtual clock (docs/lockstep.md). */
  lockstep: boolean;
}

/**
 * Phase 1: refuse what cannot run (a process controller in virtual time: `ConfigError`), start the result, skip a
 * scenario of another time mode, check the scenario against the bench (unless the caller did), pick the clock.
 */
async function prepare(bench: Bench, scenario: Scenario, options: RunOptions): Promise<Prepared | { skipped: ScenarioResult }> {
  const wallStart = Date.now();
  const startedAt = new Date(wallStart).toISOString();
  const mode = options.mode;
  const dut = bench.file.dut;
  const lockstep = usesLockstep(bench, mode, options.lockstep);
  if (options.lockstep && mode === 'virtual' && !lockstep) {
    throw new ConfigError(`bench '${bench.file.bench}' has no controller process ('dut.command') to run in lock step`, bench.where.dut);
  }
  const uncountable = lockstep ? lockstepUnsupported(bench.file) : [];
  if (uncountable.length > 0) throw new ConfigError(`lock step counts bytes on socketcand hubs and Modbus TCP only: ${uncountable.join('; ')} (docs/lockstep.md)`, bench.where.dut);
  if (mode === 'virtual' && dut?.command && !dut.module && !lockstep) {
    throw new ConfigError(
      `bench '${bench.file.bench}' starts its controller as a process ('dut.command'); virtual time needs an in-process controller module ('dut.module'), or run in real time`,
      bench.where.dut,
    );
  }
  const result: ScenarioResult = {
    scenario: scenario.id,
    title: scenario.title,
    source: scenario.source,
    bench: bench.file.bench,
    requirements: scenario.requirements,
    verdict: 'pass',
    summary: '',
    startedAt,
    wallMs: 0,
    simulatedMs: 0,
    timeMode: mode,
    seed: scenario.seed,
    expectations: [],
    errors: [],
    evidence: emptyEvidence(),
    provenance: provenance(bench.source, scenario.source, () => JSON.stringify(scenario), describeController(bench, mode, options.dutOptions, options.dutArgs, lockstep)),
  };
  if (scenario.timeMode !== 'any' && scenario.timeMode !== mode) {
    if (!options.forceTimeMode) {
      result.verdict = 'skip';
      result.summary = `runs in ${scenario.timeMode} time only (this run is ${mode} time; use --time-mode ${scenario.timeMode === 'virtual' ? 'virtual' : 'real'})`;
      return { skipped: result };
    }
    if (mode === 'real') result.forcedRealTime = true;
  }
  if (!options.checked) await checkScenarioAgainstBench(bench, scenario);

  const speed = mode === 'real' && options.speed !== undefined && options.speed !== 1 ? options.speed : undefined;
  if (speed !== undefined) result.speed = speed;
  if (lockstep) result.lockstep = true;
  const clock: VirtualClock | RealClock | ScaledClock =
    mode === 'virtual'
      ? new VirtualClock(VIRTUAL_EPOCH_MS)
      : speed !== undefined
        ? new ScaledClock(new RealClock({ spinMs: options.spinMs ?? 1 }), speed)
        : new RealClock({ spinMs: options.spinMs ?? 1 });
  return { result, clock, wallStart, lockstep };
}

/** One scenario from bring-up to report; the phases are its methods, called in order by {@link runScenario}. */
class ScenarioRun {
  private readonly result: ScenarioResult;
  private readonly clock: VirtualClock | RealClock | ScaledClock;
  private readonly wallStart: number;
  private readonly emit: (r: Record<string, unknown>) => void;
  private inst!: BenchInstance;
  private detachView: (() => Promise<void>) | void = undefined;
  /** Clock time of the scenario's t=0, once the timeline starts. */
  private t0: number | undefined;
  private controller: ControllerSession | undefined;
  /** Why the run stopped before its end, if it did (the verdicts still pending are then "not judged"). */
  private cut: RunEnd = {};
  private judgeOf: Judge | undefined;
  private recorder: SeriesRecorder | undefined;
  private firstFailureCaptured = false;
  private readonly lockstep: boolean;
  /** What `dut.identity.sunspec` gave, once read. */
  private sunspec: SunSpecIdentityRead | undefined;

  constructor(
    private readonly bench: Bench,
    private readonly scenario: Scenario,
    private readonly options: RunOptions,
    prepared: Prepared,
  ) {
    this.result = prepared.result;
    this.clock = prepared.clock;
    this.wallStart = prepared.wallStart;
    this.lockstep = prepared.lockstep;
    this.emit = (r) => options.onEvent?.({ scenario: scenario.id, ...r });
  }

  private get evidence(): ScenarioResult['evidence'] {
    return this.result.evidence;
  }

  private simNow(): number {
    return this.t0 === undefined ? 0 : this.clock.now() - this.t0;
  }

  private error(message: string, atMs = Math.round(this.simNow())): void {
    const text = this.t0 === undefined ? `before t=0: ${message}` : message;
    this.result.errors.push({ atMs, message: text });
    this.emit({ type: 'error', atMs, message: text });
  }

  /** Record an interrupt if one came; `judgedMs` is the scenario time judged so far (the last full step). */
  private interrupted(judgedMs: number): boolean {
    const { signal } = this.options;
    if (!signal?.aborted || this.result.interrupted) return !!this.result.interrupted;
    const name = String(signal.reason ?? 'interrupt');
    this.result.interrupted = { signal: name, atMs: Math.round(judgedMs) };
    this.cut = { cutShort: `interrupted by ${name}` };
    this.error(`interrupted by ${name}`, Math.round(judgedMs));
    return true;
  }

  private captureEvidence(): void {
    this.evidence.frames = this.inst.recentFrames(24);
    this.evidence.writes = this.inst.recentWrites(16);
    this.evidence.framesDecoded = decodeFrameLines(this.evidence.frames, this.inst);
    this.evidence.writesDecoded = decodeWriteLines(this.evidence.writes, this.inst);
    if (this.controller) this.evidence.dutOutput = this.controller.tail(20, this.inst.timeZeroMs);
  }

  /** Phase 2: the bench up (and a live view on it); a failure here throws, with nothing left open. */
  async bringUp(): Promise<void> {
    const { bench, options, clock } = this;
    const outDir = options.outDir;
    if (outDir) mkdirSync(outDir, { recursive: true });
    this.inst = await BenchInstance.start(bench, {
      clock,
      mode: options.mode,
      seed: this.scenario.seed,
      serveNetwork: options.mode === 'real' || this.lockstep,
      ...(this.lockstep ? { lockstep: true } : {}),
      ...(outDir && options.traces !== false ? { traceDir: outDir } : {}),
      ...(options.traceFormat ? { traceFormat: options.traceFormat } : {}),
      ...(options.traceBudget ? { traceBudget: options.traceBudget } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.detachView = options.onBench?.(this.inst, () => clock.now());
  }

  /** Phase 2 (cont.): initial conditions, then the controller under test, started and ready (or interrupted). */
  async untilControllerReady(): Promise<void> {
    const { inst, scenario, bench, options } = this;
    if (scenario.ambient !== undefined) for (const d of inst.devices.values()) d.setInput('ambient', scenario.ambient);
    for (const [name, values] of Object.entries(scenario.devices)) inst.devices.get(name)!.applyInitial(values);
    this.emit({ type: 'scenario-start', bench: bench.file.bench, mode: options.mode, seed: scenario.seed, startedAt: this.result.startedAt, endpoints: inst.substitutions() });

    this.controller = await startController({
      bench,
      inst,
      clock: this.clock,
      mode: options.mode,
      ...(this.lockstep ? { lockstep: true } : {}),
      emit: this.emit,
      ...(options.dutOptions ? { dutOptions: options.dutOptions } : {}),
      ...(options.dutArgs ? { dutArgs: options.dutArgs } : {}),
      ...(options.outDir ? { outDir: options.outDir } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    if (this.controller) await untilAborted(this.controller.ready(), options.signal);
    if (this.interrupted(0)) throw new Interrupted();
    await this.readSunSpecIdentity();
    if (this.interrupted(0)) throw new Interrupted();
  }

  /**
   * The controller is up: read its SunSpec model 1 where the bench says it serves one (`dut.identity.sunspec`).
   * Evidence only, on the wall clock (virtual time does not move meanwhile): a failure is a note, never an error.
   */
  private async readSunSpecIdentity(): Promise<void> {
    const endpoint = this.bench.sunspecIdentity;
    if (!endpoint) return;
    // Loaded only for a bench that declares one: the Modbus client stays out of every other run's start-up.
    const { readSunSpecIdentity } = await import('../dut/sunspec-identity');
    const read = readSunSpecIdentity(endpoint).then((r) => {
      this.sunspec = r;
      this.emit({ type: 'controller-identity', ...(r.common ? { sunspecCommon: r.common } : {}), note: r.note });
      this.options.log?.(`identity: ${r.note}${r.common ? `: ${Object.entries(r.common).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`);
    });
    await untilAborted(read, this.options.signal);
  }

  /** Phase 3: scenario time starts once the controller is up: t=0 on the bench, the controller and the result. */
  startTimeline(): void {
    const t0 = this.inst.markTimeZero(this.scenario.id);
    this.t0 = t0;
    this.controller?.markTimeZero(t0, this.scenario.id);
    this.result.t0 = { epochMs: t0, iso: new Date(t0).toISOString(), clock: this.options.mode === 'virtual' ? 'virtual' : 'wall' };
    this.emit({ type: 'time-zero', t0: this.result.t0.iso, t0EpochMs: t0, clock: this.result.t0.clock });
  }

  /**
   * Phase 4: step by step to the end: the clock moves, the timeline's steps and ramps apply, the plant steps, the
   * expectations and series sample. Stops early on an interrupt, a dead or hung controller, or --stop-on-fail.
   */
  async runTimeline(): Promise<void> {
    const { inst, scenario, options, clock, controller } = this;
    const t0 = this.t0!;
    const timeline = new TimelinePlayer(inst, scenario.timeline, (atMs, text) => {
      this.evidence.events.push(`t=${(atMs / 1000).toFixed(3)}s ${text}`);
      this.emit({ type: 'event', atMs, text });
    });
    const judge = (this.judgeOf = new Judge(scenario.expectations, (name) => inst.signal(name)));
    const recorder = (this.recorder = new SeriesRecorder(signalsRead(scenario).map((r) => r.signal), (name) => inst.signal(name), { initialBucketMs: scenario.stepMs }));
    const liveness = controller ? new LivenessWatch(this.bench.livenessTimeoutMs, () => inst.foreignActivity() + controller.outputCount) : undefined;
    const stepMs = scenario.stepMs;
    const end = scenario.durationMs;
    let lastProgress = -Infinity;
    let t = 0;
    /** Judge and record the sample at `t`; true when the run must stop (--stop-on-fail). */
    const judgeAt = (t: number): boolean => {
      const failed = judge.sample(t);
      recorder.sample(t);
      if (failed.length === 0) return false;
      if (!this.firstFailureCaptured) {
        this.firstFailureCaptured = true;
        this.captureEvidence();
      }
      for (const id of failed) this.emit({ type: 'expectation-failed', id, atMs: t });
      if (!options.stopOnFail || t >= end) return false;
      this.cut = { cutShort: 'stopped at the first failure (--stop-on-fail)', stoppedAtFailure: true };
      return true;
    };
    timeline.applyUpTo(0);
    let stop = judgeAt(0);
    liveness?.check(0);
    while (t < end && !stop) {
      const next = Math.min(end, t + stepMs);
      if (clock instanceof VirtualClock) {
        if (controller?.advanceTo) await controller.advanceTo(t0 + next); // lock step: the controller takes its turns
        else clock.advanceTo(t0 + next);
        // Always yield, controller or not: sends settle in microtasks (a bus delivers its own frames after
        // `await transmit`), and a loop that never yields piles them up (650 MB per simulated hour on 16 packs).
        await drain();
      } else {
        await sleepUntil(clock, t0 + next, options.signal);
      }
      if (this.interrupted(t)) break; // judged up to the last full step
      // A controller that died or hung is not judged on what the plant did after that.
      if (controller?.died) {
        this.error(controller.died);
        this.cut = { cutShort: controller.died };
        break;
      }
      const hung = controller ? (controller.stalled ?? liveness?.check(t)) : undefined;
      if (hung) {
        this.error(hung);
        this.cut = { cutShort: 'the controller hung' };
        break;
      }

      const dt = (next - t) / 1000;
      t = next;
      timeline.applyUpTo(t);
      timeline.rampTo(t);
      inst.step(dt);
      stop = judgeAt(t);
      if (t - lastProgress >= 1000) {
        lastProgress = t;
        options.progress?.(t, end);
      }
    }
    this.result.simulatedMs = Math.round(t);
  }

  /**
   * Something went wrong between bring-up and the end: bad input found before anything was judged is rethrown (exit
   * 2) after teardown; anything else becomes a harness error with evidence.
   */
  async failed(err: unknown): Promise<void> {
    if (err instanceof ConfigError && this.result.simulatedMs === 0 && !this.judgeOf && !this.result.interrupted) {
      await this.shutdown();
      throw err;
    }
    if (!(err instanceof Interrupted) && !this.interrupted(this.judgeOf ? this.simNow() : 0)) {
      const message = err instanceof Error ? err.message : String(err);
      this.cut = { cutShort: `harness error: ${message}` };
      this.error(message);
    }
    this.result.simulatedMs = Math.round(this.simNow());
    if (!this.firstFailureCaptured) this.captureEvidence();
  }

  /** Phase 5: judge before the controller is stopped: stopping it moves (virtual) time and changes signals. */
  judge(): ExpectationResult[] {
    const expectations = (this.judgeOf ?? new Judge(this.scenario.expectations, () => undefined)).finish(this.cut);
    // What the controller said about itself on the bus, read before the bench closes.
    const endpoint = this.bench.sunspecIdentity;
    const sunspec = this.sunspec ?? (endpoint ? { note: `SunSpec model 1 not read: the run stopped before the controller was ready (${describeEndpoint(endpoint)})` } : undefined);
    const identity = withSunSpec(collectIdentity(this.inst.devices.values()), sunspec);
    if (identity) this.result.controllerIdentity = identity;
    // What was said on the wire, for every verdict: counts, last decoded values, the trace files behind them.
    this.evidence.traffic = trafficEvidence(this.inst);
    return expectations;
  }

  /** Phase 6: teardown (controller, view, bench), then the verdict, summary and series, and the end event. */
  async report(expectations: ExpectationResult[]): Promise<ScenarioResult> {
    const { result, evidence, controller } = this;
    await this.shutdown();
    if (controller && evidence.dutOutput.length === 0 && result.errors.length > 0) evidence.dutOutput = controller.tail(20, this.inst.timeZeroMs);
    result.expectations = expectations;
    if (this.recorder) {
      result.series = this.recorder.result();
      if (this.options.outDir) writeFileSync(join(this.options.outDir, 'series.json'), JSON.stringify(result.series));
    }
    result.verdict = combineVerdicts([...expectations.map((e) => e.verdict), ...(result.errors.length > 0 ? (['error'] as const) : [])]);
    result.summary = summarize(result);
    result.wallMs = Date.now() - this.wallStart;
    this.emit({ type: 'scenario-end', verdict: result.verdict, summary: result.summary, wallMs: result.wallMs, simulatedMs: result.simulatedMs });
    return result;
  }

  private async shutdown(): Promise<void> {
    const failure = await this.controller?.stop();
    if (failure) this.error(failure);
    if (this.detachView) await this.detachView();
    await this.inst.close();
    this.evidence.events.push(...this.inst.traceNotes);
  }
}

/** One line for a result: the first harness error, else the first failed, then erroring, expectation. */
function summarize(result: ScenarioResult): string {
  const x = result.expectations;
  if (result.errors.length > 0) return result.errors[0]!.message;
  const firstBad = x.find((e) => e.verdict === 'fail') ?? x.find((e) => e.verdict === 'error');
  if (firstBad) return `${firstBad.id}${firstBad.requirement ? ` [${firstBad.requirement}]` : ''}: ${firstBad.message}`;
  const skipped = x.filter((e) => e.verdict === 'skip');
  if (skipped.length === x.length) return `nothing was judged: ${skipped.map((e) => `${e.id}: ${e.message}`).join('; ')}`;
  return `${x.length - skipped.length} expectation(s) met${skipped.length > 0 ? `; not counted: ${skipped.map((e) => e.id).join(', ')} (${skipped[0]!.status})` : ''}`;
}


/** Wait for `at` on the clock; returns early when `signal` aborts. */
function sleepUntil(clock: Clock, at: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clock.clearTimer(timer);
      done();
    };
    const timer = clock.setTimer(at, done);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Thrown inside the run when a signal arrives before the timeline starts (already recorded in the result). */
class Interrupted extends Error {}

/** `p`, or resolve early when `signal` aborts (the caller checks `signal.aborted`). Rejections of `p` pass through. */
function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
