import type { Command } from 'commander';
import { parseByteSize } from '../../../core/budget/byte-budget';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError } from '../../../core/errors';
import type { Bench } from '../../bench/load-bench';
import type { CampaignOptions } from '../../campaign/run-campaign';
import { TIME_MODE_CHOICES, type TimeModeChoice } from '../../campaign/time-mode';
import { findLibfaketime, which, whyNotFaketimeCommand } from '../../dut/faketime';
import { parseShard } from './scenario-args';

/** Highest `--speed`: beyond it a millisecond of real latency is more than a simulated second. */
export const MAX_SPEED = 1000;

/** `--speed k`: a number in (0, MAX_SPEED]; `undefined` when not given. */
export function speedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const k = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(k > 0) || k > MAX_SPEED) {
    throw new ConfigError(`--speed '${value}': expected a number above 0 and at most ${MAX_SPEED} (10 = ten times real time)`);
  }
  return k;
}

/**
 * Before anything runs: `--speed` needs scenarios that run in real time, and for a controller process, libfaketime and a
 * controller it can reach (not Go, not statically linked). Throws `ConfigError` with one line (exit 2).
 */
export function checkSpeed(bench: Bench, speed: number, anyReal: boolean): void {
  if (speed === 1) return;
  if (!anyReal) {
    throw new ConfigError(`--speed ${speed}: no scenario runs in real time here (virtual time is already as fast as it gets); add --time-mode real to run them in sped-up real time`);
  }
  const dut = bench.file.dut;
  if (!dut) throw new ConfigError(`--speed ${speed}: the bench has no dut: a wired controller runs in true real time and cannot be sped up`, bench.source);
  if (!dut.command) return; // an in-process module follows the harness clock
  if (!which('faketime') || !findLibfaketime()) {
    throw new ConfigError(`--speed needs libfaketime to speed up the controller process: ${!which('faketime') ? 'the faketime program' : 'libfaketime.so.1'} not found (Debian/Ubuntu: apt-get install faketime libfaketime)`);
  }
  const why = whyNotFaketimeCommand(dut.command, dut.cwd);
  if (why) throw new ConfigError(why, bench.where.dut);
}

/** `--time-mode` and its alias `--virtual-time`, checked: one of real|virtual|lockstep|auto (default auto), no contradiction. */
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

/**
 * The `runCampaign` options for the shared flags (everything but the mode, reporter and signal, and the in-process
 * controller's options: those come typed from the controller preflight, `preflightDut`).
 */
export function sharedCampaignOptions(opts: SharedRunCliOptions): Omit<CampaignOptions, 'mode'> {
  const shard = parseShard(opts.shard);
  return {
    ...(opts.out ? { outDir: opts.out } : {}),
    ...(opts.resume ? { resume: true } : {}),
    ...(opts.junit ? { junit: opts.junit } : {}),
    ...(opts.html ? { html: opts.html } : {}),
    ...(shard ? { shard } : {}),
    ...traceCampaignOptions(opts),
    ...(opts.stopOnFail ? { stopOnFail: true } : {}),
    ...(opts.dutArg.length ? { dutArgs: opts.dutArg } : {}),
    ...(opts.verbose ? { log: (l: string) => process.stderr.write(`${l}\n`) } : {}),
  };
}
