import type { Command } from 'commander';
import { mergeResults } from '../../campaign/merge';
import { JsonLinesLog } from '../../report/jsonl';
import { writeJUnit } from '../../report/junit';
import { exitCodeForResults } from '../../report/result';
import { ConsoleReporter } from '../../report/console';

/** `hil merge`: combine the results of shards (`hil run --shard i/n --out dir`) into one report. */
export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('merge results.jsonl files (e.g. from CI shards) into one JUnit report and one results file; exit code as for run')
    .argument('<results...>', 'results.jsonl files')
    .option('--junit <file>', 'write the merged JUnit XML here')
    .option('--out <file>', 'write the merged results (JSON lines) here')
    .action((files: string[], opts: { junit?: string; out?: string }) => {
      const results = mergeResults(files, (where, why) => process.stderr.write(`${where}: ${why}; skipped\n`));
      if (opts.junit) writeJUnit(opts.junit, results);
      if (opts.out) {
        const log = new JsonLinesLog(opts.out);
        for (const r of results) log.writeDurable({ type: 'result', ...r });
        log.close();
      }
      new ConsoleReporter().summary(results, [opts.junit, opts.out].filter((x): x is string => !!x));
      process.exitCode = exitCodeForResults(results);
    });
}
