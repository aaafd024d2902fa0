/**
 * The translator with an aftermarket BMS on its pack side (fixtures/benches/translator-orion.yaml: an Orion BMS 2 on
 * its Victron-compatible CAN): the reference translator passes the Orion scenarios in virtual time, and the
 * stale-limits variant is caught by the silent-BMS story.
 */
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { runScenario } from '../../harness/scenario/runner';
import { loadScenarios } from '../../scripts/defect-matrix';

const root = resolve(__dirname, '..', '..');

function bench() {
  const b = loadBench(join(root, 'fixtures', 'benches', 'translator-orion.yaml'));
  b.file.dut = { ...b.file.dut, module: join(root, 'examples', 'controllers', 'translator', 'controller.ts') };
  return b;
}

describe('translator with an Orion BMS 2 on the pack side', () => {
  const scenarios = loadScenarios([join(root, 'fixtures', 'scenarios-translator-orion')]);

  it('the reference translator passes every Orion scenario', async () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
    for (const s of scenarios) {
      const r = await runScenario(bench(), s, { mode: 'virtual', traces: false });
      expect({ scenario: s.id, errors: r.errors.map((e) => e.message), failed: r.expectations.filter((e) => e.verdict !== 'pass').map((e) => e.id) }).toEqual({
        scenario: s.id,
        errors: [],
        failed: [],
      });
    }
  }, 60_000);

  it('stale-limits is caught: the inverter keeps discharging a pack whose BMS went silent', async () => {
    const s = scenarios.find((x) => x.id === 'orion-pack-silent')!;
    const r = await runScenario(bench(), s, { mode: 'virtual', traces: false, dutOptions: { defect: 'stale-limits' } });
    expect(r.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['limits-zeroed-when-pack-silent']);
  }, 60_000);
});
