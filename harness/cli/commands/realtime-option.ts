import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import {
  DEFAULT_REALTIME_PRIORITY,
  describeRealtime,
  parseRealtimePriority,
  RealtimePriorityError,
  requestRealtimePriority,
  type RealtimeResult,
} from '../../../core/clock/realtime-priority';
import { ConfigError } from '../../../core/errors';

/** Add `--realtime [priority]` to a command that runs benches in real time. */
export function addRealtimeOption(cmd: Command): Command {
  return cmd.option(
    '--realtime [priority]',
    `Linux: run the harness's threads under SCHED_FIFO (priority 1-99, default ${DEFAULT_REALTIME_PRIORITY}) for frame and reply timing that a busy machine does not delay; ` +
      'needs CAP_SYS_NICE or an rtprio limit, else a warning and normal scheduling (docs/performance.md)',
  );
}

/** `--realtime [priority]` as commander gives it: undefined (absent), true (bare) or the priority text. Throws ConfigError (exit 2). */
export function realtimeOption(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_REALTIME_PRIORITY;
  try {
    return parseRealtimePriority(value);
  } catch (err) {
    if (err instanceof RealtimePriorityError) throw new ConfigError(`--realtime ${value}: expected a priority from 1 to 99`);
    throw err;
  }
}

/**
 * Apply `--realtime` once the input is known good: SCHED_FIFO for this process's threads when `priority` is given
 * and something runs in real time (`why` says otherwise, e.g. "every scenario runs in virtual time"). The outcome
 * goes to `report` in one line and is returned (a `not-asked` one with its reason, for the manifest); a refusal is
 * not an error (the run goes on with normal scheduling).
 */
export async function applyRealtime(priority: number | undefined, report: (line: string) => void, why?: string): Promise<RealtimeResult | undefined> {
  if (priority === undefined) return undefined;
  const result: RealtimeResult = why !== undefined ? { state: 'not-asked', reason: why } : await requestRealtimePriority({ priority });
  report(describeRealtime(result));
  return result;
}

/**
 * Why `hil run` or `hil campaign` does not ask for real-time scheduling, or `undefined` when it does: nothing runs in
 * real time, or `--speed` above 1 on one CPU (this process's CPU set). A sped-up run keeps the harness busy most of the
 * time, and a busy real-time thread leaves normal tasks, the controller process among them, only what the kernel
 * keeps back from real-time tasks (5 % by default, kernel.sched_rt_runtime_us): on one CPU the controller would starve.
 */
export function realtimeSkipReason(anyReal: boolean, speed: number | undefined, cpus: number = availableParallelism()): string | undefined {
  if (!anyReal) return 'every scenario runs in virtual time';
  if (speed !== undefined && speed > 1 && cpus <= 1) {
    return `--speed ${speed} on one CPU: a busy real-time harness would leave the controller process 5 % of it; real-time scheduling is for true real time there`;
  }
  return undefined;
}

/** {@link applyRealtime} for `hil run` and `hil campaign` (see {@link realtimeSkipReason}); `hil:` lines on stderr. */
export function applyRunRealtime(priority: number | undefined, anyReal: boolean, speed?: number): Promise<RealtimeResult | undefined> {
  return applyRealtime(priority, (l) => process.stderr.write(`hil: ${l}\n`), realtimeSkipReason(anyReal, speed));
}
