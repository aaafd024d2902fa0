import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';
import type { Campaign } from './campaign-file';
import { writeMergedCatalogue } from './merge-catalogue';

const result = (scenario: string, verdict: 'pass' | 'fail', requirement: string): ScenarioResult =>
  ({ scenario, requirements: [], verdict, errors: [], expectations: [{ id: 'e', verdict, requirement }] }) as unknown as ScenarioResult;

const campaign = (ids: string[]): Campaign =>
  ({
    file: { campaign: 'c', bench: 'b', requirements: [{ id: 'R1', title: 't', clause: 'x' }, { id: 'R2', title: 't', clause: 'y' }] },
    source: 'c.yaml',
    scenarios: ids.map((id) => ({ id })),
    parameters: {},
    benches: {},
  }) as unknown as Campaign;

describe('the catalogue over merged shards', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-merge-cat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('links each piece of evidence into the shard folder that holds it, relative to the report', () => {
    for (const [shard, id] of [['s1', 'a'], ['s2', 'b']] as const) mkdirSync(join(dir, shard, id), { recursive: true });
    const files = [join(dir, 's1', 'results.jsonl'), join(dir, 's2', 'results.jsonl')];
    writeMergedCatalogue(campaign(['a', 'b']), [result('a', 'pass', 'R1'), result('b', 'fail', 'R1')], files, join(dir, 'report'));
    const report = JSON.parse(readFileSync(join(dir, 'report', 'campaign-report.json'), 'utf8')) as {
      requirements: Array<{ id: string; verdict: string; evidence: Array<{ link: string }> }>;
    };
    expect(report.requirements.map((r) => [r.id, r.verdict])).toEqual([
      ['R1', 'fail'],
      ['R2', 'not covered'],
    ]);
    expect(report.requirements[0]!.evidence.map((e) => e.link)).toEqual(['../s1/a/', '../s2/b/']);
  });

  it('refuses, writing nothing, when a scenario of the campaign has no result or a result is not of the campaign', () => {
    const files = [join(dir, 'results.jsonl')];
    const err = (() => {
      try {
        writeMergedCatalogue(campaign(['a', 'b', 'c']), [result('a', 'pass', 'R1'), result('z', 'pass', 'R1')], files, join(dir, 'report'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/no result for b, c in/);
    expect((err as Error).message).toMatch(/has no scenario z \(results of another campaign\?\)/);
    expect(() => readFileSync(join(dir, 'report', 'campaign-report.json'))).toThrow();
  });
});
