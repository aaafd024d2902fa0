/**
 * One model instance: its layout plus the registers a device serves, with typed, scaled access by point name.
 */
import { EncodeError } from '../../../core/errors';
import type { ExceptionCode } from '../device';
import type { LayoutOptions, ModelLayout, PointLayout } from './layout';
import { buildLayout } from './layout';
import { loadModelDef } from './model-def';
import { decodeRaw, encodeRaw, encodeIntInto, encodeSmallInto, notImplementedRegisters, smallIntEncoding } from './point-codec';
import type { RawValue, SmallIntEncoding } from './point-codec';

/** One point a client writes, as the write handler sees it (before the registers change). */
export interface PointWrite {
  readonly point: PointLayout;
  /** New raw value (`null`: the client wrote the not-implemented pattern). */
  readonly raw: RawValue;
  /** New value scaled by its scale factor (strings as is), `null` as above. */
  readonly value: number | string | null;
}

/**
 * What a model does with client writes.
 *
 * Contract: `validate` sees every point of one write request that falls in this model, before anything changes, and
 * returns an exception code to refuse the whole request (then no model changes) or `undefined` to accept. It must not
 * change state. `apply` runs after the registers of every model in the request were stored, synchronously, before
 * the response is sent. Neither may throw; a throw is answered as ServerDeviceFailure and logged by the device.
 */
export interface ModelWriteHandler {
  validate?(writes: readonly PointWrite[], model: SunSpecModel): ExceptionCode | undefined;
  apply?(writes: readonly PointWrite[], model: SunSpecModel): void;
}

export interface SunSpecModelOptions extends LayoutOptions {
  /** Directory of model JSON files (default: the bundled ones). */
  modelsDir?: string;
  /** Scale factors by sunssf point path (`W_SF: 0`). Unset ones read as not implemented. */
  scaleFactors?: Readonly<Record<string, number>>;
  /** Initial values by point path, scaled (as `set`). */
  values?: Readonly<Record<string, number | string | null>>;
  handler?: ModelWriteHandler;
  /** Called before a client reads any register of this model, to refresh values from the device model. */
  onRead?: () => void;
  /**
   * Points refreshed from the device model on reads, each with the function giving its value (scaled, as `set`
   * takes it; with `'raw'`, a raw value as `setRaw` takes it). A read refreshes only the live points it covers
   * (resolved once here, not by name on every read); when the model also has an `onRead` hook, every live point is
   * refreshed first, then the hook runs (it may read any of them).
   */
  live?: readonly LivePoint[];
}

/** A point a model refreshes on reads: name, value function, and `'raw'` when the value is raw (not scaled). */
export type LivePoint = readonly [name: string, value: () => RawValue, raw?: 'raw'];

/** A live point resolved: its layout, its scale factor's layout (or constant exponent), its value function. */
interface LiveEntry {
  readonly p: PointLayout;
  readonly end: number;
  /** Layout of the scale factor point, the constant exponent, or `undefined` (unscaled or raw). */
  readonly sf: PointLayout | number | undefined;
  readonly raw: boolean;
  readonly get: () => RawValue;
  /**
   * For the fast path of finite numbers (`refresh`): the encoding of a 16- or 32-bit integer point whose scale factor
   * is a constant, none (unscaled or raw) or a one-register `sunssf` point; undefined otherwise.
   */
  readonly enc: SmallIntEncoding | undefined;
  /** Register of its `sunssf` scale factor, else -1. */
  readonly sfAt: number;
  /** Its exponent when that is a constant, 0 when unscaled or raw. */
  readonly sfConst: number;
}

export class SunSpecModel {
  readonly layout: ModelLayout;
  /** ID, L and the points: `length + 2` registers. */
  readonly registers: Uint16Array;
  handler: ModelWriteHandler | undefined;
  onRead: (() => void) | undefined;
  /** The not-implemented registers of points set to null (kept: a device refreshes them on every read). */
  private readonly naOf = new Map<PointLayout, readonly number[]>();
  private readonly live: readonly LiveEntry[];
  /** The point covering each register (built on first use). */
  private byOffset: Array<PointLayout | undefined> | undefined;

