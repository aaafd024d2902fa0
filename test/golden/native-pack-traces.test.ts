/**
 * Bit-exact CAN traces of the native-pack scenarios (fixtures/scenarios-leaf, -i3, -zoe, -kia64, -tesla, -tesla3,
 * -zoe2) on their benches in virtual time, with the tiny vehicle controller in-process (and once with a controller
 * that does not react, so the trip paths run too): the verdict of every expectation and the SHA-256 of every
 * candump trace file, compared with the copy saved before the native profiles were moved onto
 * emulators/bms/profiles/native-common (native-pack-traces.json). A changed frame, period or timing shows as a
 * changed hash of the trace of that bus.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';
import { expectGolden } from '../support/golden';

const root = resolve(__dirname, '..', '..');
const controllers = ['leaf-vehicle', 'i3-vehicle', 'zoe-vehicle', 'kia64-vehicle', 'tesla-legacy-vehicle', 'tesla-model3-vehicle', 'zoe-gen2-vehicle'];
const built = controllers.every((c) => existsSync(join(root, 'dist', 'examples', 'controllers', c, 'controller.js')));

/**
 * [bench, scenario, dut options]: every scenario of fixtures/scenarios-<pack> with its controller (the no-vehicle ones
 * on <pack>-alone), and the cell-drift one again with a controller blind to the drift.
 */
function runs(pack: string): Array<[string, string, Record<string, unknown>?]> {
  const names = readdirSync(join(root, 'fixtures', `scenarios-${pack}`)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  const out: Array<[string, string, Record<string, unknown>?]> = names.map((n) => [n.endsWith('no-vehicle') ? `${pack}-alone` : pack, n]);
  out.push([pack, `${pack}-cell-drift-low`, { maxCellDeviationV: 10 }]);
  return out;
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describeIf(built, NEEDS_BUILD, 'native-pack traces match the copy saved before the profiles shared native-common', () => {
  it.each(['leaf', 'i3', 'zoe', 'kia64', 'tesla', 'tesla3', 'zoe2'])('%s: verdicts and CAN trace hashes', async (pack) => {
    const cwd = process.cwd();
    const out = mkdtempSync(join(tmpdir(), `native-traces-${pack}-`));
    process.chdir(root); // the bench names the controller relative to the package
    try {
      const golden: Record<string, unknown> = {};
      for (const [benchName, scenarioName, dutOptions] of runs(pack)) {
        const key = `${benchName}/${scenarioName}${dutOptions ? ` ${JSON.stringify(dutOptions)}` : ''}`;
        const dir = join(out, String(Object.keys(golden).length));
        const bench = loadBench(join(root, 'fixtures', 'benches', `${benchName}.yaml`));
        const scenario = loadScenario(join(root, 'fixtures', `scenarios-${pack}`, `${scenarioName}.yaml`));
        const r = await runScenario(bench, scenario, { mode: 'virtual', outDir: dir, traceFormat: { compress: false }, ...(dutOptions ? { dutOptions } : {}) });
        const traces = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
        expect(traces.length).toBeGreaterThan(0);
        golden[key] = {
          verdict: r.verdict,
          errors: r.errors,
          expectations: r.expectations.map((e) => `${e.id}: ${e.verdict}`),
          traces: Object.fromEntries(traces.map((f) => [f, sha256(join(dir, f))])),
        };
      }
      expectGolden(join(__dirname, `native-pack-traces.${pack}.json`), golden);
    } finally {
      process.chdir(cwd);
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
