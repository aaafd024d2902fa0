import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexResultsLog, readResultAt, readResultsLog } from './results-log';

/** A result record line; `pad` makes it long (several of them cross the reader's 1 MiB chunks). */
const result = (scenario: string, pad = 0, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'result', scenario, verdict: 'pass', expectations: [], summary: `ok ${'é'.repeat(pad)}`, ...extra });

describe('results.jsonl read back in chunks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-results-log-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every record its line and byte offset across chunk boundaries, and finds a cut last line', () => {
    const lines = [
      JSON.stringify({ type: 'run', scenarios: ['a', 'b', 'c', 'd'], total: 4 }),
      result('a', 700_000), // 1.4 MB: the first chunk ends inside it
      '',
      JSON.stringify({ type: 'scenario-start', scenario: 'b' }),
      result('b', 3, { provenance: { scenario: { sha256: 'abc' } }, interrupted: { signal: 'SIGINT', atMs: 5 } }),
      'not json',
      result('c', 600_000),
      result('d').slice(0, 30), // killed mid-record
    ];
    const text = lines.join('\n');
    const file = join(dir, 'results.jsonl');
    writeFileSync(file, text);
    const log = readResultsLog(file);
    expect(log.empty).toBe(false);
    expect(log.runs.map((r) => r.line)).toEqual([1]);
    expect(log.results.map((r) => [r.result.scenario, r.line])).toEqual([
      ['a', 2],
      ['b', 5],
      ['c', 7],
    ]);
    expect(log.results[0]!.result.summary).toBe(`ok ${'é'.repeat(700_000)}`);
    expect(log.starts).toEqual([{ scenario: 'b', line: 4 }]);
    expect(log.damaged).toEqual([
      { line: 6, why: 'not a JSON record' },
      { line: 8, why: 'cut short (the writer was stopped mid-record)' },
    ]);
    expect(log.cutTail).toEqual({ line: 8, byteOffset: Buffer.byteLength(lines.slice(0, 7).join('\n') + '\n') });

    // The index keeps heads and places; each place reads back the whole result.
    const index = indexResultsLog(file);
    expect(index.damaged).toEqual(log.damaged);
    expect(index.results.map((r) => r.head)).toEqual([
      { scenario: 'a', verdict: 'pass' },
      { scenario: 'b', verdict: 'pass', interrupted: { signal: 'SIGINT', atMs: 5 }, scenarioSha256: 'abc' },
      { scenario: 'c', verdict: 'pass' },
    ]);
    for (const [i, r] of index.results.entries()) expect(readResultAt(r.ref)).toEqual(log.results[i]!.result);
    expect(index.results[2]!.ref.offset).toBe(Buffer.byteLength(lines.slice(0, 6).join('\n') + '\n'));
  });

  it('keeps a whole last record written without its newline; an empty file is empty', () => {
    const file = join(dir, 'tail.jsonl');
    writeFileSync(file, `${result('a')}\n${result('b')}`);
    const log = readResultsLog(file);
    expect(log.results.map((r) => r.line)).toEqual([1, 2]);
    expect(log.cutTail).toBeUndefined();
    writeFileSync(file, '\n  \n');
    expect(readResultsLog(file).empty).toBe(true);
  });

  it('says why a file cannot be read (exit 2), and a place that is gone', () => {
    expect(() => readResultsLog(join(dir, 'nope.jsonl'))).toThrow(/cannot read results: no such file/);
    expect(() => readResultsLog(dir)).toThrow(/a directory, not a results.jsonl file/);
    expect(() => readResultAt({ file: join(dir, 'nope.jsonl'), line: 3, offset: 0, length: 10 })).toThrow(/nope\.jsonl:3/);
  });
});