  constructor(layout: ModelLayout, options: Omit<SunSpecModelOptions, keyof LayoutOptions | 'modelsDir'> = {}) {
    this.layout = layout;
    this.registers = new Uint16Array(layout.length + 2);
    for (const p of layout.points) this.registers.set(notImplementedRegisters(p.type, p.size), p.offset);
    this.registers[0] = layout.id;
    this.registers[1] = layout.length;
    for (const [group, countPoint] of layout.countPoints) this.setRaw(countPoint, layout.groupCounts.get(group) ?? 0);
    for (const [name, sf] of Object.entries(options.scaleFactors ?? {})) this.setRaw(name, sf);
    for (const [name, v] of Object.entries(options.values ?? {})) this.set(name, v);
    this.handler = options.handler;
    this.onRead = options.onRead;
    this.live = (options.live ?? []).map(([name, get, raw]) => {
      const p = this.pointOrThrow(name);
      const sf = raw === 'raw' || p.sf === undefined ? undefined : typeof p.sf === 'number' ? p.sf : this.pointOrThrow(p.sf);
      const sfAt = typeof sf === 'object' && sf.type === 'sunssf' && sf.size === 1 ? sf.offset : -1;
      const enc = typeof sf === 'object' && sfAt < 0 ? undefined : smallIntEncoding(p.type);
      return { p, end: p.offset + p.size, sf, raw: raw === 'raw', get, enc, sfAt, sfConst: typeof sf === 'number' ? sf : 0 };
    });
  }

  /**
   * Refresh the registers a client is about to read, `from` to `to` (offsets from the ID register, `to` exclusive;
   * default: the whole model): the live points overlapping them, then the `onRead` hook (after every live point).
   * Throws what a value function or the hook throws (`EncodeError` for a scaled point whose scale factor is not set).
   */
  refresh(from = 0, to = Infinity): void {
    const hook = this.onRead;
    if (hook !== undefined) {
      from = 0;
      to = Infinity;
    }
    const regs = this.registers;
    for (const e of this.live) {
      if (e.end <= from || e.p.offset >= to) continue;
      const v = e.get();
      if (e.enc !== undefined && typeof v === 'number' && Number.isFinite(v)) {
        // The common case (an integer point, a finite value), with what `setPointValue` and `encodeIntInto` would
        // look up by name resolved once: the same registers, a fraction of the time.
        let sf = e.sfConst;
        if (e.sfAt >= 0) {
          const r = regs[e.sfAt]!;
          if (r === 0x8000) {
            this.setPointValue(e.p, e.sf, v); // the scale factor is not implemented: throws, naming the point
            continue;
          }
          sf = r >= 0x8000 ? r - 0x10000 : r;
        }
        encodeSmallInto(e.enc, sf === 0 ? v : v / 10 ** sf, regs, e.p.offset);
        continue;
      }
      if (e.raw) this.setPointRaw(e.p, v);
      else this.setPointValue(e.p, e.sf, v);
    }
    hook?.();
  }

  /** The point covering register `offset` (from the ID register; ID and L are points too), or `undefined`. */
  pointAt(offset: number): PointLayout | undefined {
    if (this.byOffset === undefined) {
      const index: Array<PointLayout | undefined> = new Array<PointLayout | undefined>(this.registers.length).fill(undefined);
      for (const p of this.layout.points) for (let i = 0; i < p.size; i++) index[p.offset + i] ??= p;
      this.byOffset = index;
    }
    return this.byOffset[offset];
  }

  /** Load model `id`'s definition and build an instance. */
  static load(id: number, options: SunSpecModelOptions = {}): SunSpecModel {
    const def = loadModelDef(id, options.modelsDir);
    return new SunSpecModel(buildLayout(def, options), options);
  }

  get id(): number {
    return this.layout.id;
  }

