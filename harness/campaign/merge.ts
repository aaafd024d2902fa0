import { basename, dirname } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';
import { digestResultsLog, readResultAt, RESULTS_FILE, unfinishedScenarios, type ResultRef, type ResultsLog } from './results-log';

/**
 * Read the results of one or more runs (`results.jsonl` from `hil run --out`, e.g. one per CI shard) and merge
 * them: one result per scenario id, the last one seen winning (a re-run after a fix replaces the earlier verdict),
 * in the order scenarios first appeared.
 *
 * A merged report must not look complete when it is not, so this refuses (throws `ConfigError`, exit 2), naming
 * every problem: a file that is empty or holds no result; a damaged record (its file:line); a scenario that started
 * but has no finished result, was interrupted, or was selected and never ran (a shard cut short: continue it with
 * `hil run --resume`); a missing shard (the files' run records say which shard i/n they hold, so 1/3 and 3/3
 * without 2/3 is caught), and shards of different splits.
 */
export function mergeResults(files: string[]): ScenarioResult[] {
  return mergeResultRefs(files).map((m) => readResultAt(m.ref));
}

/**
 * {@link mergeResults} as digests (`digestResult`: verdicts, expectations, identity) with where each whole result
 * is: the files are read in chunks and no whole result is held, so thousands of them merge in little memory; read
 * one again with `readResultAt` to write it out.
 */
export function mergeResultRefs(files: string[]): Array<{ result: ScenarioResult; ref: ResultRef }> {
  if (files.length === 0) throw new ConfigError('hil merge: no results files given');
  const logs = files.map((f) => digestResultsLog(f));
  const problems: string[] = [];
  for (const log of logs) problems.push(...fileProblems(log));
  problems.push(...shardProblems(logs));
  if (problems.length > 0) {
    throw new ConfigError(problems.length === 1 ? problems[0]! : `${problems.length} problems, nothing merged:\n  ${problems.join('\n  ')}`);
  }
  const byId = new Map<string, { result: ScenarioResult; ref: ResultRef }>();
  for (const log of logs) for (const { result, ref } of log.results) byId.set(result.scenario, { result, ref });
  return [...byId.values()];
}

function fileProblems(log: ResultsLog): string[] {
  const out: string[] = [];
  const hint = resumeHint(log.file);
  if (log.empty) return [`${log.file}: empty: no results in it (did that run start, with --out?)`];
  for (const d of log.damaged) {
    out.push(`${log.file}:${d.line}: damaged record: ${d.why}${log.cutTail?.line === d.line ? `; ${hint}` : ''}`);
  }
  if (log.results.length === 0 && !(log.runs.length > 0 && log.runs[log.runs.length - 1]!.record.scenarios.length === 0)) {
    out.push(`${log.file}: no result records in it`);
  }
  for (const u of unfinishedScenarios(log)) {
    out.push(`${log.file}:${u.line}: scenario '${u.scenario}' ${u.why}; ${hint}`);
  }
  return out;
}

/**
 * How to continue the run that wrote `file`. `hil run --resume --out <dir>` reads `<dir>/results.jsonl`, so the
 * folder is the file's own only when the file is still named `results.jsonl`; a renamed or copied file (a CI
 * artifact `shard-2.jsonl`) names no folder, and the hint says what to put there instead of guessing one.
 */
export function resumeHint(file: string): string {
  if (basename(file) === RESULTS_FILE) return `continue that run with hil run --resume --out ${shellWord(dirname(file))}`;
  return `continue that run with hil run --resume --out <dir>, <dir> being the run's --out folder (--resume reads <dir>/${RESULTS_FILE}; this file is named '${basename(file)}')`;
}

/** A path as one shell word: as is when it is plain, else in single quotes. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Every shard 1..n of one split must be there; unsharded files (re-runs) may be added. */
function shardProblems(logs: ResultsLog[]): string[] {
  const shards = new Map<number, { count: number; total: number; file: string }[]>();
  for (const log of logs) {
    for (const { record } of log.runs) {
      if (!record.shard) continue;
      const list = shards.get(record.shard.index) ?? [];
      if (!list.some((x) => x.file === log.file)) list.push({ count: record.shard.count, total: record.total, file: log.file });
      shards.set(record.shard.index, list);
    }
  }
  if (shards.size === 0) return [];
  const all = [...shards.entries()].flatMap(([index, list]) => list.map((x) => ({ index, ...x })));
  const counts = new Set(all.map((x) => x.count));
  if (counts.size > 1) {
    return [`shards of different splits: ${all.map((x) => `${x.index}/${x.count} (${x.file})`).join(', ')}; merge the shards of one campaign`];
  }
  const totals = new Set(all.map((x) => x.total));
  if (totals.size > 1) {
    return [`shards of different campaigns: ${all.map((x) => `${x.index}/${x.count} of ${x.total} scenario(s) (${x.file})`).join(', ')}`];
  }
  const n = all[0]!.count;
  const missing: string[] = [];
  for (let i = 1; i <= n; i++) if (!shards.has(i)) missing.push(`${i}/${n}`);
  if (missing.length === 0) return [];
  const have = [...shards.entries()].sort((a, b) => a[0] - b[0]).map(([i, list]) => `${i}/${n} (${list.map((x) => x.file).join(', ')})`);
  return [`missing shard(s) ${missing.join(', ')}: have ${have.join(', ')}`];
}
