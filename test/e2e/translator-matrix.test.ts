/**
 * Proof that the translator bench catches bad translators (issue 14): every scenario in fixtures/scenarios-translator
 * runs in virtual time against the reference translator and each broken variant. The correct translator passes
 * everything; each defect fails at least one scenario on an expectation that names its symptom. The table is printed
 * at the end (the same as `npm run matrix:translator`).
 */
import { join, resolve } from 'node:path';
import { TRANSLATOR_DEFECTS, type TranslatorDefect } from '../../examples/controllers/translator/defects';
import {
  CORRECT_TRANSLATOR,
  TRANSLATOR_VARIANTS,
  caughtBy,
  formatTranslatorMatrix,
  runTranslatorMatrix,
  translatorBench,
  translatorScenarios,
  type TranslatorCell,
} from '../../scripts/translator-matrix';

const root = resolve(__dirname, '..', '..');
const DEFECTS = Object.keys(TRANSLATOR_DEFECTS) as TranslatorDefect[];

describe('translator scenarios', () => {
  it('are at least 8 stories with titles, descriptions and requirements, every expectation traced', () => {
    const scenarios = translatorScenarios();
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
    for (const s of scenarios) {
      expect({ id: s.id, title: s.title !== s.id, description: (s.description ?? '').length > 80, requirements: s.requirements.length }).toEqual(
        expect.objectContaining({ id: s.id, title: true, description: true }),
      );
      for (const e of s.expectations) expect({ scenario: s.id, id: e.id, traced: e.requirement !== undefined }).toEqual({ scenario: s.id, id: e.id, traced: true });
    }
  });
});

describe('translator matrix (virtual time, every scenario x the correct translator and each defect)', () => {
  let cells: TranslatorCell[] = [];
  beforeAll(async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      cells = await runTranslatorMatrix(translatorBench(join(root, 'examples', 'controllers', 'translator', 'controller.ts')), translatorScenarios());
    } finally {
      process.chdir(cwd);
    }
  }, 10 * 60_000);

  afterAll(() => {
    if (cells.length > 0) process.stdout.write(`\n${formatTranslatorMatrix(cells)}\n`);
  });

  it('ran every scenario with every variant', () => {
    expect(new Set(cells.map((c) => c.variant))).toEqual(new Set(TRANSLATOR_VARIANTS));
    expect(cells.length).toBe(translatorScenarios().length * TRANSLATOR_VARIANTS.length);
  });

  it('the correct translator passes every scenario', () => {
    expect(cells.filter((c) => c.variant === CORRECT_TRANSLATOR && c.verdict !== 'pass').map((c) => `${c.scenario}: ${c.failed.join(', ')} ${c.errors.join('; ')}`)).toEqual([]);
  });

  it.each(DEFECTS)('%s fails at least one scenario on an expectation that names its symptom', (defect) => {
    expect({ defect, caughtBy: caughtBy(cells, defect).length > 0 }).toEqual({ defect, caughtBy: true });
    expect(cells.filter((c) => c.variant === defect).every((c) => c.errors.length === 0)).toBe(true);
  });
});
