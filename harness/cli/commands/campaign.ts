import type { Command } from 'commander';
import { ConfigError, exitCodeForSignal, ExitCode } from '../../../core/errors';
import { loadCampaign } from '../../campaign/campaign-file';
import { judgeCatalogue, writeCampaignReport, type RequirementVerdict } from '../../campaign/catalogue';
import { sha256File } from '../../campaign/checksums';
import { runCampaign } from '../../campaign/run-campaign';
import { ConsoleReporter } from '../../report/console';
import { exitCodeForResults } from '../../scenario/result';
import { trapInterrupts } from '../interrupt';
import { addTraceOptions, checkOutDir, sharedCampaignOptions, timeModeOption, type SharedRunCliOptions } from './run-options';
import { planTimeModes } from '../../campaign/time-mode';
import { addRealtimeOption, applyRunRealtime, realtimeOption } from './realtime-option';
import { parseShard } from './scenario-args';
import { formatProblem } from '../../config/problems';
import { preflightDut } from '../../dut/dut-preflight';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `hil campaign`: run a campaign file (bench, scenarios, sweeps, requirement catalogue) into an evidence folder. */
export function registerCampaignCommand(program: Command): void {
  const cmd = program
    .command('campaign')
    .description(
      'run a certification campaign (bench, scenarios, parameter sweeps, requirement catalogue) into an evidence folder with ' +
        'campaign-report.md/.json, manifest.json and SHA256SUMS (exit codes as for run; a requirement not covered alone does not fail the run)',
    )
    .argument('<file>', 'campaign file (YAML)')
    .requiredOption('--out <dir>', 'evidence folder (new or empty, unless --resume)')
    .option('--time-mode <mode>', 'auto (default), virtual, lockstep or real, as for hil run')
    .option('--virtual-time', 'the same as --time-mode virtual')
    .option('--resume', 'continue the campaign whose results are in --out')
    .option('--shard <i/n>', 'run only shard i of n (scenarios and sweep combinations, round-robin)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write an HTML report with plots')
    .option('--allow-skip', 'skipped scenarios do not make the exit code 4')
    .option('--stop-on-fail', 'stop each scenario at its first failed expectation')
    .option('--dut-option <key=value>', 'option for an in-process controller (repeatable)', collect, [])
    .option('--dut-arg <arg>', 'extra argument for the controller command (repeatable)', collect, [])
    .option('-v, --verbose', 'print harness and controller log lines');
  addRealtimeOption(addTraceOptions(cmd)).action(
    async (
      file: string,
      opts: SharedRunCliOptions & {
        out: string;
        timeMode?: string;
        virtualTime?: boolean;
        resume?: boolean;
        shard?: string;
        junit?: string;
        html?: string;
        allowSkip?: boolean;
        stopOnFail?: boolean;
        dutOption: string[];
        dutArg: string[];
        verbose?: boolean;
        realtime?: string | boolean;
      },
    ) => {
      const timeMode = timeModeOption(opts.timeMode, opts.virtualTime);
      checkOutDir(opts.out, opts.resume);
      const rtPriority = realtimeOption(opts.realtime);
      const campaign = await loadCampaign(file);
      // The controller checked as `hil run` checks it: options typed as the module declares them, exit 2 otherwise.
      const dut = preflightDut(campaign.bench, { mode: timeMode, dutOptions: opts.dutOption, dutArgs: opts.dutArg });
      if (dut.problems.length > 0) throw new ConfigError(dut.problems.map(formatProblem).join('\n  '));
      const moduleOptions = dut.plan.moduleOptions;
      const shard = parseShard(opts.shard);
      const reporter = new ConsoleReporter();
      const anyReal = planTimeModes(campaign.bench, campaign.scenarios, timeMode).some((p) => p.mode === 'real');
      const scheduling = await applyRunRealtime(rtPriority, anyReal);
      let verdicts: RequirementVerdict[] = [];
      const trap = trapInterrupts();
      let outcome;
      try {
        outcome = await runCampaign(campaign.bench, campaign.scenarios, {
          mode: timeMode,
          checked: true,
          benchFor: (s) => campaign.benches[s.id],
          ...sharedCampaignOptions(opts),
          ...(moduleOptions && Object.keys(moduleOptions).length > 0 ? { dutOptions: moduleOptions } : {}),
          reporter,
          signal: trap.signal,
          manifestExtra: {
            campaign: { name: campaign.file.campaign, file: campaign.source, sha256: sha256File(campaign.source), sweeps: campaign.parameters },
            ...(scheduling ? { scheduling } : {}),
          },
          extraReports: (results) => {
            verdicts = judgeCatalogue(campaign.file.requirements, results, opts.out);
            return writeCampaignReport(opts.out, { name: campaign.file.campaign, ...(campaign.file.title ? { title: campaign.file.title } : {}) }, verdicts, campaign.parameters);
          },
        });
      } finally {
        trap.dispose();
      }
      const w = (l: string): boolean => process.stdout.write(`${l}\n`);
      w(`\nRequirement catalogue (${campaign.file.campaign})${shard ? `: shard ${shard.index}/${shard.count} only` : ''}:`);
      for (const r of verdicts) w(`  ${r.verdict.toUpperCase().padEnd(12)} ${r.id} [${r.clause}] ${r.title} (${r.evidence.length} expectation(s))`);
      if (outcome.interrupted) {
        process.exitCode = exitCodeForSignal(outcome.interrupted.signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
        return;
      }
      const code = exitCodeForResults(outcome.results, { allowSkip: !!opts.allowSkip });
      if (code === ExitCode.NOT_ALL_RAN) process.stderr.write('hil: scenario(s) skipped (listed above): not everything ran, exit code 4 (--allow-skip accepts skips)\n');
      process.exitCode = code;
    },
  );
}
