/**
 * The defect matrix on one bench as a jest suite (test/e2e/mixed-site-*.test.ts): every example scenario in virtual
 * time against the correct reference controller and each defect variant; the correct controller passes everything,
 * each defect fails at least one scenario on an expectation naming its symptom. The matrix is printed after.
 */
import { join, resolve } from 'node:path';
import { DEFECTS, type Defect } from '../../examples/controllers/reference/defects';
import { loadBench, type Bench } from '../../harness/bench/load-bench';
import { CORRECT, formatMatrix, loadScenarios, runDefectMatrix, verdictsByDefect, type MatrixCell } from '../../scripts/defect-matrix';

const root = resolve(__dirname, '..', '..');

/** The bench `fixtures/benches/<benchFile>` with the reference controller in process (from its TypeScript source). */
function benchWithReference(benchFile: string): Bench {
  const bench = loadBench(join(root, 'fixtures', 'benches', benchFile));
  bench.file.dut = { ...bench.file.dut, module: join(root, 'examples', 'controllers', 'reference', 'controller.ts') };
  return bench;
}

export function describeDefectMatrix(title: string, benchFile: string): void {
  describe(title, () => {
    let cells: MatrixCell[] = [];

    beforeAll(async () => {
      cells = await runDefectMatrix({ bench: benchWithReference(benchFile), scenarios: loadScenarios([join(root, 'fixtures', 'scenarios')]) });
    }, 10 * 60_000);

    afterAll(() => {
      if (cells.length > 0) process.stdout.write(`\n${formatMatrix(cells)}\n`);
    });

    it('the correct controller passes every scenario', () => {
      const correct = cells.filter((c) => c.variant === CORRECT);
      expect(correct.length).toBeGreaterThanOrEqual(13);
      expect(correct.filter((c) => c.verdict !== 'pass').map((c) => `${c.scenario}: ${c.summary}`)).toEqual([]);
    });

    it.each(Object.keys(DEFECTS) as Defect[])('defect %s is caught by an expectation naming its symptom', (defect) => {
      const v = verdictsByDefect(cells).find((d) => d.defect === defect)!;
      expect(v.caughtBy.length).toBeGreaterThan(0);
    });
  });
}
