/**
 * What every SunSpec map (inverter, battery, ...) builds its models' write handlers from: a table of the points a
 * model lets clients write, each with a check of the value, and the action that turns accepted writes into commands.
 *
 * Policy (the same for every map, see sunspec-device.ts for the layer below): a point that is not in the table,
 * including an RW point of the standard that the device does not implement, refuses the request with
 * IllegalDataAddress; a value its check rejects refuses it with IllegalDataValue; both before anything changes.
 */
import { ExceptionCode } from '../device';
import type { ModelWriteHandler, PointWrite, SunSpecModel } from './sunspec-model';

/** Whether a written value (scaled, strings as is, `null` for not implemented) is acceptable for a point. */
export type PointCheck = (value: number | string | null) => boolean;

/** A number within `lo..hi`, bounds included. */
export const inRange =
  (lo: number, hi: number): PointCheck =>
  (v) =>
    typeof v === 'number' && v >= lo && v <= hi;

/** One of the listed values. */
export const oneOf =
  (...allowed: number[]): PointCheck =>
  (v) =>
    typeof v === 'number' && allowed.includes(v);

/** A bit field with no bit outside `mask`. */
export const bitsWithin =
  (mask: number): PointCheck =>
  (v) =>
    typeof v === 'number' && (v & ~mask) === 0;

/** Any value the SunSpec layer let through (its enum and not-implemented checks still apply). */
export const anyValue: PointCheck = () => true;

/** A written value as a number (`null` and strings as 0). */
export function numeric(v: number | string | null): number {
  return typeof v === 'number' ? v : 0;
}

/** The value written to point `name` in this request (as `numeric`), or undefined when the request leaves it. */
export function writtenValue(writes: readonly PointWrite[], name: string): number | undefined {
  const w = writes.find((x) => x.point.name === name);
  return w === undefined ? undefined : numeric(w.value);
}

/** Smallest power-of-ten exponent (>= 0) that keeps `max` within `limit` (32767 for int16, 65535 for uint16). */
export function scaleExponentFor(max: number, limit = 32767): number {
  let sf = 0;
  while (max / 10 ** sf > limit) sf++;
  return sf;
}

/** Cross-point check of a whole request (for example min <= max); runs after every point passed its own check. */
export type RequestCheck = (writes: readonly PointWrite[], model: SunSpecModel) => ExceptionCode | undefined;

/**
 * A model's write handler: `writable` names the points clients may write and checks their values, `apply` acts on
 * an accepted request (after the registers were stored), `check` vets the request as a whole.
 */
export function writeHandler(writable: Readonly<Record<string, PointCheck>>, apply: (writes: readonly PointWrite[], model: SunSpecModel) => void, check?: RequestCheck): ModelWriteHandler {
  return {
    validate(writes, model) {
      for (const w of writes) {
        const ok = writable[w.point.name];
        if (!ok) return ExceptionCode.IllegalDataAddress;
        if (!ok(w.value)) return ExceptionCode.IllegalDataValue;
      }
      return check?.(writes, model);
    },
    apply,
  };
}

/** The handler of a model clients may only read: every write is IllegalDataAddress. */
export function readOnly(): ModelWriteHandler {
  return writeHandler({}, () => undefined);
}
