import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../../core/errors';
import { loadCampaign } from '../../campaign/campaign-file';
import { mergeResultRefs } from '../../campaign/merge';
import { readResultAt, type ResultRef } from '../../campaign/results-log';
import { writeMergedCatalogue } from '../../campaign/merge-catalogue';
import { runRecord } from '../../campaign/run-campaign';
import { ConsoleReporter } from '../../report/console';
import { JsonLinesLog } from '../../report/jsonl';
import { JUnitReport } from '../../report/junit';
import { HtmlReport } from '../../report/html';
import { RequirementTracer } from '../../campaign/traceability';
import { exitCodeForResults, type ScenarioResult } from '../../scenario/result';

/** `hil merge`: combine the results of shards (`hil run --shard i/n --out dir`) into one report. */
export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description(
      'merge results.jsonl files (e.g. from CI shards) into one JUnit report and one results file; exit code as for run. ' +
        'Refuses (exit 2, nothing written) an empty file, a damaged record, an unfinished scenario or a missing shard',
    )
    .argument('<results...>', 'results.jsonl files')
    .option('--junit <file>', 'write the merged JUnit XML here')
    .option('--out <file>', 'write the merged results (JSON lines) here')
    .option('--html <file>', 'write one HTML report of the merged results, failures first (plots from <dir>/<scenario>/series.json beside each results file)')
    .option('--campaign <file>', 'judge this campaign file\'s requirement catalogue on the merged shards (hil campaign --shard i/n)')
    .option('--report-dir <dir>', 'with --campaign: where campaign-report.md/.json go (default: the folder of --out, else .)')
    .option('--allow-skip', 'skipped scenarios do not make the exit code 4')
    .action(async (files: string[], opts: { junit?: string; out?: string; html?: string; campaign?: string; reportDir?: string; allowSkip?: boolean }) => {
      if (opts.reportDir && !opts.campaign) throw new ConfigError('--report-dir goes with --campaign <file>');
      // Digests to judge and count with; each whole result is read again, one at a time, to write it out.
      const merged = mergeResultRefs(files);
      const results = merged.map((m) => m.result);
      const written: string[] = [];
      if (opts.campaign) {
        const campaign = await loadCampaign(opts.campaign);
        const dir = opts.reportDir ?? (opts.out ? dirname(opts.out) : '.');
        written.push(...writeMergedCatalogue(campaign, results, files, dir));
      }
      if (opts.junit) {
        const junit = new JUnitReport(opts.junit);
        for (const m of merged) junit.add(readResultAt(m.ref));
        junit.close();
      }
      if (opts.html) writeMergedHtml(opts.html, merged, files);
      if (opts.out) {
        const log = new JsonLinesLog(opts.out, { truncate: true });
        log.writeDurable({ ...runRecord({ scenarios: results.map((r) => r.scenario), timeMode: 'merged' }), merged: files });
        for (const m of merged) log.writeDurable({ type: 'result', ...readResultAt(m.ref) });
        log.close();
      }
      new ConsoleReporter().summary(results, [opts.junit, opts.out, ...written].filter((x): x is string => !!x));
      process.exitCode = exitCodeForResults(results, { allowSkip: !!opts.allowSkip });
    });
}

const ORDER: Record<ScenarioResult['verdict'], number> = { fail: 0, error: 1, skip: 2, pass: 3 };

/**
 * The HTML report of merged results, failures first then errors, skips, passes (stable within each). A scenario's
 * plots come from `series.json` in its evidence folder beside any of the results files (`hil run --out`); without
 * one, its section has no plots. An unreadable series file is skipped with a warning: it never loses the report.
 */
function writeMergedHtml(path: string, merged: Array<{ result: ScenarioResult; ref: ResultRef }>, files: string[]): void {
  const report = new HtmlReport(path, { title: 'HIL report (merged)', trace: () => new RequirementTracer() });
  const sorted = merged.map((m, i) => ({ m, i })).sort((a, b) => ORDER[a.m.result.verdict] - ORDER[b.m.result.verdict] || a.i - b.i);
  for (const { m } of sorted) {
    const r = readResultAt(m.ref);
    const seriesFile = files.map((f) => join(dirname(f), r.scenario, 'series.json')).find((f) => existsSync(f));
    let withSeries = r;
    if (seriesFile) {
      try {
        withSeries = { ...r, series: JSON.parse(readFileSync(seriesFile, 'utf8')) as ScenarioResult['series'] };
      } catch (err) {
        process.stderr.write(`hil merge: ${seriesFile}: ${(err as Error).message}; '${r.scenario}' shown without plots\n`);
      }
    }
    report.add(withSeries);
  }
  report.close();
}
