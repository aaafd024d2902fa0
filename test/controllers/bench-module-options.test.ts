import { resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { resolveControllerOptions } from '../../harness/dut/controller-options';

// Every bundled bench with an in-process controller gives it only options the module declares (`controllerOptions`),
// so `hil run --virtual-time` gets past its preflight on each of them.
const BENCHES: Array<[bench: string, module: string]> = [
  ['leaf.yaml', '../../examples/controllers/leaf-vehicle/controller'],
  ['i3.yaml', '../../examples/controllers/i3-vehicle/controller'],
  ['zoe.yaml', '../../examples/controllers/zoe-vehicle/controller'],
  ['kia64.yaml', '../../examples/controllers/kia64-vehicle/controller'],
  ['tesla.yaml', '../../examples/controllers/tesla-legacy-vehicle/controller'],
  ['translator.yaml', '../../examples/controllers/translator/controller'],
  ['translator-orion.yaml', '../../examples/controllers/translator/controller'],
];

describe('bundled benches: dut.moduleOptions against the module\'s declared options', () => {
  it.each(BENCHES)('%s', async (file, modulePath) => {
    const bench = loadBench(resolve(__dirname, '../../fixtures/benches', file));
    const moduleOptions = bench.file.dut?.moduleOptions as Record<string, unknown> | undefined;
    expect(moduleOptions && Object.keys(moduleOptions).length).toBeGreaterThan(0);
    const mod = (await import(modulePath)) as { controllerOptions?: unknown };
    expect(mod.controllerOptions).toBeDefined();
    const { problems } = resolveControllerOptions(mod.controllerOptions, { moduleOptions, whereModuleOption: () => file, cli: [] }, modulePath);
    expect(problems).toEqual([]);
    const bad = resolveControllerOptions(mod.controllerOptions, { moduleOptions: { noSuchOption: 1 }, whereModuleOption: () => file, cli: [] }, modulePath);
    expect(bad.problems.length).toBe(1);
  });
});
