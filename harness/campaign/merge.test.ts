import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { mergeResults, resumeHint } from './merge';

const result = (scenario: string, verdict: string, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'result', scenario, verdict, expectations: [], ...extra });
const start = (scenario: string) => JSON.stringify({ type: 'scenario-start', scenario });
const run = (scenarios: string[], shard?: [number, number], total = 6) =>
  JSON.stringify({ type: 'run', scenarios, total, timeMode: 'virtual', ...(shard ? { shard: { index: shard[0], count: shard[1] } } : {}) });

describe('mergeResults', () => {
  let dir: string;
  let n = 0;
  const file = (...lines: string[]): string => {
    const p = join(dir, `r${++n}.jsonl`);
    writeFileSync(p, lines.join('\n') + (lines.length ? '\n' : ''));
    return p;
  };
  const refusal = (files: string[]): string => {
    try {
      mergeResults(files);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('merge did not refuse');
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-merge-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges complete shards, the last result per scenario winning (a re-run replaces a verdict)', () => {
    const a = file(run(['s1', 's2'], [1, 2], 4), start('s1'), result('s1', 'pass'), start('s2'), result('s2', 'fail'));
    const b = file(run(['s3', 's4'], [2, 2], 4), start('s3'), result('s3', 'pass'), start('s4'), result('s4', 'pass'));
    const rerun = file(run(['s2']), start('s2'), result('s2', 'pass'));
    expect(mergeResults([a, b, rerun]).map((r) => `${r.scenario}:${r.verdict}`)).toEqual(['s1:pass', 's2:pass', 's3:pass', 's4:pass']);
  });

  it('accepts files written before run records existed (no shard information)', () => {
    const old = file(result('s1', 'pass'), '{"type":"event"}', result('s2', 'skip'));
    expect(mergeResults([old]).map((r) => r.scenario)).toEqual(['s1', 's2']);
  });

  it('refuses an empty file and a file without results', () => {
    const empty = file();
    expect(refusal([empty])).toBe(`${empty}: empty: no results in it (did that run start, with --out?)`);
    const eventsOnly = file('{"type":"event","scenario":"x"}');
    expect(refusal([eventsOnly])).toBe(`${eventsOnly}: no result records in it`);
    expect(refusal([])).toContain('no results files given');
  });

  it('refuses a damaged record, naming file:line (a cut last line suggests --resume)', () => {
    const bad = file(run(['s1', 's2']), result('s1', 'pass'), '{"type":"result", oops', result('s2', 'pass'));
    expect(refusal([bad])).toBe(`${bad}:3: damaged record: not a JSON record`);
    const p = join(dir, 'results.jsonl');
    writeFileSync(p, [run(['s1']), start('s1'), '{"type":"result","scen'].join('\n'));
    const msg = refusal([p]);
    expect(msg).toContain(`${p}:3: damaged record: cut short (the writer was stopped mid-record); continue that run with hil run --resume --out ${dir}`);
    expect(msg).toContain(`${p}:2: scenario 's1' started but has no result`);
    const fieldless = file(run(['s1']), '{"type":"result","scenario":"s1"}');
    expect(refusal([fieldless])).toContain(`${fieldless}:2: damaged record: a result record without scenario/verdict/expectations`);
  });

  it('names the folder to resume only when the file is still results.jsonl (resume reads <dir>/results.jsonl)', () => {
    // Renamed (a CI artifact) or merged output: the file's name is not a folder; the old hint said '--out <file>' or
    // cut 'myresults.jsonl' to 'my'.
    const renamed = file(run(['s1', 's2']), start('s1'), result('s1', 'pass'), start('s2'));
    const msg = refusal([renamed]);
    expect(msg).toContain(`${renamed}:4: scenario 's2' started but has no result (the run was killed?); continue that run with hil run --resume --out <dir>, <dir> being the run's --out folder (--resume reads <dir>/results.jsonl; this file is named '${basename(renamed)}')`);
    expect(msg).not.toContain(`--out ${renamed}`);
    expect(resumeHint('out/myresults.jsonl')).toContain("this file is named 'myresults.jsonl'");
    expect(resumeHint('results.jsonl')).toBe('continue that run with hil run --resume --out .');
    expect(resumeHint('/ci/shard 2/results.jsonl')).toBe("continue that run with hil run --resume --out '/ci/shard 2'");
    expect(resumeHint('runs/a/results.jsonl')).toBe('continue that run with hil run --resume --out runs/a');
  });

  it('refuses a shard with a scenario started but unfinished, interrupted, or never started', () => {
    const killed = file(run(['s1', 's2', 's3']), start('s1'), result('s1', 'pass'), start('s2'));
    const msg = refusal([killed]);
    expect(msg).toContain(`${killed}:4: scenario 's2' started but has no result (the run was killed?)`);
    expect(msg).toContain(`${killed}:1: scenario 's3' was selected but never started`);
    const cut = file(run(['s1']), start('s1'), result('s1', 'error', { interrupted: { signal: 'SIGTERM', atMs: 1200 } }));
    expect(refusal([cut])).toContain(`${cut}:3: scenario 's1' was interrupted by SIGTERM`);
    // Resumed in the same file: the later finished result counts.
    const resumed = file(run(['s1']), start('s1'), result('s1', 'error', { interrupted: { signal: 'SIGINT', atMs: 5 } }), run(['s1']), start('s1'), result('s1', 'pass'));
    expect(mergeResults([resumed]).map((r) => `${r.scenario}:${r.verdict}`)).toEqual(['s1:pass']);
  });

  it('refuses a missing shard, and shards of different splits', () => {
    const s1 = file(run(['a'], [1, 3]), start('a'), result('a', 'pass'));
    const s3 = file(run(['c'], [3, 3]), start('c'), result('c', 'pass'));
    expect(refusal([s1, s3])).toBe(`missing shard(s) 2/3: have 1/3 (${s1}), 3/3 (${s3})`);
    const other = file(run(['b'], [2, 4]), start('b'), result('b', 'pass'));
    expect(refusal([s1, other])).toContain('shards of different splits: 1/3');
    const s2 = file(run(['b'], [2, 3]), start('b'), result('b', 'pass'));
    expect(mergeResults([s1, s2, s3])).toHaveLength(3);
    const s2other = file(run(['b'], [2, 3], 99), start('b'), result('b', 'pass'));
    expect(refusal([s1, s2other, s3])).toContain('shards of different campaigns');
  });
});
