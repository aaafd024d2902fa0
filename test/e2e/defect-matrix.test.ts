/**
 * Proof that the harness catches bad controllers (issue 7): every example scenario in fixtures/scenarios runs on the
 * CI bench in virtual time against the reference controller and against each of its defect variants. The correct
 * controller passes everything; each defect fails at least one scenario on an expectation that names its symptom.
 * The matrix is printed once at the end (the same table as `npm run matrix`).
 */
import { join, resolve } from 'node:path';
import { DEFECTS, type Defect } from '../../examples/controllers/reference/defects';
import { loadBench, type Bench } from '../../harness/bench/load-bench';
import type { Scenario } from '../../harness/scenario/scenario';
import { CORRECT, SYMPTOMS, VARIANTS, formatMatrix, loadScenarios, runDefectMatrix, verdictsByDefect, type MatrixCell } from '../../scripts/defect-matrix';

const root = resolve(__dirname, '..', '..');
const DEFECT_NAMES = Object.keys(DEFECTS) as Defect[];

/** The CI bench with the controller loaded from its sources (not from a dist/ build that may be stale). */
function ciBench(): Bench {
  const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
  bench.file.dut = { ...bench.file.dut, module: join(root, 'examples', 'controllers', 'reference', 'controller.ts') };
  return bench;
}

describe('example scenarios', () => {
  const scenarios = loadScenarios([join(root, 'fixtures', 'scenarios')]);

  it('are at least 13 stories, each with a title, a description and requirement references', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
    for (const s of scenarios) {
      expect({ id: s.id, title: s.title !== s.id, description: (s.description ?? '').length > 80, requirements: s.requirements.length > 0 }).toEqual({
        id: s.id,
        title: true,
        description: true,
        requirements: true,
      });
      for (const e of s.expectations) expect({ scenario: s.id, id: e.id, requirement: e.requirement !== undefined }).toEqual({ scenario: s.id, id: e.id, requirement: true });
    }
  });

  it('one is the real-time demo: short, any time mode, tagged demo-realtime', () => {
    const demo = scenarios.filter((s: Scenario) => s.tags.includes('demo-realtime'));
    expect(demo.map((s) => s.id)).toEqual(['overtemp-fast-charge']);
    expect(demo[0]!.timeMode).toBe('any');
    expect(demo[0]!.durationMs).toBeLessThanOrEqual(30_000);
  });
});

describe('defect matrix (virtual time, every scenario x the correct controller and each defect)', () => {
  let cells: MatrixCell[] = [];
  let wallMs = 0;

  beforeAll(async () => {
    const start = Date.now();
    cells = await runDefectMatrix({ bench: ciBench(), scenarios: loadScenarios([join(root, 'fixtures', 'scenarios')]) });
    wallMs = Date.now() - start;
  }, 10 * 60_000);

  afterAll(() => {
    if (cells.length > 0) process.stdout.write(`\n${formatMatrix(cells)}\n(${cells.length} runs in ${(wallMs / 1000).toFixed(1)} s)\n`);
  });

  it('ran every scenario with every variant', () => {
    const scenarios = new Set(cells.map((c) => c.scenario));
    expect(cells.length).toBe(scenarios.size * VARIANTS.length);
    expect(new Set(cells.map((c) => c.variant))).toEqual(new Set([CORRECT, ...DEFECT_NAMES]));
  });

  it('the correct controller passes every scenario', () => {
    const bad = cells.filter((c) => c.variant === CORRECT && c.verdict !== 'pass').map((c) => `${c.scenario}: ${c.verdict}: ${c.summary}`);
    expect(bad).toEqual([]);
  });

  it.each(DEFECT_NAMES)('%s fails at least one scenario, on an expectation that names its symptom', (defect) => {
    const failed = cells.filter((c) => c.variant === defect && c.verdict !== 'pass');
    expect(failed.length).toBeGreaterThan(0);
    const caught = verdictsByDefect(cells).find((d) => d.defect === defect)!;
    // e.g. ignore-overtemp -> an 'overtemp' expectation; slow-reaction -> "did not hold within 1500 ms"
    expect({ defect, symptom: SYMPTOMS[defect].symptom, caught: caught.caughtBy.length > 0 }).toEqual({ defect, symptom: SYMPTOMS[defect].symptom, caught: true });
  });

  it('slow-reaction is told apart from a missing reaction: it fails only deadlines, never the final state', () => {
    const slow = cells.filter((c) => c.variant === 'slow-reaction' && c.verdict !== 'pass');
    const notDeadlines = slow.flatMap((c) => c.failures.filter((f) => !/did not hold within/.test(f.message) && !/invariant .* was violated for more than/.test(f.message)).map((f) => `${c.scenario}/${f.id}: ${f.message}`));
    expect(notDeadlines).toEqual([]);
  });
});
