import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../report/result';

/**
 * Read the results of one or more runs (`results.jsonl` from `hil run --out`, e.g. one per CI shard) and merge
 * them: one result per scenario id, the last one seen winning (a re-run after a fix replaces the earlier verdict),
 * in the order scenarios first appeared. Bad lines are reported with file:line and skipped, never fatal.
 */
export function mergeResults(files: string[], onBadLine: (where: string, why: string) => void = () => undefined): ScenarioResult[] {
  const byId = new Map<string, ScenarioResult>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read results: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, file);
    }
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let rec: { type?: string } & Partial<ScenarioResult>;
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        onBadLine(`${file}:${i + 1}`, 'not JSON (a run cut short?)');
        return;
      }
      if (rec.type !== 'result') return;
      if (typeof rec.scenario !== 'string' || !rec.verdict || !Array.isArray(rec.expectations)) {
        onBadLine(`${file}:${i + 1}`, 'a result record without scenario/verdict/expectations');
        return;
      }
      const { type: _t, ...result } = rec;
      byId.set(rec.scenario, result as ScenarioResult);
    });
  }
  return [...byId.values()];
}
