import type { Command } from 'commander';
import { parseByteSize } from '../../../core/budget/byte-budget';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError } from '../../../core/errors';
import type { CampaignOptions } from '../../campaign/run-campaign';
import { TIME_MODE_CHOICES, type TimeModeChoice } from '../../campaign/time-mode';
import { parseKeyValues, parseShard } from './scenario-args';

/** `--time-mode` and its alias `--virtual-time`, checked: one of real|virtual|auto (default auto), no contradiction. */
export function timeModeOption(timeMode: string | undefined, virtualTime: boolean | undefined): TimeModeChoice {
  if (timeMode !== undefined && !(TIME_MODE_CHOICES as readonly string[]).includes(timeMode)) {
    throw new ConfigError(`--time-mode '${timeMode}': expected one of ${TIME_MODE_CHOICES.join(', ')}`);
  }
  if (virtualTime && timeMode !== undefined && timeMode !== 'virtual') {
    throw new ConfigError(`--virtual-time and --time-mode ${timeMode} contradict each other (--virtual-time means --time-mode virtual)`);
  }
  return virtualTime ? 'virtual' : ((timeMode as TimeModeChoice | undefined) ?? 'auto');
}

/**
 * `--out`: a new or empty directory, so results of two runs never mix; with `--resume`, the directory of the run to
 * continue. Throws `ConfigError` (exit 2, one line) otherwise.
 */
export function checkOutDir(out: string | undefined, resume: boolean | undefined): void {
  if (resume && !out) throw new ConfigError('--resume needs --out <dir>: the directory of the run to continue');
  if (!out || !existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new ConfigError(`--out ${out} is a file, not a directory`);
  if (resume) return;
  const entries = readdirSync(out);
  if (entries.length === 0) return;
  const what = entries.includes('results.jsonl') ? 'the results of an earlier run' : `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
  throw new ConfigError(`--out ${out} is not empty (it holds ${what}): continue that run with --resume, or give a new or empty directory`);
}

/** The evidence options shared by `hil run` and `hil campaign`. */
export interface TraceCliOptions {
  traces: boolean;
  traceBudget?: string;
  pcap?: boolean;
  compress: boolean;
}

/** Add `--no-traces`, `--trace-budget`, `--pcap`, `--no-compress` to a command. */
export function addTraceOptions(cmd: Command): Command {
  return cmd
    .option('--no-traces', 'with --out, do not record full CAN traces and Modbus transaction logs')
    .option('--trace-budget <size>', 'disk the run\'s traces may take, e.g. 500MB, 2GB, unlimited (default 500MB); when spent, tracing stops with a note, verdicts do not')
    .option('--pcap', 'also write each CAN bus as pcap (<bus>.pcap.gz, Wireshark)')
    .option('--no-compress', 'write traces and Modbus logs uncompressed (<bus>.log, modbus-<endpoint>.jsonl)');
}

/** The campaign options for the trace flags; `ConfigError` for a bad size. */
export function traceCampaignOptions(o: TraceCliOptions): { traces: boolean; traceBudget?: number; traceFormat: { compress: boolean; pcap: boolean } } {
  let traceBudget: number | undefined;
  if (o.traceBudget !== undefined) {
    traceBudget = parseByteSize(o.traceBudget);
    if (traceBudget === undefined) throw new ConfigError(`--trace-budget '${o.traceBudget}': expected a size such as 500MB, 2GB, 750000000 or unlimited`);
  }
  return { traces: o.traces, ...(traceBudget !== undefined ? { traceBudget } : {}), traceFormat: { compress: o.compress, pcap: !!o.pcap } };
}

/** The options `hil run` and `hil campaign` share, as written on the command line. */
export interface SharedRunCliOptions extends TraceCliOptions {
  out?: string;
  resume?: boolean;
  junit?: string;
  html?: string;
  shard?: string;
  stopOnFail?: boolean;
  dutOption: string[];
  dutArg: string[];
  verbose?: boolean;
}

/** The `runCampaign` options for the shared flags (everything but the mode, reporter and signal). */
export function sharedCampaignOptions(opts: SharedRunCliOptions): Omit<CampaignOptions, 'mode'> {
  const shard = parseShard(opts.shard);
  const dutOptions = parseKeyValues(opts.dutOption);
  return {
    ...(opts.out ? { outDir: opts.out } : {}),
    ...(opts.resume ? { resume: true } : {}),
    ...(opts.junit ? { junit: opts.junit } : {}),
    ...(opts.html ? { html: opts.html } : {}),
    ...(shard ? { shard } : {}),
    ...traceCampaignOptions(opts),
    ...(opts.stopOnFail ? { stopOnFail: true } : {}),
    ...(Object.keys(dutOptions).length ? { dutOptions } : {}),
    ...(opts.dutArg.length ? { dutArgs: opts.dutArg } : {}),
    ...(opts.verbose ? { log: (l: string) => process.stderr.write(`${l}\n`) } : {}),
  };
}
