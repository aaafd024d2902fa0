import { controllerOptions } from '../../examples/controllers/reference/controller';
import { DEFECTS } from '../../examples/controllers/reference/defects';
import type { ControllerOptions } from '../../examples/controllers/reference/types';
import { resolveControllerOptions } from '../../harness/dut/controller-options';

// The declared options and the ControllerOptions type hold the same keys (checked by tsc in `npm test`).
type Declared = keyof typeof controllerOptions.properties;
type Same = [Exclude<Declared, keyof ControllerOptions>, Exclude<keyof ControllerOptions, Declared>] extends [never, never] ? true : false;
const sameKeys: Same = true;

describe('reference controller: declared options', () => {
  it('declares every option of ControllerOptions and every defect', () => {
    expect(sameKeys).toBe(true);
    expect(controllerOptions.properties.defects.items.enum).toEqual(Object.keys(DEFECTS));
  });

  it('takes its defaults and refuses what its constructor would refuse', () => {
    const ok = resolveControllerOptions(controllerOptions, { whereModuleOption: () => 'b', cli: ['periodMs=100', 'margin=0.95', 'modbusTries=3', 'defects=no-heartbeat'] }, 'ref');
    expect(ok.problems).toEqual([]);
    const bad = resolveControllerOptions(controllerOptions, { whereModuleOption: () => 'b', cli: ['periodMs=0', 'margin=1.5', 'modbusTries=2.5'] }, 'ref');
    expect(bad.problems.map((p) => p.message)).toEqual(["'2.5' is not an integer", 'option periodMs must be > 0 (got 0)', 'option margin must be <= 1 (got 1.5)']);
  });
});
