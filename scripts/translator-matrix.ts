/**
 * The translator matrix: every scenario in fixtures/scenarios-translator on fixtures/benches/translator.yaml, in
 * virtual time, against the reference translator and each of its broken variants (examples/controllers/translator
 * /defects.ts). Prints the table and what catches each defect.
 *
 *   npm run matrix:translator
 *
 * Exit 0 when the correct translator passes everything and every defect fails an expectation that names its
 * symptom; 1 otherwise.
 */
import { join } from 'node:path';
import { packagePath } from '../core/package-root';
import { TRANSLATOR_DEFECTS, TRANSLATOR_SYMPTOMS, type TranslatorDefect } from '../examples/controllers/translator/defects';
import { loadBench, type Bench } from '../harness/bench/load-bench';
import type { Scenario } from '../harness/scenario/scenario';
import { runScenario } from '../harness/scenario/runner';
import { loadScenarios } from './defect-matrix';

export const CORRECT_TRANSLATOR = 'correct';
export type TranslatorVariant = typeof CORRECT_TRANSLATOR | TranslatorDefect;
export const TRANSLATOR_VARIANTS: readonly TranslatorVariant[] = [CORRECT_TRANSLATOR, ...(Object.keys(TRANSLATOR_DEFECTS) as TranslatorDefect[])];

export interface TranslatorCell {
  scenario: string;
  variant: TranslatorVariant;
  verdict: string;
  failed: string[];
  errors: string[];
}

/** The translator bench with the translator module given (the TS sources in tests, dist/ from the script). */
export function translatorBench(module?: string): Bench {
  const bench = loadBench(packagePath('fixtures', 'benches', 'translator.yaml'));
  if (module) bench.file.dut = { ...bench.file.dut, module };
  return bench;
}

export function translatorScenarios(): Scenario[] {
  return loadScenarios([packagePath('fixtures', 'scenarios-translator')]);
}

export async function runTranslatorMatrix(bench: Bench, scenarios: readonly Scenario[], variants = TRANSLATOR_VARIANTS): Promise<TranslatorCell[]> {
  const cells: TranslatorCell[] = [];
  for (const variant of variants) {
    for (const s of scenarios) {
      const r = await runScenario(bench, s, { mode: 'virtual', traces: false, dutOptions: variant === CORRECT_TRANSLATOR ? {} : { defect: variant } });
      cells.push({
        scenario: s.id,
        variant,
        verdict: r.verdict,
        failed: r.expectations.filter((e) => e.verdict !== 'pass').map((e) => e.id),
        errors: r.errors.map((e) => e.message),
      });
    }
  }
  return cells;
}

/** Per defect: the failing expectations that name its symptom. */
export function caughtBy(cells: readonly TranslatorCell[], defect: TranslatorDefect): string[] {
  const named = TRANSLATOR_SYMPTOMS[defect].expectations;
  return cells.filter((c) => c.variant === defect).flatMap((c) => c.failed.filter((id) => named.includes(id)).map((id) => `${c.scenario}/${id}`));
}

export function formatTranslatorMatrix(cells: readonly TranslatorCell[]): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const variants = TRANSLATOR_VARIANTS.filter((v) => cells.some((c) => c.variant === v));
  const text = (c: TranslatorCell | undefined): string =>
    !c ? '-' : c.verdict === 'pass' ? 'PASS' : `${c.verdict} ${c.failed[0] ?? c.errors[0]?.slice(0, 30) ?? '?'}${c.failed.length > 1 ? ` +${c.failed.length - 1}` : ''}`;
  const rows = scenarios.map((s) => [s, ...variants.map((v) => text(cells.find((c) => c.scenario === s && c.variant === v)))]);
  const head = ['scenario \\ translator', ...variants];
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (r: string[]): string => r.map((x, j) => x.padEnd(widths[j]!)).join(' | ').trimEnd();
  const out = [line(head), line(head).replace(/[^|]/g, '-'), ...rows.map(line), '', 'What catches each defect (symptom: failing expectations):'];
  for (const v of variants) {
    if (v === CORRECT_TRANSLATOR) {
      const mine = cells.filter((c) => c.variant === v);
      out.push(`  ${v.padEnd(20)} ${mine.filter((c) => c.verdict === 'pass').length}/${mine.length} scenarios pass`);
    } else {
      const by = caughtBy(cells, v);
      out.push(`  ${v.padEnd(20)} ${TRANSLATOR_SYMPTOMS[v].symptom}: ${by.length > 0 ? by.join(', ') : 'NOT CAUGHT'}`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const start = Date.now();
  const cells = await runTranslatorMatrix(translatorBench(join(__dirname, '..', 'examples', 'controllers', 'translator', 'controller.js')), translatorScenarios());
  process.stdout.write(`${formatTranslatorMatrix(cells)}\n(${cells.length} runs in ${((Date.now() - start) / 1000).toFixed(1)} s)\n`);
  const ok =
    cells.filter((c) => c.variant === CORRECT_TRANSLATOR).every((c) => c.verdict === 'pass') &&
    (Object.keys(TRANSLATOR_DEFECTS) as TranslatorDefect[]).every((d) => caughtBy(cells, d).length > 0);
  process.exit(ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`translator-matrix: ${(err as Error).message}`);
    process.exit(3);
  });
}
