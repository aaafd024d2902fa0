import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBench, parseBench } from '../../harness/bench/load-bench';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { builtFile, describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');

describeIf(builtFile('examples', 'controllers', 'reference', 'controller.js'), NEEDS_BUILD, 'the README scenario example', () => {
  const text = /## Scenario files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))![1]!;
  const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));

  it('is valid, passes with the reference controller, and its reaction is exercised', async () => {
    const r = await runScenario(bench, parseScenario(text, 'README.md'), { mode: 'virtual' });
    expect(r.expectations.map((e) => `${e.id}:${e.verdict}`)).toEqual([
      'stop-on-overtemp:pass',
      'charge-within-limit:pass',
      'no-illegal-writes:pass',
      'pv-used:pass',
      'final-soc:pass',
    ]);
    expect(r.expectations[0]!.reactions!.length).toBeGreaterThan(0);
  });

  it('fails a controller that ignores over-temperature, naming the expectation and the observed values', async () => {
    const r = await runScenario(bench, parseScenario(text, 'README.md'), { mode: 'virtual', dutOptions: { defects: ['ignore-overtemp'] } });
    expect(r.verdict).toBe('fail');
    expect(r.summary).toContain('stop-on-overtemp [EMS-SAFE-03]');
    expect(r.expectations[0]!.observed!['inv1.WMaxLimPct']).toBe(20);
  });

  it('takes controller options from the bench file (dut.moduleOptions)', async () => {
    const text2 = readFileSync(join(root, 'fixtures', 'benches', 'ci.yaml'), 'utf8').replace(
      '  module: dist/examples/controllers/reference/controller.js',
      '  module: dist/examples/controllers/reference/controller.js\n  moduleOptions: { defects: [ignore-overtemp] }',
    );
    expect(text2).toContain('moduleOptions');
    const withDefect = parseBench(text2, join(root, 'fixtures', 'benches', 'ci-defect.yaml'));
    const r = await runScenario(withDefect, parseScenario(text, 'README.md'), { mode: 'virtual' });
    expect(r.verdict).toBe('fail');
    expect(r.provenance!.dut).toContain('ignore-overtemp');
  });
});
