import type { Command } from 'commander';
import { formatProblem } from '../../config/problems';
import { allProblems, inspect } from './preflight';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `hil validate`: check bench and scenario files as deeply as `hil run` would, without running anything. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check bench and scenario files as deeply as hil run would, without starting anything; every problem with file:line:column (exit 0 all good, 2 if not)')
    .argument('<paths...>', 'bench and scenario files, or directories of them (a file with a top-level "bench:" key is a bench)')
    .option('--bench <file>', 'also check the scenarios against this bench (devices, inputs, faults, signals) and its controller')
    .option('--virtual-time', 'check for a run in virtual time (the bench needs an in-process controller: dut.module)')
    .option('--dut-option <key=value>', 'check an option for the in-process controller against the options it declares (repeatable)', collect, [])
    .option('--dut-arg <arg>', 'check an extra argument for the controller command (repeatable)', collect, [])
    .action(async (paths: string[], opts: { bench?: string; virtualTime?: boolean; dutOption: string[]; dutArg: string[] }) => {
      const result = await inspect({
        paths,
        ...(opts.bench !== undefined ? { benchPath: opts.bench } : {}),
        mode: opts.virtualTime ? 'virtual' : 'real',
        dutOptions: opts.dutOption,
        dutArgs: opts.dutArg,
        benchesAmongPaths: true,
      });
      const out = process.stdout;
      let ok = 0;
      let bad = 0;
      for (const f of result.files) {
        if (f.problems.length === 0) {
          out.write(`ok   ${f.file}\n`);
          ok++;
        } else {
          for (const p of f.problems) out.write(`FAIL ${formatProblem(p)}\n`);
          bad++;
        }
      }
      for (const p of result.options) out.write(`FAIL ${formatProblem(p)}\n`);
      const problems = allProblems(result).length;
      out.write(`${ok} ok, ${bad} with problems${result.options.length > 0 ? `, ${result.options.length} option problem(s)` : ''} (${problems} problem(s) in all)\n`);
      if (problems > 0) process.exitCode = 2;
    });
}
