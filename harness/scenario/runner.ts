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
import { collectIdentity } from '../evidence/controller-identity';
import { decodeFrameLines, decodeWriteLines } from './decode-evidence';
import { provenance } from '../evidence/provenance';
import { capProblems, InputProblems } from '../config/problems';
import { scenarioBenchProblems } from './bench-check';
import { Judge, type ExpectationResult, type RunEnd } from './judge';
import type { Scenario, ScenarioStep } from './scenario';
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
 */
export async function runScenario(bench: Bench, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
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
      return result;
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
  const emit = (r: Record<string, unknown>): void => options.onEvent?.({ scenario: scenario.id, ...r });
  const outDir = options.outDir;
  if (outDir) mkdirSync(outDir, { recursive: true });
  const inst = await BenchInstance.start(bench, {
    clock,
    mode,
    seed: scenario.seed,
    serveNetwork: mode === 'real' || lockstep,
    ...(lockstep ? { lockstep } : {}),
    ...(outDir && options.traces !== false ? { traceDir: outDir } : {}),
    ...(options.traceFormat ? { traceFormat: options.traceFormat } : {}),
    ...(options.traceBudget ? { traceBudget: options.traceBudget } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const detachView = options.onBench?.(inst, () => clock.now());
  /** Clock time of the scenario's t=0, once the timeline starts. */
  let t0: number | undefined;
  const simNow = (): number => (t0 === undefined ? 0 : clock.now() - t0);
  const error = (message: string, atMs = Math.round(simNow())): void => {
    const text = t0 === undefined ? `before t=0: ${message}` : message;
    result.errors.push({ atMs, message: text });
    emit({ type: 'error', atMs, message: text });
  };
  let controller: ControllerSession | undefined;
  /** Why the run stopped before its end, if it did (the verdicts still pending are then "not judged"). */
  let cut: RunEnd = {};
  /** Record an interrupt if one came; `judgedMs` is the scenario time judged so far (the last full step). */
  const interrupted = (judgedMs: number): boolean => {
    if (!options.signal?.aborted || result.interrupted) return !!result.interrupted;
    const signal = String(options.signal.reason ?? 'interrupt');
    result.interrupted = { signal, atMs: Math.round(judgedMs) };
    cut = { cutShort: `interrupted by ${signal}` };
    error(`interrupted by ${signal}`, Math.round(judgedMs));
    return true;
  };
  let judge: Judge | undefined;
  let recorder: SeriesRecorder | undefined;
  let firstFailureCaptured = false;
  const evidence = result.evidence;
  const captureEvidence = (): void => {
    evidence.frames = inst.recentFrames(24);
    evidence.writes = inst.recentWrites(16);
    evidence.framesDecoded = decodeFrameLines(evidence.frames, inst);
    evidence.writesDecoded = decodeWriteLines(evidence.writes, inst);
    if (controller) evidence.dutOutput = controller.tail(20, inst.timeZeroMs);
  };
  try {
    if (scenario.ambient !== undefined) for (const d of inst.devices.values()) d.setInput('ambient', scenario.ambient);
    for (const [name, values] of Object.entries(scenario.devices)) inst.devices.get(name)!.applyInitial(values);
    emit({ type: 'scenario-start', bench: bench.file.bench, mode, seed: scenario.seed, startedAt, endpoints: inst.substitutions() });

    // The controller under test.
    controller = await startController({
      bench,
      inst,
      clock,
      mode,
      ...(lockstep ? { lockstep } : {}),
      emit,
      ...(options.dutOptions ? { dutOptions: options.dutOptions } : {}),
      ...(options.dutArgs ? { dutArgs: options.dutArgs } : {}),
      ...(outDir ? { outDir } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    if (controller) await untilAborted(controller.ready(), options.signal);
    if (interrupted(0)) throw new Interrupted();

    // Scenario time starts once the controller is up: t=0.
    t0 = inst.markTimeZero(scenario.id);
    controller?.markTimeZero(t0, scenario.id);
    result.t0 = { epochMs: t0, iso: new Date(t0).toISOString(), clock: mode === 'virtual' ? 'virtual' : 'wall' };
    emit({ type: 'time-zero', t0: result.t0.iso, t0EpochMs: t0, clock: result.t0.clock });
    // Timeline.
    const ramps: Array<{ target: string; from: number; to: number; t0: number; t1: number; where: string }> = [];
    const apply = (step: ScenarioStep): void => {
      const a = step.action;
      const at = `t=${(step.atMs / 1000).toFixed(3)}s`;
      let text: string;
      switch (a.kind) {
        case 'set':
          for (const [k, v] of Object.entries(a.values)) inst.setInput(k, v, step.where);
          text = `set ${Object.entries(a.values).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
          break;
        case 'ramp': {
          const from = a.from ?? numeric(inst.signal(a.target));
          if (from === undefined) throw new ConfigError(`ramp of '${a.target}': its current value is unknown; give 'from'`, step.where);
          ramps.push({ target: a.target, from, to: a.to, t0: step.atMs, t1: step.atMs + a.overMs, where: step.where });
          text = `ramp ${a.target} ${from} -> ${a.to} over ${a.overMs} ms`;
          break;
        }
        case 'fault':
          inst.injectFault(a.id, a.device, a.fault, a.params, step.where);
          text = `fault '${a.id}': ${a.device} ${a.fault} ${JSON.stringify(a.params)}`;
          break;
        case 'clear':
          inst.clearFault(a.id);
          text = `clear fault '${a.id}'`;
          break;
        case 'note':
          text = `note: ${a.text}`;
          break;
        case 'age': {
          // at once: the scenario clock does not move (docs/aging.md)
          const lines = inst.agePacks(a.days, a.duty, a.devices, step.where);
          text = `age ${a.days.toFixed(1)} days of '${a.duty}' (no time passes on the scenario clock): ${lines.join('; ')}`;
          break;
        }
      }
      evidence.events.push(`${at} ${text}`);
      emit({ type: 'event', atMs: step.atMs, text });
    };
    const pendingSteps = [...scenario.timeline];
    judge = new Judge(scenario.expectations, (name) => inst.signal(name));
    recorder = new SeriesRecorder(signalsRead(scenario).map((r) => r.signal), (name) => inst.signal(name), { initialBucketMs: scenario.stepMs });
    const liveness = controller ? new LivenessWatch(bench.livenessTimeoutMs, () => inst.foreignActivity() + controller!.outputCount) : undefined;
    const stepMs = scenario.stepMs;
    const end = scenario.durationMs;
    let lastProgress = -Infinity;
    let t = 0;
    const runStepsUpTo = (limit: number): void => {
      while (pendingSteps.length > 0 && pendingSteps[0]!.atMs <= limit) apply(pendingSteps.shift()!);
    };
    /** Judge and record the sample at `t`; true when the run must stop (--stop-on-fail). */
    const judgeAt = (t: number): boolean => {
      const failed = judge!.sample(t);
      recorder!.sample(t);
      if (failed.length === 0) return false;
      if (!firstFailureCaptured) {
        firstFailureCaptured = true;
        captureEvidence();
      }
      for (const id of failed) emit({ type: 'expectation-failed', id, atMs: t });
      if (!options.stopOnFail || t >= end) return false;
      cut = { cutShort: 'stopped at the first failure (--stop-on-fail)', stoppedAtFailure: true };
      return true;
    };
    runStepsUpTo(0);
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
      if (interrupted(t)) break; // judged up to the last full step
      // A controller that died or hung is not judged on what the plant did after that.
      if (controller?.died) {
        error(controller.died);
        cut = { cutShort: controller.died };
        break;
      }
      const hung = controller ? (controller.stalled ?? liveness?.check(t)) : undefined;
      if (hung) {
        error(hung);
        cut = { cutShort: 'the controller hung' };
        break;
      }

      const dt = (next - t) / 1000;
      t = next;
      runStepsUpTo(t);
      for (const r of ramps) {
        if (t < r.t0) continue;
        const f = r.t1 > r.t0 ? Math.min(1, (t - r.t0) / (r.t1 - r.t0)) : 1;
        inst.setInput(r.target, r.from + (r.to - r.from) * f, r.where);
      }
      for (let i = ramps.length - 1; i >= 0; i--) if (t >= ramps[i]!.t1) ramps.splice(i, 1);
      inst.step(dt);
      stop = judgeAt(t);
      if (t - lastProgress >= 1000) {
        lastProgress = t;
        options.progress?.(t, end);
      }
    }
    result.simulatedMs = Math.round(t);
  } catch (err) {
    if (err instanceof ConfigError && result.simulatedMs === 0 && !judge && !result.interrupted) {
      await shutdown();
      throw err;
    }
    if (!(err instanceof Interrupted) && !interrupted(judge ? simNow() : 0)) {
      const message = err instanceof Error ? err.message : String(err);
      cut = { cutShort: `harness error: ${message}` };
      error(message);
    }
    result.simulatedMs = Math.round(simNow());
    if (!firstFailureCaptured) captureEvidence();
  }
  // Judge before the controller is stopped: stopping it moves (virtual) time and changes signals.
  const expectations: ExpectationResult[] = (judge ?? new Judge(scenario.expectations, () => undefined)).finish(cut);
  const identity = collectIdentity(inst.devices.values());
  if (identity) result.controllerIdentity = identity;
  await shutdown();
  if (controller && evidence.dutOutput.length === 0 && result.errors.length > 0) evidence.dutOutput = controller.tail(20, inst.timeZeroMs);
  result.expectations = expectations;
  if (recorder) {
    result.series = recorder.result();
    if (outDir) writeFileSync(join(outDir, 'series.json'), JSON.stringify(result.series));
  }
  result.verdict = combineVerdicts([...expectations.map((e) => e.verdict), ...(result.errors.length > 0 ? (['error'] as const) : [])]);
  result.summary = summarize(result);
  result.wallMs = Date.now() - wallStart;
  emit({ type: 'scenario-end', verdict: result.verdict, summary: result.summary, wallMs: result.wallMs, simulatedMs: result.simulatedMs });
  return result;

  async function shutdown(): Promise<void> {
    const failure = await controller?.stop();
    if (failure) error(failure);
    if (detachView) await detachView();
    await inst.close();
    evidence.events.push(...inst.traceNotes);
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

function numeric(v: number | boolean | undefined): number | undefined {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
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
