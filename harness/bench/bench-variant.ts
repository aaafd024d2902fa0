import { InputProblems, ProblemList } from '../config/problems';
import { checkBenchFile } from './check-bench';
import type { Bench } from './load-bench';
import type { DeviceSpec } from './types';

/** Device fields a bench variant may change (`<device>.pack`, `<device>.params.<key>` ...). */
export const VARIANT_FIELDS = ['pack', 'protocol', 'map'] as const;

/** One change of a bench variant: `device.field = value`, or `device.params.<param> = value`. */
export interface BenchChange {
  device: string;
  /** `pack`, `protocol`, `map`, or `params.<key>` (one level: `params.variant`, `params.ratedW`). */
  field: string;
  value: number | string | boolean;
  /** Where the change was asked for (`file:line:column` of a sweep key), for errors. */
  where: string;
}

/** True for a field name `benchVariant` accepts. */
export function isBenchField(field: string): boolean {
  return (VARIANT_FIELDS as readonly string[]).includes(field) || /^params\.[A-Za-z0-9_]+$/.test(field);
}

/**
 * A copy of `bench` with device fields changed (a campaign sweep over packs, protocols or device parameters), checked
 * like the bench file itself (`checkBenchFile`: the pack profile exists, the protocol fits the bus, the parameters
 * fit the protocol's schema). The original bench is not touched. Throws `InputProblems` (a `ConfigError`): each
 * problem names the change that caused it (its `where`) and the place in the bench file the check concerns.
 */
export function benchVariant(bench: Bench, changes: readonly BenchChange[]): Bench {
  if (changes.length === 0) return bench;
  const file = structuredClone(bench.file);
  const problems = new ProblemList();
  for (const c of changes) {
    const device = file.devices.find((d) => d.name === c.device);
    if (!device) {
      problems.add(c.where, `the bench has no device '${c.device}' (it has ${file.devices.map((d) => d.name).join(', ')})`);
      continue;
    }
    if (!isBenchField(c.field)) {
      problems.add(c.where, `'${c.device}.${c.field}': a bench variant changes ${VARIANT_FIELDS.join(', ')} or params.<key>`);
      continue;
    }
    if (c.field.startsWith('params.')) (device.params ??= {})[c.field.slice('params.'.length)] = c.value;
    else (device as unknown as Record<string, unknown>)[c.field as keyof DeviceSpec] = String(c.value);
  }
  problems.throwIfAny();
  // The bench's own positions (no second read of its file): a problem is placed where the original field is.
  const locate = bench.where.locate ?? ((): string => bench.source);
  const found = new ProblemList();
  checkBenchFile(file, { file: bench.source, data: file, locate }, found);
  if (!found.empty) {
    const asked = changes.map((c) => `${c.device}.${c.field}=${String(c.value)}`).join(', ');
    throw new InputProblems(found.items.map((p) => ({ where: changes[0]!.where, message: `bench variant ${asked}: ${p.where ? `${p.where}: ` : ''}${p.message}` })));
  }
  return { ...bench, file };
}
