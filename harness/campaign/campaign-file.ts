import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { readYamlSource, validateSource } from '../config/yaml-file';
import { loadBench, type Bench } from '../bench/load-bench';
import { loadScenario } from '../scenario/load-scenario';
import { checkScenarioAgainstBench } from '../scenario/runner';
import type { Scenario } from '../scenario/scenario';
import { campaignSchema } from './campaign-schema';
import { expandSweep } from './sweep';

/** A requirement of the catalogue. `judgedBy`: `scenario/expectation` patterns (`*` matches any run of characters). */
export interface CatalogueRequirement {
  id: string;
  title: string;
  clause: string;
  judgedBy?: string[];
}

/** A campaign file as written (after schema validation). */
export interface CampaignFile {
  campaign: string;
  title?: string;
  description?: string;
  bench: string;
  scenarios?: Array<string | { path: string; tags?: string[] }>;
  sweeps?: Array<{ scenario: string; matrix: Record<string, Array<number | string | boolean>> }>;
  requirements: CatalogueRequirement[];
}

/** A loaded campaign: the bench, every scenario to run (sweep combinations included), the catalogue. */
export interface Campaign {
  file: CampaignFile;
  source: string;
  bench: Bench;
  scenarios: Scenario[];
  /** Sweep combinations: result id -> its parameters. */
  parameters: Record<string, Record<string, number | string | boolean>>;
  /** Sweep combinations with bench parameters (`pack2.pack`): result id -> the bench variant it runs on. */
  benches: Record<string, Bench>;
}

/**
 * Load and check a campaign file: schema (file:line:column), the bench, every scenario file and glob (a glob or a tag
 * filter that selects nothing is an error), every sweep combination checked against the bench, ids unique, every
 * requirement id unique. Paths are relative to the campaign file. Throws one `ConfigError` listing every problem.
 */
export async function loadCampaign(path: string): Promise<Campaign> {
  const src = readYamlSource(path);
  const file = validateSource<CampaignFile>(src, campaignSchema, 'campaign');
  const base = dirname(path);
  const problems: string[] = [];
  const at = (p: string): string => src.locate(p);
  const seenReq = new Map<string, string>();
  file.requirements.forEach((r, i) => {
    const other = seenReq.get(r.id);
    if (other) problems.push(`${at(`/requirements/${i}/id`)}: requirement '${r.id}' is also defined at ${other}`);
    seenReq.set(r.id, at(`/requirements/${i}/id`));
  });
  let bench: Bench;
  try {
    bench = loadBench(resolve(base, file.bench));
  } catch (err) {
    throw new ConfigError(`${at('/bench')}: bench: ${(err as Error).message}`);
  }
  const scenarios: Scenario[] = [];
  const parameters: Campaign['parameters'] = {};
  const benches: Campaign['benches'] = {};
  const ids = new Map<string, string>();
  const add = async (s: Scenario, where: string, on: Bench = bench): Promise<void> => {
    const other = ids.get(s.id);
    if (other) {
      if (other === s.source) return; // the same file selected twice (two globs): run once
      throw new ConfigError(`scenario id '${s.id}' is also used by ${other}`, where);
    }
    await checkScenarioAgainstBench(on, s);
    ids.set(s.id, s.source);
    scenarios.push(s);
  };
  for (const [i, entry] of (file.scenarios ?? []).entries()) {
    const pattern = typeof entry === 'string' ? entry : entry.path;
    const tags = typeof entry === 'string' ? undefined : entry.tags;
    const where = at(`/scenarios/${i}`);
    try {
      const files = expandGlob(resolve(base, pattern));
      if (files.length === 0) throw new ConfigError(`'${pattern}' matches no scenario file`, where);
      const loaded = files.map((f) => loadScenario(f)).filter((s) => !tags || s.tags.some((t) => tags.includes(t)));
      if (loaded.length === 0) throw new ConfigError(`'${pattern}' has no scenario tagged ${tags!.join(' or ')}`, where);
      for (const s of loaded) await add(s, where);
    } catch (err) {
      collect(err, problems);
    }
  }
  for (const [i, sweep] of (file.sweeps ?? []).entries()) {
    try {
      const baseScenario = loadScenario(resolve(base, sweep.scenario));
      for (const v of expandSweep(baseScenario, sweep.matrix, bench, (k) => at(`/sweeps/${i}/matrix/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))) {
        parameters[v.scenario.id] = v.parameters;
        if (v.bench !== bench) benches[v.scenario.id] = v.bench;
        await add(v.scenario, at(`/sweeps/${i}`), v.bench);
      }
    } catch (err) {
      collect(err, problems);
    }
  }
  if (problems.length === 0 && scenarios.length === 0) problems.push(`${at('/')}: the campaign selects no scenario (give 'scenarios' or 'sweeps')`);
  for (const [i, r] of file.requirements.entries()) {
    for (const [j, p] of (r.judgedBy ?? []).entries()) {
      const scen = p.split('/')[0]!;
      if (!scenarios.some((s) => globMatch(scen, s.id) || globMatch(scen, baseId(s.id)))) {
        problems.push(`${at(`/requirements/${i}/judgedBy/${j}`)}: '${p}' names no scenario of this campaign`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`campaign ${path}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  return { file, source: path, bench, scenarios, parameters, benches };
}

function collect(err: unknown, problems: string[]): void {
  if (!(err instanceof ConfigError)) throw err;
  problems.push(err.message);
}

/** The scenario a sweep combination came from (`overtemp@ambient=40` -> `overtemp`). */
export function baseId(id: string): string {
  const i = id.indexOf('@');
  return i < 0 ? id : id.slice(0, i);
}

/** `*` matches any run of characters, `?` one; everything else literally. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

/** A file, a directory (its *.yaml), or a glob in the last path component (`dir/*-thermal.yaml`). Sorted. */
export function expandGlob(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) {
    if (!existsSync(pattern)) throw new ConfigError(`no such file or directory: ${pattern}`);
    if (statSync(pattern).isDirectory()) return [...expandGlob(join(pattern, '*.yaml')), ...expandGlob(join(pattern, '*.yml'))].sort();
    return [pattern];
  }
  const dir = dirname(pattern);
  if (/[*?]/.test(dir)) throw new ConfigError(`'${pattern}': wildcards are allowed in the file name only`);
  if (!existsSync(dir)) throw new ConfigError(`no such directory: ${dir}`);
  const name = basename(pattern);
  return readdirSync(dir)
    .filter((f) => globMatch(name, f))
    .sort()
    .map((f) => join(dir, f));
}
