import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../../core/errors';
import { loadBench } from '../../bench/load-bench';
import { loadScenario } from '../../scenario/load-scenario';
import { checkScenarioAgainstBench } from '../../scenario/runner';

/** `hil validate`: check bench and scenario files without running anything. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check bench and scenario files (schema, references, faults, signals); exit 0 if all are good, 2 if not')
    .argument('<files...>', 'bench and scenario files (a file with a top-level "bench:" key is a bench)')
    .option('--bench <file>', 'also check the scenarios against this bench (devices, faults, signals)')
    .action(async (files: string[], opts: { bench?: string }) => {
      const problems: string[] = [];
      let ok = 0;
      const bench = opts.bench ? loadBench(opts.bench) : undefined;
      for (const f of files) {
        try {
          let text: string;
          try {
            text = readFileSync(f, 'utf8');
          } catch (err) {
            throw new ConfigError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, f);
          }
          const isBench = /^bench\s*:/m.test(text);
          if (isBench) loadBench(f);
          else {
            const s = loadScenario(f);
            if (bench) await checkScenarioAgainstBench(bench, s);
          }
          process.stdout.write(`ok   ${f}\n`);
          ok++;
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          problems.push(err.message);
          process.stdout.write(`FAIL ${err.message}\n`);
        }
      }
      process.stdout.write(`${ok} ok, ${problems.length} with problems\n`);
      if (problems.length > 0) process.exitCode = 2;
    });
}
