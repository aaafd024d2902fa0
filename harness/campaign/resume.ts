import { existsSync, openSync, readSync, closeSync, fstatSync, renameSync, truncateSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { Bench } from '../bench/load-bench';
import { hashOf } from '../evidence/provenance';
import type { Scenario } from '../scenario/scenario';
import { indexResultsLog, RESULTS_FILE, type ResultRef } from './results-log';

/** What `hil run --resume` keeps from the earlier run, and what it tells the user about it. */
export interface ResumeState {
  /**
   * Finished results kept as they are (not run again), by scenario id: where each is in results.jsonl
   * (`readResultAt` reads it when it goes into the reports; the results themselves are not held).
   */
  kept: Map<string, ResultRef>;
  /** One line each: what was found and done (printed before the run continues). */
  notes: string[];
}

/**
 * Prepare `<outDir>/results.jsonl` for a resumed campaign and say which results stand. A scenario keeps its result
 * if that result is finished (not interrupted, not skipped) and its scenario file is byte-for-byte the one that produced it;
 * everything else selected runs again. The earlier evidence folder of a scenario that runs again is kept, renamed
 * `<id>.attempt-<n>`. A last line cut mid-record by a kill is dropped (it never was a result).
 *
 * Throws `ConfigError` (exit 2, nothing run) when the file cannot be continued: a damaged record inside it, results
 * of another bench file (its SHA-256 differs) or of another shard.
 */
export function prepareResume(outDir: string, bench: Bench, selected: readonly Scenario[], shard: { index: number; count: number } | undefined): ResumeState {
  const path = join(outDir, RESULTS_FILE);
  const kept = new Map<string, ResultRef>();
  const notes: string[] = [];
  if (!existsSync(path)) {
    notes.push(`resume: no ${path} yet; starting a new run`);
    return { kept, notes };
  }
  const log = indexResultsLog(path);
  const inner = log.damaged.filter((d) => d.line !== log.cutTail?.line);
  if (inner.length > 0) {
    throw new ConfigError(`cannot resume: damaged record (${inner[0]!.why}); repair or remove that line, or start a new --out`, `${path}:${inner[0]!.line}`);
  }
  if (log.cutTail) {
    truncateSync(path, log.cutTail.byteOffset);
    notes.push(`resume: dropped line ${log.cutTail.line} of ${path}, a record the stopped run never finished`);
  } else if (!endsWithNewline(path)) {
    appendFileSync(path, '\n');
  }
  const lastRun = log.runs[log.runs.length - 1]?.record;
  if (lastRun?.bench) {
    const sha = hashOf(bench.source, () => '');
    if (lastRun.bench.sha256 !== sha) {
      throw new ConfigError(
        `cannot resume: ${path} holds results of bench file ${lastRun.bench.file} (sha256 ${lastRun.bench.sha256.slice(0, 12)}...), and ${bench.source} differs (sha256 ${sha.slice(0, 12)}...); resume with the same bench, or start a new --out`,
      );
    }
  }
  const shardText = (s: { index: number; count: number } | undefined): string => (s ? `shard ${s.index}/${s.count}` : 'no shard');
  if (lastRun && shardText(lastRun.shard) !== shardText(shard)) {
    throw new ConfigError(`cannot resume: ${path} holds ${shardText(lastRun.shard)}, this run asks for ${shardText(shard)}; give the same --shard, or start a new --out`);
  }
  const wanted = new Map(selected.map((s) => [s.id, s]));
  // Sweep variants share their base scenario's file: it is read and hashed once (an unreadable one hashes the
  // scenario itself, which differs per variant, so that is not kept).
  const fileShas = new Map<string, string>();
  const shaOf = (scenario: Scenario): string => {
    const known = fileShas.get(scenario.source);
    if (known !== undefined) return known;
    let unreadable = false;
    const sha = hashOf(scenario.source, () => {
      unreadable = true;
      return JSON.stringify(scenario);
    });
    if (!unreadable) fileShas.set(scenario.source, sha);
    return sha;
  };
  for (const { head, ref } of log.results) {
    const scenario = wanted.get(head.scenario);
    if (!scenario) continue;
    if (head.interrupted !== undefined || head.verdict === 'skip') {
      // Interrupted: runs again. Skipped: planned again (this run's --time-mode may run it).
      kept.delete(head.scenario);
      continue;
    }
    const sha = shaOf(scenario);
    if (head.scenarioSha256 !== undefined && head.scenarioSha256 !== sha) {
      kept.delete(head.scenario);
      notes.push(`resume: '${head.scenario}' changed since its result (${scenario.source}); it runs again`);
      continue;
    }
    kept.set(head.scenario, ref);
  }
  for (const s of selected) {
    if (kept.has(s.id)) continue;
    const dir = join(outDir, s.id);
    if (!existsSync(dir)) continue;
    let n = 1;
    while (existsSync(`${dir}.attempt-${n}`)) n++;
    renameSync(dir, `${dir}.attempt-${n}`);
    notes.push(`resume: the evidence of the earlier, unfinished attempt at '${s.id}' is kept in ${dir}.attempt-${n}`);
  }
  const again = selected.length - kept.size;
  notes.push(`resume: ${kept.size} scenario(s) already judged in ${path} (kept), ${again} to run`);
  return { kept, notes };
}

function endsWithNewline(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
