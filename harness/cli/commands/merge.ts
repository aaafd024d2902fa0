import type { Command } from 'commander';
import { mergeResults } from '../../campaign/merge';
import { runRecord } from '../../campaign/run-campaign';
import { ConsoleReporter } from '../../report/console';
import { JsonLinesLog } from '../../report/jsonl';
import { writeJUnit } from '../../report/junit';
import { exitCodeForResults } from '../../report/result';

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
    .option('--allow-skip', 'skipped scenarios do not make the exit code 4')
    .action((files: string[], opts: { junit?: string; out?: string; allowSkip?: boolean }) => {
      const results = mergeResults(files);
      if (opts.junit) writeJUnit(opts.junit, results);
      if (opts.out) {
        const log = new JsonLinesLog(opts.out, { truncate: true });
        log.writeDurable({ ...runRecord({ scenarios: results.map((r) => r.scenario), timeMode: 'merged' }), merged: files });
        for (const r of results) log.writeDurable({ type: 'result', ...r });
        log.close();
      }
      new ConsoleReporter().summary(results, [opts.junit, opts.out].filter((x): x is string => !!x));
      process.exitCode = exitCodeForResults(results, { allowSkip: !!opts.allowSkip });
    });
}
