import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';
import type { Campaign } from './campaign-file';
import { judgeCatalogue, writeCampaignReport } from './catalogue';

/**
 * The requirement catalogue of a campaign judged on the merged results of its shards (`hil campaign --shard i/n`,
 * then `hil merge ... --campaign <file> --report-dir <dir>`): one campaign-report.md/.json over every shard, each
 * evidence link pointing into the shard folder that holds the scenario's evidence (relative to `reportDir`).
 *
 * A merged catalogue must not look complete when it is not: throws `ConfigError` (nothing written) naming every
 * scenario or sweep combination of the campaign with no result in the files, and every result that is not part of
 * the campaign (results of another campaign merged by mistake). Returns the paths written.
 */
export function writeMergedCatalogue(campaign: Campaign, results: readonly ScenarioResult[], resultsFiles: readonly string[], reportDir: string): string[] {
  const wanted = new Set(campaign.scenarios.map((s) => s.id));
  const have = new Set(results.map((r) => r.scenario));
  const missing = [...wanted].filter((id) => !have.has(id));
  const foreign = [...have].filter((id) => !wanted.has(id));
  const problems = [
    ...(missing.length > 0 ? [`campaign ${campaign.file.campaign}: no result for ${missing.join(', ')} in ${resultsFiles.join(', ')}`] : []),
    ...(foreign.length > 0 ? [`campaign ${campaign.file.campaign} has no scenario ${foreign.join(', ')} (results of another campaign?)`] : []),
  ];
  if (problems.length > 0) throw new ConfigError(`${problems.join('\n  ')}; no campaign report written`);
  const link = (scenario: string): string => {
    for (const f of resultsFiles) {
      const folder = join(dirname(f), scenario);
      if (existsSync(folder)) return `${relative(reportDir, folder).split('\\').join('/')}/`;
    }
    return relative(reportDir, resultsFiles[0]!).split('\\').join('/');
  };
  const verdicts = judgeCatalogue(campaign.file.requirements, results, link);
  mkdirSync(reportDir, { recursive: true });
  return writeCampaignReport(reportDir, { name: campaign.file.campaign, ...(campaign.file.title ? { title: campaign.file.title } : {}) }, verdicts, campaign.parameters);
}
