/**
 * The defect matrix on a mixed site (fixtures/benches/mixed.yaml): one SunSpec hybrid and one Sungrow SH-RT on its
 * own vendor map, driven by the reference controller's SunSpec link and Sungrow driver. Every example scenario runs
 * in virtual time against the correct controller and each defect variant: the correct controller passes everything,
 * each defect fails at least one scenario on an expectation naming its symptom.
 */
import { join, resolve } from 'node:path';
import { DEFECTS, type Defect } from '../../examples/controllers/reference/defects';
import { loadBench, type Bench } from '../../harness/bench/load-bench';
import { CORRECT, formatMatrix, loadScenarios, runDefectMatrix, verdictsByDefect, type MatrixCell } from '../../scripts/defect-matrix';

const root = resolve(__dirname, '..', '..');

function mixedBench(): Bench {
  const bench = loadBench(join(root, 'fixtures', 'benches', 'mixed.yaml'));
  bench.file.dut = { ...bench.file.dut, module: join(root, 'examples', 'controllers', 'reference', 'controller.ts') };
  return bench;
}

describe('defect matrix on the mixed site (SunSpec + Sungrow vendor map, virtual time)', () => {
  let cells: MatrixCell[] = [];

  beforeAll(async () => {
    cells = await runDefectMatrix({ bench: mixedBench(), scenarios: loadScenarios([join(root, 'fixtures', 'scenarios')]) });
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
