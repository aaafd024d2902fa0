import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeResults } from './merge';

const result = (scenario: string, verdict: string) => JSON.stringify({ type: 'result', scenario, verdict, expectations: [] });

describe('mergeResults', () => {
  it('merges shards, the last result per scenario winning, and reports bad lines without failing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-merge-'));
    try {
      const a = join(dir, 'a.jsonl');
      const b = join(dir, 'b.jsonl');
      writeFileSync(a, [result('s1', 'pass'), '{"type":"event"}', result('s2', 'fail'), '{"type":"res'].join('\n'));
      writeFileSync(b, [result('s3', 'pass'), result('s2', 'pass')].join('\n'));
      const bad: string[] = [];
      const merged = mergeResults([a, b], (where) => bad.push(where));
      expect(merged.map((r) => `${r.scenario}:${r.verdict}`)).toEqual(['s1:pass', 's2:pass', 's3:pass']);
      expect(bad).toEqual([`${a}:4`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
