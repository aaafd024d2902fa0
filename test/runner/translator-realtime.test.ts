/**
 * The translator bench in real time over the wire: the reference translator as its own process
 * (dist/examples/controllers/translator/main.js) reaches the Leaf pack's EV-CAN and the inverter's battery CAN through
 * the bench's socketcand hub, and is judged on the pack-silent scenario. Also: its command line refuses bad input
 * with exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const main = join(root, 'dist', 'examples', 'controllers', 'translator', 'main.js');

describeIf(existsSync(main), NEEDS_BUILD, 'translator in real time (its own process, socketcand)', () => {
  it('pack goes silent: the translator stops the inverter within its timeout', async () => {
    const cwd = process.cwd();
    process.chdir(root); // the bench names the translator relative to the package
    try {
      const r = await runScenario(loadBench(join(root, 'fixtures', 'benches', 'translator.yaml')), loadScenario(join(root, 'fixtures', 'scenarios-translator', 'translator-pack-silent.yaml')), {
        mode: 'real',
      });
      expect(r.errors).toEqual([]);
      expect(r.provenance!.dut).toContain('translator/main.js');
      expect(r.expectations.filter((e) => e.verdict !== 'pass').map((e) => `${e.id}: ${e.message ?? ''}`)).toEqual([]);
      expect(r.verdict).toBe('pass');
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);

  it('exits 2 with a message for bad arguments and an unknown defect', () => {
    const noInv = spawnSync(process.execPath, [main, '--pack', 'pack1=virtual:x'], { encoding: 'utf8' });
    expect(noInv.status).toBe(2);
    expect(noInv.stderr).toContain('--inverter NAME=URL');
    const bad = spawnSync(process.execPath, [main, '--pack', 'p=virtual:a', '--inverter', 'i=virtual:b', '--defect', 'nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown defect 'nope'");
  });
});
