/**
 * The scale bench's day (fixtures/scenarios-bench/day-24h.yaml on fixtures/benches/scale-16x4.yaml) with the reference
 * controller in the loop, as `npm run bench:runner -- --controller` runs it: the first 75 minutes of the night. The
 * controller discharges packs 1-4 at 3 kW from midnight; pack1 (LFP, 37 %) used to be run to the BMS's 0 % cut-off
 * within the hour and `packs-alive` failed at the end of the day. It must stop at its reserve (minSoc 10 %).
 */
import { join } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { runScenario } from '../../harness/scenario/runner';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';

const controller = join(ROOT, 'dist', 'examples', 'controllers', 'reference', 'controller.js');

describeIf(builtFile('examples', 'controllers', 'reference', 'controller.js'), NEEDS_BUILD, 'day-24h on the scale bench with the reference controller', () => {
  it('the night discharge stops at the reserve: pack1 is not run flat, packs-alive holds after 75 min', async () => {
    const bench = loadBench(join(ROOT, 'fixtures', 'benches', 'scale-16x4.yaml'));
    bench.file.dut = { module: controller };
    const scenario = loadScenario(join(ROOT, 'fixtures', 'scenarios-bench', 'day-24h.yaml'));
    scenario.durationMs = 75 * 60_000; // pack1 reached 0 % at about 55 min
    let lowest = 100;
    let discharged = false;
    let pack1: { signal(name: string): number | boolean | undefined } | undefined;
    const result = await runScenario(bench, scenario, {
      mode: 'virtual',
      dutOptions: { periodMs: 1000 },
      onBench: (inst) => {
        pack1 = inst.devices.get('pack1');
      },
      progress: () => {
        const soc = Number(pack1?.signal('soc'));
        const current = Number(pack1?.signal('current'));
        lowest = Math.min(lowest, soc);
        if (current < -30) discharged = true;
      },
    });
    expect(discharged).toBe(true); // the controller does discharge at night
    const alive = result.expectations.find((e) => e.id === 'packs-alive');
    expect(alive?.verdict).toBe('pass');
    expect(lowest).toBeGreaterThan(9); // held at the reserve (10 %), within one read period
    expect(lowest).toBeLessThan(11.5);
  }, 120_000);
});
