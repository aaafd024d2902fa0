import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../../core/package-root';
import type { Command } from 'commander';
import { runCampaign } from '../../campaign/run-campaign';
import { ConsoleReporter } from '../../report/console';
import { HtmlReport } from '../../report/html';
import { RequirementTracer } from '../../campaign/traceability';
import { exitCodeForResults, type ScenarioResult } from '../../scenario/result';
import { expandScenarioPaths, loadAndCheck, loadBenchArg } from './scenario-args';

const REALTIME_TAG = 'demo-realtime';

/** `hil demo` (what `npm start` runs): the CI bench, the reference controller, the example scenarios. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the example scenarios on the built-in CI bench with the reference controller (no hardware needed)')
    .option('--out <dir>', 'where the reports go', 'reports/demo')
    .option('--no-realtime', 'skip the real-time part (the controller as its own process, over socketcand and Modbus TCP)')
    .action(async (opts: { out: string; realtime: boolean }) => {
      const root = packageRoot();
      const outDir = resolve(opts.out);
      process.chdir(root); // the bench names the controller by paths relative to the package
      const bench = loadBenchArg(join(root, 'fixtures', 'benches', 'ci.yaml'));
      const scenarios = await loadAndCheck(bench, expandScenarioPaths([join(root, 'fixtures', 'scenarios')]));
      const out = process.stdout;
      out.write(`hil demo: bench '${bench.file.bench}' (${bench.file.description ?? ''})\n`);
      out.write(`controller: the reference EMS in examples/controllers/reference (a process in real time, in-process in virtual time)\n\n`);
      const results: ScenarioResult[] = [];
      const reports: string[] = [];
      const quietSummary = new ConsoleReporter();
      mkdirSync(outDir, { recursive: true });
      // A demo starts afresh: results of an earlier demo must not mix with this one's (results.jsonl appends).
      for (const part of ['realtime', 'virtual']) rmSync(join(outDir, part), { recursive: true, force: true });
      const html = new HtmlReport(join(outDir, 'report.html'), { title: `hil demo: bench '${bench.file.bench}'`, trace: () => new RequirementTracer() });
      const realtime = scenarios.filter((s) => s.tags.includes(REALTIME_TAG) && s.timeMode !== 'virtual');
      if (opts.realtime && realtime.length > 0) {
        out.write(`Part 1: ${realtime.length} scenario(s) in real time, over the wire (socketcand hub + Modbus TCP on loopback)\n`);
        const r = await runCampaign(bench, realtime, { mode: 'real', outDir: join(outDir, 'realtime'), junit: join(outDir, 'realtime', 'junit.xml'), reporter: quietSummary, html, checked: true });
        results.push(...r.results);
        reports.push(...r.reports);
        out.write('\n');
      }
      const rest = scenarios.filter((s) => !(opts.realtime && realtime.includes(s)));
      out.write(`Part 2: ${rest.length} scenario(s) in virtual time (the same controller code, in-process)\n`);
      const v = await runCampaign(bench, rest, { mode: 'virtual', outDir: join(outDir, 'virtual'), junit: join(outDir, 'virtual', 'junit.xml'), reporter: quietSummary, traces: true, html, checked: true });
      results.push(...v.results);
      reports.push(...v.reports);
      html.close();
      const n = (x: string): number => results.filter((r) => r.verdict === x).length;
      out.write(`\nDemo: ${results.length} scenario(s), ${n('pass')} passed, ${n('fail')} failed, ${n('error')} errors. Reports and CAN traces under ${outDir}\n`);
      out.write(`HTML report (verdicts, evidence, plots): ${html.path}\n`);
      process.exitCode = exitCodeForResults(results);
    });
}
