/**
 * The native-pack scenarios (fixtures/scenarios-leaf, fixtures/scenarios-i3) on their benches: in virtual time with
 * the tiny vehicle controller in-process, each also once with a controller that does not react (so the expectations
 * can fail), and the isolation scenarios in real time with the controller as its own process over socketcand.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const controllerJs = join(root, 'dist', 'fixtures', 'controllers', 'leaf-vehicle', 'controller.js');
const i3Js = join(root, 'dist', 'fixtures', 'controllers', 'i3-vehicle', 'controller.js');
const scenario = (name: string) => loadScenario(join(root, 'fixtures', name.startsWith('i3-') ? 'scenarios-i3' : 'scenarios-leaf', `${name}.yaml`));
const bench = (name: string) => loadBench(join(root, 'fixtures', 'benches', `${name}.yaml`));

async function inRoot<T>(fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(root); // the bench names the controller relative to the package
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

describeIf(existsSync(controllerJs), NEEDS_BUILD, 'native Leaf scenarios', () => {
  it('cell drift seen only through the poll: passes with the controller, fails when it ignores deviations', async () => {
    await inRoot(async () => {
      const good = await runScenario(bench('leaf'), scenario('leaf-cell-drift-low'), { mode: 'virtual' });
      expect(good.errors).toEqual([]);
      expect(good.verdict).toBe('pass');
      const blind = await runScenario(bench('leaf'), scenario('leaf-cell-drift-low'), { mode: 'virtual', dutOptions: { maxCellDeviationV: 10 } });
      expect(blind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['drifting-cell-opens-the-pack', 'vehicle-silent-after-trip']);
    });
  }, 60_000);

  it('isolation fault: passes with the controller, fails when it ignores the insulation reading', async () => {
    await inRoot(async () => {
      const good = await runScenario(bench('leaf'), scenario('leaf-isolation-fault'), { mode: 'virtual' });
      expect(good.verdict).toBe('pass');
      const blind = await runScenario(bench('leaf'), scenario('leaf-isolation-fault'), { mode: 'virtual', dutOptions: { minInsulationKOhm: 0 } });
      expect(blind.verdict).toBe('fail');
      expect(blind.expectations.find((e) => e.id === 'vehicle-silent-after-trip')!.verdict).toBe('fail');
    });
  }, 60_000);

  it('no vehicle side: the pack never permits its relays and goes to sleep', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('leaf-alone'), scenario('leaf-no-vehicle'), { mode: 'virtual' });
      expect(r.errors).toEqual([]);
      expect(r.verdict).toBe('pass');
    });
  }, 30_000);

  it('isolation fault in real time: the controller as its own process over socketcand', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('leaf'), scenario('leaf-isolation-fault'), { mode: 'real' });
      expect(r.summary).not.toContain('error');
      expect(r.provenance!.dut).toContain('leaf-vehicle/main.js');
      expect(r.verdict).toBe('pass');
    });
  }, 60_000);
});

describeIf(existsSync(i3Js), NEEDS_BUILD, 'native BMW i3 scenarios', () => {
  it('cell drift seen only through the per-cell routine, and an isolation fault: pass with the controller, fail when it does not react', async () => {
    await inRoot(async () => {
      const drift = await runScenario(bench('i3'), scenario('i3-cell-drift-low'), { mode: 'virtual' });
      expect(drift.errors).toEqual([]);
      expect(drift.verdict).toBe('pass');
      const blind = await runScenario(bench('i3'), scenario('i3-cell-drift-low'), { mode: 'virtual', dutOptions: { maxCellDeviationV: 10 } });
      expect(blind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['drifting-cell-opens-the-pack', 'open-commanded']);
      const iso = await runScenario(bench('i3'), scenario('i3-isolation-fault'), { mode: 'virtual' });
      expect(iso.verdict).toBe('pass');
      const isoBlind = await runScenario(bench('i3'), scenario('i3-isolation-fault'), { mode: 'virtual', dutOptions: { tripOnIsolation: 0 } });
      expect(isoBlind.expectations.find((e) => e.id === 'pack-open-after-isolation-loss')!.verdict).toBe('fail');
      const alone = await runScenario(bench('i3-alone'), scenario('i3-no-vehicle'), { mode: 'virtual' });
      expect(alone.verdict).toBe('pass');
    });
  }, 90_000);

  it('isolation fault in real time: the controller as its own process over socketcand', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('i3'), scenario('i3-isolation-fault'), { mode: 'real' });
      expect(r.summary).not.toContain('error');
      expect(r.provenance!.dut).toContain('i3-vehicle/main.js');
      expect(r.verdict).toBe('pass');
    });
  }, 60_000);
});
