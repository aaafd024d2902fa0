import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { Bench } from '../bench/load-bench';
import { ByteBudget, formatBytes } from '../../core/budget/byte-budget';
import { ConsoleReporter } from '../report/console';
import { HtmlReport } from '../report/html';
import { JsonLinesLog } from '../report/jsonl';
import { JUnitReport } from '../report/junit';
import { mergeIdentities, type ControllerIdentity } from '../evidence/controller-identity';
import { harnessVersion, hashOf, provenance } from '../evidence/provenance';
import type { ScenarioResult } from '../scenario/result';
import { describeController } from '../dut/controller-session';
import { runScenario, type RunOptions } from '../scenario/runner';
import type { Scenario } from '../scenario/scenario';
import { writeChecksums } from './checksums';
import { buildManifest, writeManifest } from './manifest';
import { readResultAt, type ResultRef, type RunRecord } from './results-log';
import { prepareResume } from './resume';
import { describeRealTimePlan, planTimeModes, type TimeModeChoice } from './time-mode';
import { digestResult } from './result-digest';
import { RequirementTracer, traceRequirements } from './traceability';

/** Default per-run trace budget: 500 MB on disk (a 24 h, 16-bus run compresses to well under it). */
export const DEFAULT_TRACE_BUDGET = 500e6;

/** A run of several scenarios on one bench, with reports written as results come in. */
export interface CampaignOptions extends Pick<RunOptions, 'dutOptions' | 'dutArgs' | 'stopOnFail' | 'traces' | 'traceFormat' | 'checked' | 'speed' | 'onBench' | 'onEvent'> {
  /**
   * Bytes the run's traces and Modbus logs may take on disk (default `DEFAULT_TRACE_BUDGET`, Infinity: no limit).
   * When spent, tracing stops with a note on the console and in the results; verdicts and reports are unaffected.
   */
  traceBudget?: number;
  /** Write `<out>/manifest.json` and `<out>/SHA256SUMS` when the run ends (default true with `outDir`). */
  manifest?: boolean;
  /** Extra manifest content (a campaign file, its parameters), merged in. */
  manifestExtra?: Record<string, unknown>;
  /**
   * Write more reports from all results (their digests: `digestResult`) before the manifest and checksums seal the
   * folder; returns their paths.
   */
  extraReports?: (results: ScenarioResult[]) => string[];
  /**
   * Each result as it ends, whole (evidence and series included), after it is written to results.jsonl and the
   * reports and before the campaign drops all but its digest.
   */
  onResult?: (result: ScenarioResult) => void;
  /** Time mode per scenario (see `TimeModeChoice`): `real` forces real time, `virtual` all virtual, `auto` as declared. */
  mode: TimeModeChoice;
  /** Evidence directory: `results.jsonl`, one folder per scenario (traces, controller output). */
  outDir?: string;
  /**
   * Continue the campaign whose results are in `outDir` (needs `outDir`): finished results stay, the rest runs and is
   * appended; JUnit, requirements and the summary cover all of them. See `prepareResume`.
   */
  resume?: boolean;
  /** JUnit XML path. */
  junit?: string;
  /** HTML report (with plots): a path, or a report shared by several campaigns (the demo's two parts). */
  html?: string | HtmlReport;
  /**
   * The bench a scenario runs on when it is not the campaign's bench (a sweep over packs or device parameters: see
   * `expandSweep`); undefined: the campaign's bench. Every bench used is hashed into the manifest.
   */
  benchFor?: (scenario: Scenario) => Bench | undefined;
  /** Run only shard i of n (1-based), scenarios assigned round-robin in the order given. */
  shard?: { index: number; count: number };
  reporter?: ConsoleReporter;
  /** Harness/controller log lines (verbose). */
  log?: (line: string) => void;
  /**
   * Interrupt (its `reason` names the signal): the scenario in progress ends as interrupted, no other starts, the
   * reports are written, and the outcome says `interrupted`.
   */
  signal?: AbortSignal;
}

/**
 * The outcome: one result per scenario run, plus the report files written. The results are digests
 * (`digestResult`: verdicts, expectations, errors, identity; no series, no evidence lists): the whole results are in
 * results.jsonl, `<out>/<scenario>/` and the reports, written as each scenario ends, and `onResult` sees each one
 * whole. So what a campaign keeps per scenario is small, over thousands of them.
 */
export interface CampaignOutcome {
  results: ScenarioResult[];
  reports: string[];
  /** The signal that stopped the campaign, if one did; `notStarted` lists the scenarios it never reached. */
  interrupted?: { signal: string; notStarted: string[] };
}

