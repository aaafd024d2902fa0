import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { Bench } from '../bench/load-bench';
import { ConsoleReporter } from '../report/console';
import { HtmlReport } from '../report/html';
import { JsonLinesLog } from '../report/jsonl';
import { writeJUnit } from '../report/junit';
import type { ScenarioResult } from '../report/result';
import { runScenario, type RunOptions } from '../scenario/runner';
import type { Scenario } from '../scenario/scenario';
import { traceRequirements } from './traceability';

/** A run of several scenarios on one bench, with reports written as results come in. */
export interface CampaignOptions extends Pick<RunOptions, 'mode' | 'dutOptions' | 'dutArgs' | 'stopOnFail' | 'traces' | 'checked'> {
  /** Evidence directory: `results.jsonl`, one folder per scenario (traces, controller output). */
  outDir?: string;
  /** JUnit XML path. */
  junit?: string;
  /** HTML report (with plots): a path, or a report shared by several campaigns (the demo's two parts). */
  html?: string | HtmlReport;
  /** Run only shard i of n (1-based), scenarios assigned round-robin in the order given. */
  shard?: { index: number; count: number };
  reporter?: ConsoleReporter;
  /** Harness/controller log lines (verbose). */
  log?: (line: string) => void;
}

/**
 * The outcome: one result per scenario run, plus the report files written. The results carry no `series` (they go
 * to `<out>/<scenario>/series.json` and the HTML report as each scenario ends), so memory stays flat over hundreds.
 */
export interface CampaignOutcome {
  results: ScenarioResult[];
  reports: string[];
}

/**
 * Run scenarios one after another on fresh instances of the bench. Each result is appended to the JSON lines log
 * (fsynced) and the JUnit file is rewritten atomically after every scenario, so a crash later loses nothing already
 * judged. A scenario whose setup has bad input (ConfigError) is recorded as an error result and the others still run.
 */
export async function runCampaign(bench: Bench, scenarios: Scenario[], options: CampaignOptions): Promise<CampaignOutcome> {
  const reporter = options.reporter ?? new ConsoleReporter();
  const selected = options.shard ? scenarios.filter((_s, i) => i % options.shard!.count === options.shard!.index - 1) : scenarios;
  const reports: string[] = [];
  let jsonl: JsonLinesLog | undefined;
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    jsonl = new JsonLinesLog(join(options.outDir, 'results.jsonl'));
    reports.push(jsonl.path);
  }
  if (options.junit) reports.push(options.junit);
  const html = typeof options.html === 'string' ? new HtmlReport(options.html) : options.html;
  if (html) reports.push(html.path);
  const results: ScenarioResult[] = [];
  try {
    for (const [i, scenario] of selected.entries()) {
      const n = i + 1;
      reporter.scenarioStart(n, selected.length, scenario.id, options.mode);
      let result: ScenarioResult;
      try {
        result = await runScenario(bench, scenario, {
          mode: options.mode,
          ...(options.outDir ? { outDir: join(options.outDir, scenario.id) } : {}),
          ...(options.traces !== undefined ? { traces: options.traces } : {}),
          ...(options.dutOptions ? { dutOptions: options.dutOptions } : {}),
          ...(options.dutArgs ? { dutArgs: options.dutArgs } : {}),
          ...(options.stopOnFail !== undefined ? { stopOnFail: options.stopOnFail } : {}),
          ...(options.checked ? { checked: true } : {}),
          ...(options.log ? { log: options.log } : {}),
          progress: (t, d) => reporter.progress(n, selected.length, scenario.id, t, d),
          onEvent: (r) => jsonl?.write({ type: 'event', ...r }),
        });
      } catch (err) {
        result = setupFailure(bench, scenario, options.mode, err);
      }
      html?.add(result);
      delete result.series;
      results.push(result);
      jsonl?.writeDurable({ type: 'result', ...result });
      if (options.junit) writeJUnit(options.junit, results);
      reporter.scenarioEnd(n, selected.length, result);
    }
  } finally {
    jsonl?.close();
  }
  const trace = traceRequirements(results);
  if (options.outDir && trace.length > 0) {
    const path = join(options.outDir, 'requirements.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(trace, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
    reports.push(path);
  }
  reporter.requirements(trace);
  reporter.summary(results, reports);
  return { results, reports };
}

function setupFailure(bench: Bench, scenario: Scenario, mode: 'real' | 'virtual', err: unknown): ScenarioResult {
  const message = err instanceof Error ? err.message : String(err);
  return {
    scenario: scenario.id,
    title: scenario.title,
    source: scenario.source,
    bench: bench.file.bench,
    requirements: scenario.requirements,
    verdict: 'error',
    summary: message,
    startedAt: new Date().toISOString(),
    wallMs: 0,
    simulatedMs: 0,
    timeMode: mode,
    seed: scenario.seed,
    expectations: [],
    errors: [{ atMs: 0, message: err instanceof ConfigError ? `bad input: ${message}` : message }],
    evidence: { frames: [], writes: [], dutOutput: [], events: [] },
  };
}
