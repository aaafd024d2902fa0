import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { loadBench, type Bench } from '../../bench/load-bench';
import { formatProblem, problemsOf } from '../../config/problems';
import { loadScenario } from '../../scenario/load-scenario';
import { checkScenarioAgainstBench } from '../../scenario/runner';
import type { Scenario } from '../../scenario/scenario';

/** Expand arguments: files as given, directories to their `*.yaml`/`*.yml` files (sorted). */
export function expandScenarioPaths(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new ConfigError(`no such file or directory: ${a}`);
    if (statSync(a).isDirectory()) {
      out.push(...readdirSync(a).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(a, f)));
    } else out.push(a);
  }
  if (out.length === 0) throw new ConfigError(`no scenario files in ${args.join(', ')}`);
  return out;
}

/**
 * Load every scenario and check it against the bench before anything runs. Collects every problem (not only the
 * first) and throws one `ConfigError` listing them, so a user fixes all files in one go.
 */
export async function loadAndCheck(bench: Bench, paths: string[]): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  const ids = new Map<string, string>();
  for (const p of paths) {
    try {
      const s = loadScenario(p);
      await checkScenarioAgainstBench(bench, s);
      const other = ids.get(s.id);
      if (other) throw new ConfigError(`scenario id '${s.id}' is also used by ${other}`, p);
      ids.set(s.id, p);
      scenarios.push(s);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...problemsOf(err).map(formatProblem));
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
  return scenarios;
}

export function loadBenchArg(path: string | undefined): Bench {
  if (!path) throw new ConfigError('--bench <file> is required (e.g. fixtures/benches/ci.yaml)');
  return loadBench(path);
}

/** `i/n` for --shard. */
export function parseShard(s: string | undefined): { index: number; count: number } | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new ConfigError(`--shard '${s}': expected i/n with 1 <= i <= n`);
  return { index, count };
}
