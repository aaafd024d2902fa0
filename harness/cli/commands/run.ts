import type { Command } from 'commander';
import { RealClock } from '../../../core/clock';
import { ConfigError, exitCodeForSignal, ExitCode } from '../../../core/errors';
import { BenchInstance } from '../../bench/bench-instance';
import { planTimeModes } from '../../campaign/time-mode';
import { exitCodeForResults } from '../../scenario/result';
import type { RunDashboard } from '../../ui/run-dashboard';
import { trapInterrupts } from '../interrupt';
import { preflightRun } from './preflight';
import { addTraceOptions, checkOutDir, checkSpeed, sharedCampaignOptions, speedOption, timeModeOption, type SharedRunCliOptions } from './run-options';
import { addRealtimeOption, applyRunRealtime, realtimeOption } from './realtime-option';
import { parseShard } from './scenario-args';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `hil run`: bring up a bench, run scenarios against the controller, judge, report. */
export function registerRunCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'run scenarios against a controller on a bench and judge it (exit 0 pass, 1 fail, 2 bad input, 3 error, 4 not everything ran, 130/143 interrupted)',
    )
    .argument('<scenario...>', 'scenario files or directories of them')
    .requiredOption('--bench <file>', 'bench file (media, devices, controller)')
    .option(
      '--time-mode <mode>',
      'auto: each scenario as it declares (timeMode: any in virtual time where the bench has dut.module); ' +
        'virtual: all in virtual time; real: all in real time, also timeMode: virtual ones (their durations are printed first); ' +
        'lockstep: virtual time with the controller process (dut.command) driven through the lock-step clock protocol (docs/lockstep.md)',
    )
    .option('--virtual-time', 'the same as --time-mode virtual')
    .option(
      '--speed <k>',
      'run real time k times faster: the harness clock at k x, a controller process under libfaketime at the same rate (needs faketime/libfaketime; not for Go or static binaries; see docs/speed.md)',
    )
    .option('--allow-skip', 'scenarios skipped for their time mode do not make the exit code 4 (they are still listed)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write an HTML report with plots of the signals the expectations read (one self-contained file)')
    .option('--out <dir>', 'evidence folder: results.jsonl, manifest.json, SHA256SUMS, per scenario CAN traces (<bus>.log.gz), Modbus logs and controller output (new or empty, unless --resume)')
    .option('--resume', 'continue the run whose results are in --out: keep the finished results, run the rest, append')
    .option('--shard <i/n>', 'run only shard i of n (for CI matrices)')
    .option('--stop-on-fail', 'stop each scenario at its first failed expectation')
    .option('--dut-option <key=value>', 'option for an in-process controller (repeatable; e.g. defects=ignore-overtemp)', collect, [])
    .option('--dut-arg <arg>', 'extra argument for the controller command (repeatable)', collect, [])
    .option('-v, --verbose', 'print harness and controller log lines')
    .option('--ui', 'serve the live dashboard of each scenario\'s bench, with the run\'s timeline and verdicts (URL with a token printed at the first scenario)')
    .option('--ui-host <address>', 'address the dashboard listens on (only this explicit flag opens it beyond loopback)', '127.0.0.1')
    .option('--ui-port <n>', 'dashboard port (0: a free port, kept for the whole run)', '0');
  addRealtimeOption(addTraceOptions(cmd)).action(async (paths: string[], opts: SharedRunCliOptions & {
      bench: string;
      timeMode?: string;
      virtualTime?: boolean;
      speed?: string;
      allowSkip?: boolean;
      junit?: string;
      html?: string;
      out?: string;
      resume?: boolean;
      shard?: string;
      stopOnFail?: boolean;
      dutOption: string[];
      dutArg: string[];
      verbose?: boolean;
      ui?: boolean;
      uiHost: string;
      uiPort: string;
      realtime?: string | boolean;
    }) => {
      const timeMode = timeModeOption(opts.timeMode, opts.virtualTime);
      checkOutDir(opts.out, opts.resume);
      const speed = speedOption(opts.speed);
      const rtPriority = realtimeOption(opts.realtime);
      const uiPort = Number(opts.uiPort);
      if (!(Number.isInteger(uiPort) && uiPort >= 0 && uiPort <= 65535)) throw new ConfigError(`--ui-port ${opts.uiPort}: expected 0..65535`);
      // Every file, option and the controller checked before anything is opened or spawned (exit 2 if not).
      const { bench, scenarios, dutOptions } = await preflightRun({ paths, benchPath: opts.bench, mode: timeMode, dutOptions: opts.dutOption, dutArgs: opts.dutArg });
      parseShard(opts.shard); // a bad --shard is exit 2 before anything starts
      // What runs scenarios and reports loads once the input is known good: bad input exits 2 without it.
      const [{ runCampaign }, { ConsoleReporter }] = await Promise.all([import('../../campaign/run-campaign'), import('../../report/console')]);
      // The dashboard (HTTP server, page, sampler) loads only when asked for.
      const ui: RunDashboard | undefined = opts.ui
        ? new (await import('../../ui/run-dashboard')).RunDashboard({ host: opts.uiHost, port: uiPort, print: (l) => process.stdout.write(`${l}\n`) })
        : undefined;
      const anyReal = planTimeModes(bench, scenarios, timeMode).some((p) => p.mode === 'real');
      if (speed !== undefined) checkSpeed(bench, speed, anyReal);
      if (anyReal) {
        // Reach every adapter, port and listener once before running anything: a missing adapter is one clear line
        // and exit 2, not an error verdict per scenario.
        const probe = await BenchInstance.start(bench, { clock: new RealClock(), mode: 'real', seed: 1, serveNetwork: true });
        await probe.close();
      }
      const scheduling = await applyRunRealtime(rtPriority, anyReal, speed);
      const trap = trapInterrupts();
      let outcome;
      try {
        outcome = await runCampaign(bench, scenarios, {
          mode: timeMode,
          checked: true, // preflightRun above checked every scenario against this bench
          ...sharedCampaignOptions(opts),
          ...(dutOptions ? { dutOptions } : {}),
          ...(speed !== undefined ? { speed } : {}),
          ...(scheduling ? { manifestExtra: { scheduling } } : {}),
          reporter: new ConsoleReporter(),
          ...(ui ? { onBench: ui.onBench, onEvent: ui.onEvent } : {}),
          signal: trap.signal,
        });
      } finally {
        trap.dispose();
      }
      if (outcome.interrupted) {
        process.exitCode = exitCodeForSignal(outcome.interrupted.signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
        return;
      }
      if (outcome.results.length === 0) throw new ConfigError('no scenario selected (check --shard)');
      const code = exitCodeForResults(outcome.results, { allowSkip: !!opts.allowSkip });
      if (code === ExitCode.NOT_ALL_RAN) {
        const n = outcome.results.filter((r) => r.verdict === 'skip').length;
        process.stderr.write(`hil: ${n} scenario(s) skipped (listed above with the reason): not everything ran, exit code 4 (--allow-skip accepts skips)\n`);
      }
      process.exitCode = code;
    });
}
