import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario/result';
import type { Verdict } from '../scenario/judge';
import type { CatalogueRequirement } from './campaign-file';
import { baseId, globMatch } from './campaign-file';
import { traceRequirements } from './traceability';

/** A catalogue requirement with its verdict and the evidence behind it. */
export interface RequirementVerdict extends CatalogueRequirement {
  /**
   * Worst verdict of the expectations that judge it (error > fail > pass); `untested` if only skipped scenarios
   * cover it; `not covered` if nothing in the campaign judges it.
   */
  verdict: Verdict | 'untested' | 'not covered';
  evidence: Array<{ scenario: string; expectation: string; verdict: Verdict | 'skip'; link: string }>;
}

/**
 * Judge a requirement catalogue on a campaign's results. A requirement is judged by the expectations that name it
 * (an expectation's `requirement`, or every expectation of a scenario listing it in `requirements`: the same rule as
 * requirements.json) and by those its `judgedBy` patterns select (`scenario/expectation`, `scenario` alone for all
 * of a scenario's expectations; a sweep's combinations match their scenario's id). Links are relative to the
 * evidence folder: the scenario's folder where it has one, else results.jsonl; or what `outDir` gives when it is a
 * function (merged shards: a link into the shard's folder).
 */
export function judgeCatalogue(catalogue: readonly CatalogueRequirement[], results: readonly ScenarioResult[], outDir?: string | ((scenario: string) => string)): RequirementVerdict[] {
  const named = new Map(traceRequirements(results).map((t) => [t.requirement, t]));
  const link =
    typeof outDir === 'function' ? outDir : (scenario: string): string => (outDir && existsSync(join(outDir, scenario)) ? `${scenario}/` : 'results.jsonl');
  return catalogue.map((req) => {
    const evidence: RequirementVerdict['evidence'] = [];
    const seen = new Set<string>();
    const add = (scenario: string, expectation: string, verdict: Verdict | 'skip'): void => {
      const k = `${scenario}\u0000${expectation}`;
      if (seen.has(k)) return;
      seen.add(k);
      evidence.push({ scenario, expectation, verdict, link: link(scenario) });
    };
    for (const e of named.get(req.id)?.evidence ?? []) add(e.scenario, e.expectation, e.verdict);
    for (const pattern of req.judgedBy ?? []) {
      const [sp, ep] = pattern.split('/') as [string, string | undefined];
      for (const r of results) {
        if (!globMatch(sp, r.scenario) && !globMatch(sp, baseId(r.scenario))) continue;
        if (r.verdict === 'skip') add(r.scenario, '(scenario skipped)', 'skip');
        for (const e of r.expectations) if (ep === undefined || globMatch(ep, e.id)) add(r.scenario, e.id, e.verdict);
        if (r.errors.length > 0) add(r.scenario, '(harness error)', 'error');
      }
    }
    const v = evidence.map((e) => e.verdict).filter((x): x is Verdict => x !== 'skip');
    const verdict: RequirementVerdict['verdict'] =
      evidence.length === 0 ? 'not covered' : v.length === 0 ? 'untested' : v.includes('error') ? 'error' : v.includes('fail') ? 'fail' : 'pass';
    return { ...req, verdict, evidence };
  });
}

/** Write `campaign-report.json` and `campaign-report.md` (a table an auditor reads) into `dir`; returns the paths. */
export function writeCampaignReport(dir: string, campaign: { name: string; title?: string }, verdicts: readonly RequirementVerdict[], parameters: Record<string, Record<string, unknown>>): string[] {
  const json = join(dir, 'campaign-report.json');
  writeFileSync(`${json}.tmp`, `${JSON.stringify({ campaign: campaign.name, title: campaign.title ?? null, requirements: verdicts, sweeps: parameters }, null, 2)}\n`);
  renameSync(`${json}.tmp`, json);
  const md = join(dir, 'campaign-report.md');
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# Campaign ${campaign.name}${campaign.title ? `: ${campaign.title}` : ''}`,
    '',
    `${countBy(verdicts)}. Evidence links are relative to this folder; check it with \`hil verify <this folder>\`.`,
    '',
    '| Requirement | Clause | Title | Verdict | Evidence |',
    '|---|---|---|---|---|',
    ...verdicts.map(
      (r) =>
        `| ${cell(r.id)} | ${cell(r.clause)} | ${cell(r.title)} | **${r.verdict.toUpperCase()}** | ${
          r.evidence.length === 0 ? '-' : r.evidence.map((e) => `[${cell(e.scenario)}/${cell(e.expectation)}](${encodeURI(e.link)}) ${e.verdict}`).join('<br>')
        } |`,
    ),
    '',
  ];
  writeFileSync(`${md}.tmp`, lines.join('\n'));
  renameSync(`${md}.tmp`, md);
  return [json, md];
}

function countBy(verdicts: readonly RequirementVerdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
  return `${verdicts.length} requirement(s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}
