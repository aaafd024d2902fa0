import { Attributes, type AttributeDefinition } from './attributes';
import { bitPositions, bytesNeeded, readBits, writeBits, type ByteOrder } from './bit-layout';

/** How the raw bits are interpreted: an integer (signed or not), or IEEE float (DBC `SIG_VALTYPE_` 1 / 2). */
export type SignalValueType = 'integer' | 'float32' | 'float64';

/** A value a caller may give when encoding: physical number, choice name, boolean for 1-bit flags, or raw bigint. */
export type SignalInput = number | string | boolean | bigint;

/** A raw value: number while it fits 2^53, bigint beyond (64-bit signals). */
export type RawValue = number | bigint;

/** Which multiplexer value(s) switch a signal on: the multiplexer's name and inclusive raw ranges. */
export interface MultiplexCondition {
  multiplexer: string;
  ranges: Array<[number, number]>;
}

/** Everything needed to build a {@link Signal}. */
export interface SignalSpec {
  name: string;
  startBit: number;
  length: number;
  byteOrder: ByteOrder;
  isSigned: boolean;
  valueType?: SignalValueType;
  factor?: number;
  offset?: number;
  minimum?: number;
  maximum?: number;
  unit?: string;
  receivers?: string[];
  choices?: Map<number, string>;
  comment?: string;
  isMultiplexer?: boolean;
  multiplexedBy?: MultiplexCondition;
}

/**
 * Why a value could not be converted. `Message` turns it into an `EncodeError` naming message and signal.
 * @internal
 */
export class SignalValueError extends Error {}

/**
 * One signal of a message (cantools' `Signal`, STYLE.md point 10): where its bits are, how raw maps to physical
 * (`physical = raw * factor + offset`), its range, unit and value table. Independent of the DBC syntax.
 *
 * `minimum`/`maximum` both 0 (DBC `[0|0]`) means "no range given": only the raw range is checked then.
 * Value-table (`VAL_`) keys are raw values.
 */
export class Signal {
  readonly name: string;
  readonly startBit: number;
  readonly length: number;
  readonly byteOrder: ByteOrder;
  readonly isSigned: boolean;
  valueType: SignalValueType;
  readonly factor: number;
  readonly offset: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly unit: string;
  readonly receivers: string[];
  choices: Map<number, string>;
  comment: string | undefined;
  readonly isMultiplexer: boolean;
  multiplexedBy: MultiplexCondition | undefined;
  readonly attributes: Attributes;
  /** Bit positions, LSB first (see `bitPositions`). */
  readonly positions: readonly number[];
  /** Bytes a frame must have to carry this signal. */
  readonly bytesNeeded: number;
  private readonly decimals: number;

  constructor(spec: SignalSpec, definitions: ReadonlyMap<string, AttributeDefinition> = new Map()) {
    this.name = spec.name;
    this.startBit = spec.startBit;
    this.length = spec.length;
    this.byteOrder = spec.byteOrder;
    this.isSigned = spec.isSigned;
    this.valueType = spec.valueType ?? 'integer';
    this.factor = spec.factor ?? 1;
    this.offset = spec.offset ?? 0;
    this.minimum = spec.minimum ?? 0;
    this.maximum = spec.maximum ?? 0;
    this.unit = spec.unit ?? '';
    this.receivers = spec.receivers ?? [];
    this.choices = spec.choices ?? new Map();
    this.comment = spec.comment;
    this.isMultiplexer = spec.isMultiplexer ?? false;
    this.multiplexedBy = spec.multiplexedBy;
    this.attributes = new Attributes(definitions);
    this.positions = bitPositions(this.startBit, this.length, this.byteOrder);
    this.bytesNeeded = bytesNeeded(this.positions);
    this.decimals = Math.max(decimalsOf(this.factor), decimalsOf(this.offset));
  }

  /** True when `[min|max]` is not `[0|0]`. */
  get hasRange(): boolean {
    return this.minimum !== 0 || this.maximum !== 0;
  }

  /** Smallest and largest raw value the bits can hold (integers only; floats return +/-Infinity). */
  rawRange(): { min: RawValue; max: RawValue } {
    if (this.valueType !== 'integer') return { min: -Infinity, max: Infinity };
    const n = this.length;
    if (n <= 52) {
      return this.isSigned ? { min: -(2 ** (n - 1)), max: 2 ** (n - 1) - 1 } : { min: 0, max: 2 ** n - 1 };
    }
    const big = BigInt(n);
    return this.isSigned
      ? { min: -(1n << (big - 1n)), max: (1n << (big - 1n)) - 1n }
      : { min: 0n, max: (1n << big) - 1n };
  }

