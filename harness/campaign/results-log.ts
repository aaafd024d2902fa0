import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';

/** The results file of a run, in its `--out` folder: what `--resume` reads and appends to. */
export const RESULTS_FILE = 'results.jsonl';

/**
 * The first record a campaign writes to `results.jsonl` (and again on each `--resume`): which run this is, so
 * `hil merge` can tell which shard a file holds and `--resume` can refuse to continue a different campaign.
 */
export interface RunRecord {
  type: 'run';
  startedAt: string;
  harnessVersion: string;
  /** The bench (absent on a merged file, whose results may come from several). */
  bench?: { name: string; file: string; sha256: string };
  /** What `--time-mode` asked for. */
  timeMode: string;
  /** `--shard i/n`; absent for an unsharded run. */
  shard?: { index: number; count: number };
  /** Number of scenarios before sharding (the same in every shard of one campaign). */
  total: number;
  /** The ids this run (this shard) selected, in order: each must end with a finished result. */
  scenarios: string[];
  /** Set on a record written by `hil run --resume`. */
  resumed?: true;
  /** Set on the record of a file written by `hil merge --out`: the files it merged. */
  merged?: string[];
}

/** A damaged line: not JSON, or a result record without its fields. */
export interface DamagedLine {
  line: number;
  why: string;
}

/** `results.jsonl` read back, every record with its line number (1-based). */
export interface ResultsLog {
  file: string;
  /** Whether the file has any record at all. */
  empty: boolean;
  runs: Array<{ record: RunRecord; line: number }>;
  results: Array<{ result: ScenarioResult; line: number }>;
  /** `scenario-start` events: the run began judging that scenario. */
  starts: Array<{ scenario: string; line: number }>;
  damaged: DamagedLine[];
  /**
   * The last line is cut (no newline at its end and not a whole record): the writer was killed mid-record. Its
   * line number is in `damaged` too; `--resume` drops it, `hil merge` refuses it.
   */
  cutTail?: { line: number; byteOffset: number };
}

/**
 * Read a results file. Never throws for its content (damaged lines are listed, with their line numbers); throws
 * `ConfigError` (exit 2) only if the file cannot be read (missing, a directory, no permission).
 */
export function readResultsLog(file: string): ResultsLog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read results: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a results.jsonl file' : (code ?? String(err))}`, file);
  }
  const log: ResultsLog = { file, empty: text.trim() === '', runs: [], results: [], starts: [], damaged: [] };
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const start = offset;
    offset += Buffer.byteLength(raw, 'utf8') + 1;
    if (!raw.trim()) return;
    const last = i === lines.length - 1; // text after the final newline: a record never finished
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(raw) as Record<string, unknown>;
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new Error('not an object');
    } catch {
      log.damaged.push({ line, why: last ? 'cut short (the writer was stopped mid-record)' : 'not a JSON record' });
      if (last) log.cutTail = { line, byteOffset: start };
      return;
    }
    if (last) {
      // A whole record without its newline: keep it, but a writer appending after it must add the newline.
      log.cutTail = undefined;
    }
    switch (rec.type) {
      case 'run':
        if (!Array.isArray(rec.scenarios)) log.damaged.push({ line, why: "a run record without 'scenarios'" });
        else log.runs.push({ record: rec as unknown as RunRecord, line });
        return;
      case 'result':
        if (typeof rec.scenario !== 'string' || typeof rec.verdict !== 'string' || !Array.isArray(rec.expectations)) {
          log.damaged.push({ line, why: 'a result record without scenario/verdict/expectations' });
          return;
        }
        {
          const { type: _type, ...result } = rec;
          log.results.push({ result: result as unknown as ScenarioResult, line });
        }
        return;
      case 'scenario-start':
        if (typeof rec.scenario === 'string') log.starts.push({ scenario: rec.scenario, line });
        return;
      default:
        return; // events, errors, controller start/exit: evidence, not needed here
    }
  });
  return log;
}

/** A result that ended on its own: not cut by a signal. */
export function isFinished(r: ScenarioResult): boolean {
  return r.interrupted === undefined;
}

/**
 * Scenarios of this file that started (or were listed by its run record) and have no finished result after their
 * last start: each with the line that shows it and why. Empty for a campaign that ran to its end.
 */
export function unfinishedScenarios(log: ResultsLog): Array<{ scenario: string; line: number; why: string }> {
  const finishedAt = new Map<string, number>();
  const interruptedAt = new Map<string, { line: number; signal: string }>();
  for (const { result, line } of log.results) {
    if (isFinished(result)) {
      finishedAt.set(result.scenario, line);
      interruptedAt.delete(result.scenario);
    } else interruptedAt.set(result.scenario, { line, signal: result.interrupted!.signal });
  }
  const out: Array<{ scenario: string; line: number; why: string }> = [];
  const seen = new Set<string>();
  for (const { scenario, line } of [...log.starts].reverse()) {
    if (seen.has(scenario)) continue;
    seen.add(scenario);
    const done = finishedAt.get(scenario);
    if (done !== undefined && done > line) continue;
    const cut = interruptedAt.get(scenario);
    out.push(
      cut && cut.line > line
        ? { scenario, line: cut.line, why: `was interrupted by ${cut.signal}` }
        : { scenario, line, why: 'started but has no result (the run was killed?)' },
    );
  }
  const lastRun = log.runs[log.runs.length - 1];
  if (lastRun) {
    for (const id of lastRun.record.scenarios) {
      if (!seen.has(id) && !finishedAt.has(id)) out.push({ scenario: id, line: lastRun.line, why: 'was selected but never started' });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
