/**
 * The native-pack scenarios (fixtures/scenarios-leaf, -i3, -zoe, -kia64, -tesla) on their benches: in virtual time with
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
const controllerJs = join(root, 'dist', 'examples', 'controllers', 'leaf-vehicle', 'controller.js');
const i3Js = join(root, 'dist', 'examples', 'controllers', 'i3-vehicle', 'controller.js');
const zoeJs = join(root, 'dist', 'examples', 'controllers', 'zoe-vehicle', 'controller.js');
const kiaJs = join(root, 'dist', 'examples', 'controllers', 'kia64-vehicle', 'controller.js');
const teslaJs = join(root, 'dist', 'examples', 'controllers', 'tesla-legacy-vehicle', 'controller.js');
const scenario = (name: string) => loadScenario(join(root, 'fixtures', `scenarios-${name.split('-')[0]!}`, `${name}.yaml`));
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

describeIf(existsSync(zoeJs), NEEDS_BUILD, 'native Renault Zoe scenarios', () => {
  it('cell drift seen only through the group polls, and an isolation fault: pass with the controller, fail when it does not react', async () => {
    await inRoot(async () => {
      const drift = await runScenario(bench('zoe'), scenario('zoe-cell-drift-low'), { mode: 'virtual' });
      expect(drift.errors).toEqual([]);
      expect(drift.verdict).toBe('pass');
      const blind = await runScenario(bench('zoe'), scenario('zoe-cell-drift-low'), { mode: 'virtual', dutOptions: { maxCellDeviationV: 10 } });
      expect(blind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['controller-stops-on-drift']);
      const iso = await runScenario(bench('zoe'), scenario('zoe-isolation-fault'), { mode: 'virtual' });
      expect(iso.verdict).toBe('pass');
    });
  }, 90_000);

  it('isolation fault in real time: the controller as its own process over socketcand', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('zoe'), scenario('zoe-isolation-fault'), { mode: 'real' });
      expect(r.summary).not.toContain('error');
      expect(r.provenance!.dut).toContain('zoe-vehicle/main.js');
      expect(r.verdict).toBe('pass');
    });
  }, 60_000);
});

describeIf(existsSync(kiaJs), NEEDS_BUILD, 'native Kia/Hyundai 64 scenarios', () => {
  it('cell drift seen only through the UDS polls, an isolation fault, no vehicle: pass with the controller, fail when it does not react', async () => {
    await inRoot(async () => {
      const drift = await runScenario(bench('kia64'), scenario('kia64-cell-drift-low'), { mode: 'virtual' });
      expect(drift.errors).toEqual([]);
      expect(drift.verdict).toBe('pass');
      const blind = await runScenario(bench('kia64'), scenario('kia64-cell-drift-low'), { mode: 'virtual', dutOptions: { maxCellDeviationV: 10 } });
      expect(blind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['drifting-cell-opens-the-pack', 'vehicle-silent-after-trip', 'bms-sleeps']);
      const iso = await runScenario(bench('kia64'), scenario('kia64-isolation-fault'), { mode: 'virtual' });
      expect(iso.verdict).toBe('pass');
      // The BMS opens its relays on its own isolation alarm; a controller that ignores the reading keeps talking.
      const isoBlind = await runScenario(bench('kia64'), scenario('kia64-isolation-fault'), { mode: 'virtual', dutOptions: { minInsulationKOhm: 0 } });
      expect(isoBlind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['vehicle-silent']);
      const alone = await runScenario(bench('kia64-alone'), scenario('kia64-no-vehicle'), { mode: 'virtual' });
      expect(alone.verdict).toBe('pass');
    });
  }, 90_000);

  it('isolation fault in real time: the controller as its own process over socketcand', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('kia64'), scenario('kia64-isolation-fault'), { mode: 'real' });
      expect(r.summary).not.toContain('error');
      expect(r.provenance!.dut).toContain('kia64-vehicle/main.js');
      expect(r.verdict).toBe('pass');
    });
  }, 60_000);
});

describeIf(existsSync(teslaJs), NEEDS_BUILD, 'native Tesla Model S/X (legacy) scenarios', () => {
  it('cell drift seen in 0x6F2, an isolation fault, no vehicle: pass with the controller, fail when it does not react', async () => {
    await inRoot(async () => {
      const drift = await runScenario(bench('tesla'), scenario('tesla-cell-drift-low'), { mode: 'virtual' });
      expect(drift.errors).toEqual([]);
      expect(drift.verdict).toBe('pass');
      const blind = await runScenario(bench('tesla'), scenario('tesla-cell-drift-low'), { mode: 'virtual', dutOptions: { maxCellDeviationV: 10 } });
      expect(blind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['drifting-brick-opens-the-pack', 'status-frames-stop']);
      const iso = await runScenario(bench('tesla'), scenario('tesla-isolation-fault'), { mode: 'virtual' });
      expect(iso.verdict).toBe('pass');
      // The BMS opens on its own isolation alarm; a controller that ignores the reading and the FAULT state keeps sending.
      const isoBlind = await runScenario(bench('tesla'), scenario('tesla-isolation-fault'), { mode: 'virtual', dutOptions: { minInsulationKOhm: 0, tripOnFaultState: 0 } });
      expect(isoBlind.expectations.filter((e) => e.verdict === 'fail').map((e) => e.id)).toEqual(['status-frames-stop']);
      const alone = await runScenario(bench('tesla-alone'), scenario('tesla-no-vehicle'), { mode: 'virtual' });
      expect(alone.verdict).toBe('pass');
    });
  }, 90_000);

  it('isolation fault in real time: the controller as its own process over socketcand', async () => {
    await inRoot(async () => {
      const r = await runScenario(bench('tesla'), scenario('tesla-isolation-fault'), { mode: 'real' });
      expect(r.summary).not.toContain('error');
      expect(r.provenance!.dut).toContain('tesla-legacy-vehicle/main.js');
      expect(r.verdict).toBe('pass');
    });
  }, 60_000);
});