  private pointOrThrow(name: string): PointLayout {
    const p = this.layout.point(name);
    if (!p) throw new EncodeError(`SunSpec model ${this.layout.id}: no point '${name}'`);
    return p;
  }

  has(name: string): boolean {
    return this.layout.point(name) !== undefined;
  }

  /** Raw value of a point; `null` if not implemented. */
  getRaw(name: string): RawValue {
    const p = this.pointOrThrow(name);
    return decodeRaw(p.type, this.registers, p.offset, p.size);
  }

  /** Store a raw value (`null`: not implemented). Out-of-range integers saturate. */
  setRaw(name: string, raw: RawValue): void {
    this.setPointRaw(this.pointOrThrow(name), raw);
  }

  private setPointRaw(p: PointLayout, raw: RawValue): void {
    // Integers (nearly every point a device refreshes on each read) go straight into the registers.
    if (encodeIntInto(p.type, raw, this.registers, p.offset)) return;
    if (raw === null) {
      let na = this.naOf.get(p);
      if (na === undefined) this.naOf.set(p, (na = notImplementedRegisters(p.type, p.size)));
      this.registers.set(na, p.offset);
      return;
    }
    this.registers.set(encodeRaw(p.type, p.size, raw, `SunSpec model ${this.layout.id} point ${p.name}`), p.offset);
  }

  /** Exponent applying to a point (0 if unscaled); `undefined` if its scale factor is not implemented. */
  scaleOf(p: PointLayout): number | undefined {
    if (p.sf === undefined) return 0;
    if (typeof p.sf === 'number') return p.sf;
    const sf = this.getRaw(p.sf);
    return typeof sf === 'number' ? sf : undefined;
  }

  /** Scaled value of a point (`raw * 10^sf`), strings as is; `null` if it or its scale factor is not implemented. */
  get(name: string): number | string | null {
    const p = this.pointOrThrow(name);
    return this.scaled(p, this.getRaw(name));
  }

  /** Scale a raw value of point `p` with this model's current scale factors. */
  scaled(p: PointLayout, raw: RawValue): number | string | null {
    if (raw === null || typeof raw === 'string') return raw;
    const sf = this.scaleOf(p);
    if (sf === undefined) return null;
    const n = typeof raw === 'bigint' ? Number(raw) : raw;
    return sf === 0 ? n : roundTo(n * 10 ** sf, sf);
  }

  /**
   * Store a scaled value (`value / 10^sf`, rounded); `null`, NaN and infinities write not implemented. Throws `EncodeError` if the
   * point's scale factor is not implemented, naming the model and point.
   */
  set(name: string, value: number | string | null): void {
    const p = this.pointOrThrow(name);
    this.setPointValue(p, p.sf === undefined ? undefined : typeof p.sf === 'number' ? p.sf : this.pointOrThrow(p.sf), value);
  }

  /** `set` with the point and its scale factor (layout or constant) already resolved. */
  private setPointValue(p: PointLayout, sfOf: PointLayout | number | undefined, value: RawValue): void {
    if (value === null || typeof value === 'string' || typeof value === 'bigint' || !Number.isFinite(value)) {
      // NaN or infinite (a quantity the model cannot give now) reads as not implemented.
      this.setPointRaw(p, typeof value === 'number' ? null : value);
      return;
    }
    let sf: number | undefined;
    if (sfOf === undefined) sf = 0;
    else if (typeof sfOf === 'number') sf = sfOf;
    else {
      const raw = decodeRaw(sfOf.type, this.registers, sfOf.offset, sfOf.size);
      sf = typeof raw === 'number' ? raw : undefined;
    }
    if (sf === undefined) throw new EncodeError(`SunSpec model ${this.layout.id} point ${p.name}: scale factor ${String(p.sf)} is not set`);
    this.setPointRaw(p, sf === 0 ? value : value / 10 ** sf);
  }
}

/** Round away binary noise from `n * 10^sf` (for example 2301 * 0.1 -> 230.1). */
function roundTo(n: number, sf: number): number {
  return sf < 0 ? Number(n.toFixed(-sf)) : n;
}
