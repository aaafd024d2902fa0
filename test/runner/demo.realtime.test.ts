import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const main = join(root, 'dist', 'examples', 'controllers', 'reference', 'main.js');

// The demo's real-time scenario, as `npm start` runs it: the reference controller as its own process, reaching the
// bench over the wire (socketcand hub + Modbus TCP on loopback), in real time (30 s each). The correct controller
// and one with a defect run one after the other, each on its own bench instance and ports: side by side, each one's
// CPU would eat into the other's 1.5 s reaction deadline on a 2-core machine.
describeIf(existsSync(main), NEEDS_BUILD, 'real-time demo scenario over the wire', () => {
  it('passes the reference controller and fails the one that ignores over-temperature', async () => {
    const cwd = process.cwd();
    process.chdir(root); // the bench names the controller relative to the package
    try {
      const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
      const s = loadScenario(join(root, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml'));
      expect(s.tags).toContain('demo-realtime');
      const good = await runScenario(bench, s, { mode: 'real' });
      const bad = await runScenario(bench, s, { mode: 'real', dutArgs: ['--defect', 'ignore-overtemp'] });
      // Every expectation listed with its message when one does not pass (a late reaction shows how late it was).
      expect(good.expectations.filter((e) => e.verdict !== 'pass').map((e) => `${e.id}: ${e.verdict}: ${e.message}`)).toEqual([]);
      expect(good.summary).not.toContain('error');
      expect(good.verdict).toBe('pass');
      expect(good.provenance!.dut).toContain('main.js');
      expect(bad.verdict).toBe('fail');
      expect(bad.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id).join(' ')).toMatch(/overtemp/);
    } finally {
      process.chdir(cwd);
    }
  }, 150_000);
});
