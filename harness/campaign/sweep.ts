import { ConfigError } from '../../core/errors';
import { benchVariant, isBenchField, VARIANT_FIELDS, type BenchChange } from '../bench/bench-variant';
import type { Bench } from '../bench/load-bench';
import type { Scenario } from '../scenario/scenario';

type Value = number | string | boolean;

/** One combination of a sweep: the scenario with the parameters applied, named by them, and the bench it runs on. */
export interface SweepVariant {
  scenario: Scenario;
  parameters: Record<string, Value>;
  /** The bench with the combination's bench parameters applied (`pack2.pack`, `inv1.params.ratedW`); else the bench. */
  bench: Bench;
}

/**
 * Every combination of a parameter matrix over one scenario (keys in the order written, the last varying fastest).
 * Scenario parameters: `ambient` (°C), `seed`, `<device>.<input>` (an initial condition: `pack1.soc`, `pack1.soh`,
 * `inv1.pvPower`: what the scenario's `initial.devices` accepts). Bench parameters: `<device>.pack`,
 * `<device>.protocol`, `<device>.map` and `<device>.params.<key>` change the bench device itself (a sweep over pack
 * profiles, e.g. `pack2.pack: [tesla-model-s-module, lfp-lishen-16s-202ah]`); each combination's bench is checked like
 * the bench file. Each variant's id is `<scenario>@k=v,k=v`, so its results and evidence folder are named by its
 * parameters. Throws `ConfigError` (at `where(key)`) for a key naming no device of the bench, or a bench variant that
 * does not hold (unknown pack, a parameter the protocol refuses).
 */
export function expandSweep(base: Scenario, matrix: Record<string, Value[]>, bench: Bench, where: (key: string) => string): SweepVariant[] {
  const keys = Object.keys(matrix);
  const devices = new Set(bench.file.devices.map((d) => d.name));
  const benchKeys = new Set<string>();
  for (const k of keys) {
    if (k === 'ambient' || k === 'seed') {
      if (matrix[k]!.some((v) => typeof v !== 'number')) throw new ConfigError(`sweep '${k}' takes numbers`, where(k));
      continue;
    }
    const [device, ...rest] = k.split('.');
    const field = rest.join('.');
    if (!device || rest.length === 0 || (rest.length > 1 && !isBenchField(field))) {
      throw new ConfigError(`sweep parameter '${k}': expected ambient, seed, <device>.<input> (e.g. pack1.soh) or <device>.${VARIANT_FIELDS.join('|')}|params.<key>`, where(k));
    }
    if (!devices.has(device)) throw new ConfigError(`sweep parameter '${k}': the bench has no device '${device}' (it has ${[...devices].join(', ')})`, where(k));
    if (isBenchField(field)) benchKeys.add(k);
  }
  let combos: Array<Record<string, Value>> = [{}];
  for (const k of keys) combos = combos.flatMap((c) => matrix[k]!.map((v) => ({ ...c, [k]: v })));
  const benches = new Map<string, Bench>();
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
    const changes: BenchChange[] = [];
    for (const [k, v] of Object.entries(parameters)) {
      if (k === 'ambient') s.ambient = v as number;
      else if (k === 'seed') s.seed = v as number;
      else if (benchKeys.has(k)) {
        const [device, ...rest] = k.split('.');
        changes.push({ device: device!, field: rest.join('.'), value: v, where: where(k) });
      } else {
        const [device, input] = k.split('.') as [string, string];
        (s.devices[device] ??= {})[input] = v;
        s.where.devices[device] ??= where(k);
      }
    }
    // Combinations that differ only in scenario parameters share one bench object.
    const benchId = JSON.stringify(changes.map((c) => [c.device, c.field, c.value]));
    let variant = benches.get(benchId);
    if (!variant) benches.set(benchId, (variant = benchVariant(bench, changes)));
    return { scenario: s, parameters, bench: variant };
  });
}
