import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';
import { digestResult } from './result-digest';

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

/** `results.jsonl` read back, every record with its line number (1-based); `R`: what is kept of each result. */
export interface ResultsLogOf<R> {
  file: string;
  /** Whether the file has any record at all. */
  empty: boolean;
  runs: Array<{ record: RunRecord; line: number }>;
  results: R[];
  /** `scenario-start` events: the run began judging that scenario. */
  starts: Array<{ scenario: string; line: number }>;
  damaged: DamagedLine[];
  /**
   * The last line is cut (no newline at its end and not a whole record): the writer was killed mid-record. Its
   * line number is in `damaged` too; `--resume` drops it, `hil merge` refuses it.
   */
  cutTail?: { line: number; byteOffset: number };
}

/** The file read back with every result whole. */
export type ResultsLog = ResultsLogOf<{ result: ScenarioResult; line: number }>;

/** Where a result record is in its file: enough to read it again, whole, when it is needed (`readResultAt`). */
export interface ResultRef {
  file: string;
  line: number;
  /** Byte offset of the line and its length in bytes (without the newline). */
  offset: number;
  length: number;
}

/** What `--resume` needs of a result to decide about it, without the result. */
export interface ResultHead {
  scenario: string;
  verdict: ScenarioResult['verdict'];
  interrupted?: ScenarioResult['interrupted'];
  /** The SHA-256 of the scenario file that produced it (its provenance), if recorded. */
  scenarioSha256?: string;
}

/** The file read back with each result as its head and where to read it: memory does not grow with its results. */
export type ResultsIndex = ResultsLogOf<{ head: ResultHead; ref: ResultRef }>;

/**
 * Read a results file. Never throws for its content (damaged lines are listed, with their line numbers); throws
 * `ConfigError` (exit 2) only if the file cannot be read (missing, a directory, no permission).
 */
export function readResultsLog(file: string): ResultsLog {
  return parseResultsLog(file, (result, ref) => ({ result, line: ref.line }));
}

/**
 * {@link readResultsLog} keeping of each result only its head and where it is (a campaign of thousands of results
 * resumed: each kept result is read again when it is rendered into the reports, then dropped).
 */
export function indexResultsLog(file: string): ResultsIndex {
  return parseResultsLog(file, (result, ref) => ({
    head: {
      scenario: result.scenario,
      verdict: result.verdict,
      ...(result.interrupted ? { interrupted: result.interrupted } : {}),
      ...(result.provenance?.scenario?.sha256 !== undefined ? { scenarioSha256: result.provenance.scenario.sha256 } : {}),
    },
    ref,
  }));
}

/**
 * {@link readResultsLog} keeping of each result its digest (`digestResult`) and where it is: what `hil merge` judges
 * and counts with, reading each result again only to write it out.
 */
export function digestResultsLog(file: string): ResultsLogOf<{ result: ScenarioResult; line: number; ref: ResultRef }> {
  return parseResultsLog(file, (result, ref) => ({ result: digestResult(result), line: ref.line, ref }));
}

/** The result a {@link ResultRef} points at, read again. Throws `ConfigError` if it is not there any more. */
export function readResultAt(ref: ResultRef): ScenarioResult {
  const buf = Buffer.alloc(ref.length);
  let fd: number | undefined;
  try {
    fd = openSync(ref.file, 'r');
    readSync(fd, buf, 0, ref.length, ref.offset);
    const { type: _type, ...result } = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    return result as unknown as ScenarioResult;
  } catch (err) {
    throw new ConfigError(`cannot read the result again: ${(err as Error).message}`, `${ref.file}:${ref.line}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function parseResultsLog<R>(file: string, keep: (result: ScenarioResult, ref: ResultRef) => R): ResultsLogOf<R> {
  const log: ResultsLogOf<R> = { file, empty: true, runs: [], results: [], starts: [], damaged: [] };
  scanLines(file, (raw, line, start, last, bytes) => {
    if (!raw.trim()) return;
    log.empty = false;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(raw) as Record<string, unknown>;
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new Error('not an object');
    } catch {
      log.damaged.push({ line, why: last ? 'cut short (the writer was stopped mid-record)' : 'not a JSON record' });
      if (last) log.cutTail = { line, byteOffset: start };
      return;
    }
    // A whole record without its newline (last) is kept, but a writer appending after it must add the newline.
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
          log.results.push(keep(result as unknown as ScenarioResult, { file, line, offset: start, length: bytes }));
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

const CHUNK = 1 << 20;

/**
 * Each line of a file in turn (1-based line number, byte offset of its start, whether it is text after the last
 * newline, its length in bytes), read in 1 MiB chunks: the file is never in memory whole. Throws `ConfigError` if it cannot be read.
 */
function scanLines(file: string, visit: (raw: string, line: number, offset: number, last: boolean, bytes: number) => void): void {
  let fd: number;
  const fail = (err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read results: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a results.jsonl file' : (code ?? String(err))}`, file);
  };
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return fail(err);
  }
  try {
    const buf = Buffer.alloc(CHUNK);
    let pending: Buffer[] = [];
    let line = 0;
    let offset = 0; // of the pending line's start
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (err) {
        return fail(err);
      }
      if (n === 0) break;
      let from = 0;
      for (let nl = buf.indexOf(0x0a, 0); nl >= 0 && nl < n; nl = buf.indexOf(0x0a, from)) {
        // A line within this chunk is decoded where it lies; one begun in an earlier chunk is joined first.
        let text: string;
        let length: number;
        if (pending.length === 0) {
          text = buf.toString('utf8', from, nl);
          length = nl - from;
        } else {
          pending.push(buf.subarray(from, nl));
          const bytes = Buffer.concat(pending);
          text = bytes.toString('utf8');
          length = bytes.length;
          pending = [];
        }
        visit(text, ++line, offset, false, length);
        offset += length + 1;
        from = nl + 1;
      }
      if (from < n) pending.push(Buffer.from(buf.subarray(from, n)));
    }
    // Text after the last newline: a record never finished, or one written without its newline.
    const rest = Buffer.concat(pending);
    visit(rest.toString('utf8'), ++line, offset, true, rest.length);
  } finally {
    closeSync(fd);
  }
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
