import type { Bench } from '../bench/load-bench';
import { formatDuration } from '../config/duration';
import type { Scenario } from '../scenario/scenario';

/**
 * What the user asked for (`hil run --time-mode`):
 * - `real`: every scenario in real time, also those declared `timeMode: virtual` (the lab promise: the same
 *   scenarios run on both); slow, so their wall-clock durations are printed before anything starts.
 * - `virtual`: every scenario in virtual time; a scenario declared `timeMode: real` is skipped (it measures
 *   something only real time has).
 * - `lockstep`: like `virtual`, with the bench's controller process (`dut.command`) in lock step (docs/lockstep.md),
 *   even where the bench also has an in-process module.
 * - `auto` (the default): each scenario in the time its file declares; `any` runs in virtual time when the bench
 *   has an in-process controller (`dut.module`) or a process that speaks lock step (`dut.clock: lockstep`), else in
 *   real time.
 */
export type TimeModeChoice = 'real' | 'virtual' | 'lockstep' | 'auto';

export const TIME_MODE_CHOICES: readonly TimeModeChoice[] = ['real', 'virtual', 'lockstep', 'auto'];

/** How one scenario will run: a time mode, or skipped with the reason a person reads in the summary. */
export type TimePlan =
  | { scenario: Scenario; mode: 'real' | 'virtual'; forced: boolean; skip?: undefined; lockstep?: boolean }
  | { scenario: Scenario; mode?: undefined; forced?: undefined; skip: string };

/** Decide each scenario's time mode (see `TimeModeChoice`). Pure: reads the bench and the scenarios only. */
export function planTimeModes(bench: Bench, scenarios: readonly Scenario[], choice: TimeModeChoice): TimePlan[] {
  const dut = bench.file.dut;
  const lockstepByBench = !dut?.module && !!dut?.command && dut.clock === 'lockstep';
  const canVirtual = !!dut?.module || lockstepByBench;
  return scenarios.map((scenario): TimePlan => {
    const declared = scenario.timeMode;
    const length = formatDuration(scenario.durationMs);
    if (choice === 'real') return { scenario, mode: 'real', forced: declared === 'virtual' };
    if (choice === 'virtual' || choice === 'lockstep') {
      if (declared === 'real') return { scenario, skip: `declares timeMode: real and this run is in virtual time (run it with --time-mode real or auto; it takes ${length})` };
      return { scenario, mode: 'virtual', forced: false, ...(choice === 'lockstep' || lockstepByBench ? { lockstep: true } : {}) };
    }
    if (declared === 'real') return { scenario, mode: 'real', forced: false };
    if (canVirtual) return { scenario, mode: 'virtual', forced: false, ...(lockstepByBench ? { lockstep: true } : {}) };
    if (declared === 'any') return { scenario, mode: 'real', forced: false };
    const why = dut?.command
      ? "the bench's controller runs only as a process (dut.command, no dut.module)"
      : 'the bench has no controller the harness can run in virtual time (no dut.module: a wired board runs in real time)';
    return { scenario, skip: `declares timeMode: virtual, but ${why}; force it to real time with --time-mode real (it then takes ${length})` };
  });
}

/**
 * The lines printed before a campaign with real-time scenarios starts: each one's wall-clock length and the total,
 * so a person sees at once that forcing a 24 h scenario to real time takes a day (and can stop it). Empty when
 * nothing runs in real time.
 */
export function describeRealTimePlan(plans: readonly TimePlan[], speed = 1): string[] {
  const real = plans.filter((p) => p.mode === 'real');
  if (real.length === 0) return [];
  const wall = (ms: number): string => formatDuration(Math.round(ms / speed));
  const total = real.reduce((ms, p) => ms + p.scenario.durationMs, 0);
  const how = speed === 1 ? 'real time' : `real time x${speed} (--speed)`;
  const lines = [`${how}: ${real.length} scenario(s), ${wall(total)} of wall-clock time in total (plus controller start-up):`];
  for (const p of real) lines.push(`  ${wall(p.scenario.durationMs).padStart(8)}  ${p.scenario.id}${p.forced ? ' (declared timeMode: virtual; forced to real time)' : ''}`);
  return lines;
}
