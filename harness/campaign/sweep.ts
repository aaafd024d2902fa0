import { ConfigError } from '../../core/errors';
import type { Bench } from '../bench/load-bench';
import type { Scenario } from '../scenario/scenario';

type Value = number | string | boolean;

/** One combination of a sweep: the scenario with the parameters applied, named by them. */
export interface SweepVariant {
  scenario: Scenario;
  parameters: Record<string, Value>;
}

/**
 * Every combination of a parameter matrix over one scenario (keys in the order written, the last varying fastest).
 * Parameters: `ambient` (°C), `seed`, `duration` is not one; `<device>.<input>` sets that device's initial condition
 * (`pack1.soc`, `pack1.soh`, `inv1.pvPower`: what the scenario's `initial.devices` accepts). Each variant's id is
 * `<scenario>@k=v,k=v`, so its results and evidence folder are named by its parameters. Throws `ConfigError`
 * (at `where(key)`) for a key naming no device of the bench.
 */
export function expandSweep(base: Scenario, matrix: Record<string, Value[]>, bench: Bench, where: (key: string) => string): SweepVariant[] {
  const keys = Object.keys(matrix);
  const devices = new Set(bench.file.devices.map((d) => d.name));
  for (const k of keys) {
    if (k === 'ambient' || k === 'seed') {
      if (matrix[k]!.some((v) => typeof v !== 'number')) throw new ConfigError(`sweep '${k}' takes numbers`, where(k));
      continue;
    }
    const [device, input, ...rest] = k.split('.');
    if (!device || !input || rest.length > 0) throw new ConfigError(`sweep parameter '${k}': expected ambient, seed or <device>.<input> (e.g. pack1.soh)`, where(k));
    if (!devices.has(device)) throw new ConfigError(`sweep parameter '${k}': the bench has no device '${device}' (it has ${[...devices].join(', ')})`, where(k));
  }
  let combos: Array<Record<string, Value>> = [{}];
  for (const k of keys) combos = combos.flatMap((c) => matrix[k]!.map((v) => ({ ...c, [k]: v })));
  return combos.map((parameters) => {
    // Timeline and expectations (compiled, read-only) are shared; what a parameter changes is copied.
    const s: Scenario = {
      ...base,
      devices: Object.fromEntries(Object.entries(base.devices).map(([d, v]) => [d, { ...v }])),
      where: { devices: { ...base.where.devices } },
    };
    s.id = `${base.id}@${Object.entries(parameters)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',')}`;
    s.title = `${base.title} (${Object.entries(parameters)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')})`;
    for (const [k, v] of Object.entries(parameters)) {
      if (k === 'ambient') s.ambient = v as number;
      else if (k === 'seed') s.seed = v as number;
      else {
        const [device, input] = k.split('.') as [string, string];
        (s.devices[device] ??= {})[input] = v;
        s.where.devices[device] ??= where(k);
      }
    }
    return { scenario: s, parameters };
  });
}
