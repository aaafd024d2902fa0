import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError } from '../../../core/errors';
import { TIME_MODE_CHOICES, type TimeModeChoice } from '../../campaign/time-mode';

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
