import type { Command } from 'commander';
import { RealClock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import { BenchInstance } from '../../bench/bench-instance';
import { runCampaign } from '../../campaign/run-campaign';
import { ConsoleReporter } from '../../report/console';
import { exitCodeForResults } from '../../report/result';
import { preflightRun } from './preflight';
import { parseShard } from './scenario-args';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `hil run`: bring up a bench, run scenarios against the controller, judge, report. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run scenarios against a controller on a bench and judge it (exit 0 pass, 1 fail, 2 bad input, 3 error)')
    .argument('<scenario...>', 'scenario files or directories of them')
    .requiredOption('--bench <file>', 'bench file (media, devices, controller)')
    .option('--virtual-time', 'run in virtual time (needs an in-process controller: dut.module in the bench)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write an HTML report with plots of the signals the expectations read (one self-contained file)')
    .option('--out <dir>', 'write results.jsonl, CAN traces and controller output under this directory')
    .option('--no-traces', 'with --out, do not record full CAN traces')
    .option('--shard <i/n>', 'run only shard i of n (for CI matrices)')
    .option('--stop-on-fail', 'stop each scenario at its first failed expectation')
    .option('--dut-option <key=value>', 'option for an in-process controller (repeatable; e.g. defects=ignore-overtemp)', collect, [])
    .option('--dut-arg <arg>', 'extra argument for the controller command (repeatable)', collect, [])
    .option('-v, --verbose', 'print harness and controller log lines')
    .action(async (paths: string[], opts: {
      bench: string;
      virtualTime?: boolean;
      junit?: string;
      html?: string;
      out?: string;
      traces: boolean;
      shard?: string;
      stopOnFail?: boolean;
      dutOption: string[];
      dutArg: string[];
      verbose?: boolean;
    }) => {
      // Every file, option and the controller checked before anything is opened or spawned (exit 2 if not).
      const { bench, scenarios, dutOptions } = await preflightRun({ paths, benchPath: opts.bench, mode: opts.virtualTime ? 'virtual' : 'real', dutOptions: opts.dutOption, dutArgs: opts.dutArg });
      const shard = parseShard(opts.shard);
      if (!opts.virtualTime) {
        // Reach every adapter, port and listener once before running anything: a missing adapter is one clear line
        // and exit 2, not an error verdict per scenario.
        const probe = await BenchInstance.start(bench, { clock: new RealClock(), mode: 'real', seed: 1, serveNetwork: true });
        await probe.close();
      }
      const outcome = await runCampaign(bench, scenarios, {
        mode: opts.virtualTime ? 'virtual' : 'real',
        checked: true, // preflightRun above checked every scenario against this bench
        ...(opts.out ? { outDir: opts.out } : {}),
        ...(opts.junit ? { junit: opts.junit } : {}),
        ...(opts.html ? { html: opts.html } : {}),
        ...(shard ? { shard } : {}),
        traces: opts.traces,
        ...(opts.stopOnFail ? { stopOnFail: true } : {}),
        ...(dutOptions ? { dutOptions } : {}),
        ...(opts.dutArg.length ? { dutArgs: opts.dutArg } : {}),
        reporter: new ConsoleReporter(),
        ...(opts.verbose ? { log: (l: string) => process.stderr.write(`${l}\n`) } : {}),
      });
      if (outcome.results.length === 0) throw new ConfigError('no scenario selected (check --shard)');
      process.exitCode = exitCodeForResults(outcome.results);
    });
}