/**
 * Run scenarios one after another on fresh instances of the bench. Each result is appended to the JSON lines log
 * (fsynced) as it ends, so a crash later loses nothing already judged; it is rendered once into the JUnit and HTML
 * reports, which are rewritten atomically after each of the first scenarios, then as they grow, and at the end (see
 * `rewriteDue`). A scenario whose setup has bad input (ConfigError) is recorded as an error result and the others
 * still run. A scenario that cannot run in the chosen time mode gets a `skip` result saying why. The log starts with a `run`
 * record (bench, shard, the scenarios selected), which `hil merge` and `--resume` read.
 */
export async function runCampaign(bench: Bench, scenarios: Scenario[], options: CampaignOptions): Promise<CampaignOutcome> {
  const reporter = options.reporter ?? new ConsoleReporter();
  const selected = options.shard ? scenarios.filter((_s, i) => i % options.shard!.count === options.shard!.index - 1) : scenarios;
  if (options.resume && !options.outDir) throw new ConfigError('--resume needs --out <dir> (the directory of the run to continue)');
  const resume = options.resume && options.outDir ? prepareResume(options.outDir, bench, selected, options.shard) : undefined;
  for (const note of resume?.notes ?? []) reporter.note(note);
  const kept = resume?.kept ?? new Map<string, ResultRef>();
  const plans = planTimeModes(bench, selected, options.mode).filter((p) => !kept.has(p.scenario.id));
  reporter.plan(describeRealTimePlan(plans, options.speed));
  const reports: string[] = [];
  let jsonl: JsonLinesLog | undefined;
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    jsonl = new JsonLinesLog(join(options.outDir, 'results.jsonl'));
    reports.push(jsonl.path);
    jsonl.writeDurable({
      ...runRecord({ bench, scenarios: selected.map((s) => s.id), total: scenarios.length, timeMode: options.mode, ...(options.shard ? { shard: options.shard } : {}) }),
      ...(resume ? { resumed: true } : {}),
    });
  }
  const junit = options.junit ? new JUnitReport(options.junit) : undefined;
  if (junit) reports.push(junit.path);
  const ownHtml = typeof options.html === 'string' ? new HtmlReport(options.html, { trace: () => new RequirementTracer() }) : undefined;
  const html = ownHtml ?? (typeof options.html === 'string' ? undefined : options.html);
  if (html) reports.push(html.path);
  const startedAt = new Date().toISOString();
  const budgetLimit = options.traceBudget ?? DEFAULT_TRACE_BUDGET;
  const traceBudget = new ByteBudget(budgetLimit, (used, limit) =>
    reporter.note(`trace budget exceeded: ${formatBytes(used)} of ${formatBytes(limit)} (--trace-budget): further CAN traces and Modbus logs are not written; every scenario still runs and is judged`),
  );
  const done = new Map<string, ScenarioResult>();
  /** Into the reports once, then only its digest is kept. */
  const position = new Map(selected.map((s, i) => [s.id, i]));
  const take = (r: ScenarioResult): void => {
    html?.add(r);
    junit?.add(r, position.get(r.scenario)); // JUnit in the order of the selection, resumed or not
    done.set(r.scenario, digestResult(r));
  };
  for (const ref of kept.values()) take(readResultAt(ref)); // read again one at a time, rendered, dropped
  kept.clear();
  let interrupted: CampaignOutcome['interrupted'];
  try {
    for (const [i, plan] of plans.entries()) {
      const scenario = plan.scenario;
      if (options.signal?.aborted) {
        interrupted = { signal: String(options.signal.reason), notStarted: plans.slice(i).map((p) => p.scenario.id) };
        break;
      }
      const n = i + 1;
      let result: ScenarioResult;
      if (plan.skip !== undefined) {
        result = skipped(bench, scenario, plan.skip);
      } else {
        const label = plan.mode === 'real' && options.speed !== undefined && options.speed !== 1 ? `real x${options.speed}` : plan.lockstep ? 'virtual, lock step' : plan.mode;
        reporter.scenarioStart(n, plans.length, scenario.id, plan.forced ? `${label}, forced` : label);
        try {
          result = await runScenario(options.benchFor?.(scenario) ?? bench, scenario, {
            mode: plan.mode,
            ...(plan.forced ? { forceTimeMode: true } : {}),
            ...(plan.lockstep ? { lockstep: true } : {}),
            ...(options.outDir ? { outDir: join(options.outDir, scenario.id) } : {}),
            ...(options.traces !== undefined ? { traces: options.traces } : {}),
            ...(options.traceFormat ? { traceFormat: options.traceFormat } : {}),
            traceBudget,
            ...(options.dutOptions ? { dutOptions: options.dutOptions } : {}),
            ...(options.dutArgs ? { dutArgs: options.dutArgs } : {}),
            ...(options.speed !== undefined ? { speed: options.speed } : {}),
            ...(options.stopOnFail !== undefined ? { stopOnFail: options.stopOnFail } : {}),
            ...(options.checked ? { checked: true } : {}),
            ...(options.log ? { log: options.log } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            progress: (t, d) => reporter.progress(n, plans.length, scenario.id, t, d),
            ...(options.onBench ? { onBench: options.onBench } : {}),
            onEvent: (r) => {
              jsonl?.write({ type: 'event', ...r });
              options.onEvent?.(r);
            },
          });
        } catch (err) {
          result = setupFailure(bench, scenario, plan.mode, err);
        }
      }
      jsonl?.writeDurable({ type: 'result', ...result, series: undefined });
      take(result);
      options.onResult?.(result);
      reporter.scenarioEnd(n, plans.length, result);
      if (result.interrupted) {
        interrupted = { signal: result.interrupted.signal, notStarted: plans.slice(i + 1).map((p) => p.scenario.id) };
        break;
      }
    }
  } finally {
    jsonl?.close();
    junit?.close(); // written also when --resume found nothing left to run
    if (ownHtml) ownHtml.close();
    else html?.flush();
  }
  const results = selected.map((s) => done.get(s.id)).filter((r): r is ScenarioResult => !!r);
  const trace = traceRequirements(results); // from the digests, in the order of the selection
  if (options.outDir && trace.length > 0) {
    const path = join(options.outDir, 'requirements.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(trace, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
    reports.push(path);
  }
  if (options.extraReports) reports.push(...options.extraReports(results));
  if (options.outDir && options.manifest !== false) {
    const variants = selected.map((s) => options.benchFor?.(s)).filter((b): b is Bench => b !== undefined && b !== bench);
    const manifest = buildManifest({
      bench,
      ...(variants.length > 0 ? { variants: [...new Set(variants)] } : {}),
      scenarios: selected,
      startedAt,
      endedAt: new Date().toISOString(),
      ...(options.dutOptions ? { dutOptions: options.dutOptions } : {}),
      ...(options.dutArgs ? { dutArgs: options.dutArgs } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      timeMode: options.mode,
      ...identityOf(results),
      traceBudget: { limit: Number.isFinite(budgetLimit) ? budgetLimit : null, used: traceBudget.used, exhausted: traceBudget.exhausted },
      ...(options.manifestExtra ? { extra: options.manifestExtra } : {}),
    });
    reports.push(writeManifest(options.outDir, manifest));
    reports.push(writeChecksums(options.outDir));
  }
  reporter.requirements(trace);
  reporter.summary(results, reports, interrupted);
  return { results, reports, ...(interrupted ? { interrupted } : {}) };
}

function identityOf(results: readonly ScenarioResult[]): { identity?: ControllerIdentity } {
  const identity = mergeIdentities(results.map((r) => r.controllerIdentity));
  return identity ? { identity } : {};
}

/** The `run` record that opens (or, on resume, continues) a results file. */
export function runRecord(o: { bench?: Bench; scenarios: string[]; total?: number; timeMode: string; shard?: { index: number; count: number } }): RunRecord {
  return {
    type: 'run',
    startedAt: new Date().toISOString(),
    harnessVersion: harnessVersion(),
    ...(o.bench ? { bench: { name: o.bench.file.bench, file: o.bench.source, sha256: hashOf(o.bench.source, () => '') } } : {}),
    timeMode: o.timeMode,
    ...(o.shard ? { shard: o.shard } : {}),
    total: o.total ?? o.scenarios.length,
    scenarios: o.scenarios,
  };
}

function skipped(bench: Bench, scenario: Scenario, reason: string): ScenarioResult {
  return { ...baseResult(bench, scenario, scenario.timeMode === 'real' ? 'real' : 'virtual'), verdict: 'skip', summary: reason };
}

function setupFailure(bench: Bench, scenario: Scenario, mode: 'real' | 'virtual', err: unknown): ScenarioResult {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ...baseResult(bench, scenario, mode),
    verdict: 'error',
    summary: message,
    errors: [{ atMs: 0, message: err instanceof ConfigError ? `bad input: ${message}` : message }],
  };
}

function baseResult(bench: Bench, scenario: Scenario, mode: 'real' | 'virtual'): ScenarioResult {
  return {
    scenario: scenario.id,
    title: scenario.title,
    source: scenario.source,
    bench: bench.file.bench,
    requirements: scenario.requirements,
    verdict: 'pass',
    summary: '',
    startedAt: new Date().toISOString(),
    wallMs: 0,
    simulatedMs: 0,
    timeMode: mode,
    seed: scenario.seed,
    expectations: [],
    errors: [],
    evidence: { frames: [], writes: [], dutOutput: [], events: [] },
    provenance: provenance(bench.source, scenario.source, () => JSON.stringify(scenario), describeController(bench, mode)),
  };
}