  /** Raw value carried in `data` (signed and float interpretation applied). `data` must be long enough. */
  readRaw(data: Uint8Array): RawValue {
    const bits = readBits(data, this.positions);
    if (this.valueType === 'float32') {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, Number(bits));
      return view.getFloat32(0);
    }
    if (this.valueType === 'float64') {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, BigInt(bits));
      return view.getFloat64(0);
    }
    if (!this.isSigned) return bits;
    if (typeof bits === 'number') return bits >= 2 ** (this.length - 1) ? bits - 2 ** this.length : bits;
    return bits >= 1n << BigInt(this.length - 1) ? bits - (1n << BigInt(this.length)) : bits;
  }

  /** Write a raw value (as returned by `toRaw`) into `data`. */
  writeRaw(data: Uint8Array, raw: RawValue): void {
    if (this.valueType === 'float32') {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, Number(raw));
      writeBits(data, this.positions, view.getUint32(0));
      return;
    }
    if (this.valueType === 'float64') {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, Number(raw));
      writeBits(data, this.positions, view.getBigUint64(0));
      return;
    }
    if (typeof raw === 'number') {
      writeBits(data, this.positions, raw < 0 ? raw + 2 ** this.length : raw);
    } else {
      writeBits(data, this.positions, raw < 0n ? raw + (1n << BigInt(this.length)) : raw);
    }
  }

  /** Physical value of a raw value, rounded to the decimals of factor and offset (so 523 * 0.1 reads 52.3). */
  toPhysical(raw: RawValue): number {
    const r = Number(raw);
    if (this.factor === 1 && this.offset === 0) return r;
    const v = r * this.factor + this.offset;
    if (this.valueType !== 'integer' || this.decimals > 15 || !Number.isFinite(v) || Math.abs(v) >= 1e21) return v;
    return Number(v.toFixed(this.decimals));
  }

  /** Choice name for a raw value, if the value table has one. */
  choiceFor(raw: RawValue): string | undefined {
    return this.choices.get(Number(raw));
  }

  /**
   * Raw value for an input. Strings are value-table names; booleans are 1/0 raw; bigints are raw values.
   * Throws `SignalValueError` saying why (unknown choice, outside [min|max], outside the raw range, not finite).
   */
  toRaw(value: SignalInput): RawValue {
    if (typeof value === 'string') {
      for (const [raw, name] of this.choices) if (name === value) return this.checkRaw(raw);
      const known = [...this.choices.values()];
      throw new SignalValueError(
        known.length
          ? `'${value}' is not one of its choices (${known.join(', ')})`
          : `'${value}' is not a number and the signal has no value table`,
      );
    }
    if (typeof value === 'boolean') return this.checkRaw(value ? 1 : 0);
    if (typeof value === 'bigint') return this.checkRaw(value);
    if (!Number.isFinite(value)) throw new SignalValueError(`value ${value} is not a finite number`);
    if (this.hasRange) {
      const tol = 1e-9 * Math.max(1, Math.abs(value));
      if (value < this.minimum - tol || value > this.maximum + tol) {
        throw new SignalValueError(`value ${value} is outside its range [${this.minimum}|${this.maximum}]${unitSuffix(this.unit)}`);
      }
    }
    const scaled = (value - this.offset) / this.factor;
    if (this.valueType !== 'integer') return scaled;
    const rounded = Math.round(scaled);
    return this.checkRaw(this.length > 52 ? BigInt(rounded) : rounded, value);
  }

  private checkRaw(raw: RawValue, physical?: number): RawValue {
    if (this.valueType !== 'integer') return Number(raw);
    const { min, max } = this.rawRange();
    const r = typeof min === 'bigint' ? BigInt(raw) : Number(raw);
    if (r < min || r > max) {
      const what = physical !== undefined ? `value ${physical} (raw ${r})` : `raw value ${r}`;
      throw new SignalValueError(
        `${what} does not fit ${this.length} ${this.isSigned ? 'signed' : 'unsigned'} bits (raw ${min}..${max})`,
      );
    }
    return r;
  }

  /** Raw value to use when a caller leaves the signal out: `GenSigStartValue` (raw) if set, else 0. */
  initialRaw(): RawValue {
    const start = this.attributes.getNumber('GenSigStartValue') ?? 0;
    try {
      return this.checkRaw(this.length > 52 ? BigInt(Math.round(start)) : start);
    } catch {
      return this.length > 52 ? 0n : 0;
    }
  }
}

function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return 0;
  const s = String(x);
  if (s.includes('e')) return 99;
  return s.length - s.indexOf('.') - 1;
}

function unitSuffix(unit: string): string {
  return unit ? ` ${unit}` : '';
}
