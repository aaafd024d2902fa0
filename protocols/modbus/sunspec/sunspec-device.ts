/**
 * A SunSpec device on Modbus: `SunS` at a base address, then a chain of models (ID, L, points), ending with
 * 0xFFFF, 0. Serves holding registers (function 3; function 4 gives the same map, as many devices do).
 *
 * Write policy (documented choice, matching common practice of SunSpec devices such as SMA and Fronius):
 * - a register outside the map, or in `SunS`, an ID/L register or the end marker -> IllegalDataAddress;
 * - a read-only point -> IllegalDataAddress (the register is not writable at that address);
 * - a write covering only part of a multi-register point -> IllegalDataAddress;
 * - an enum16 value that is not one of the point's symbols, the not-implemented pattern, or a value a model's
 *   handler rejects (out of range) -> IllegalDataValue.
 * Requests are atomic: every model's handler validates before any register changes.
 */
import { ExceptionCode } from '../device';
import { slabWords } from '../slab';
import type { DeviceIdentification, ModbusDevice } from '../device';
import { ConfigError } from '../../../core/errors';
import type { PointLayout } from './layout';
import { decodeRaw } from './point-codec';
import type { PointWrite, SunSpecModel } from './sunspec-model';

/** Base addresses (0-based wire addresses) SunSpec clients probe, in the order they probe them. */
export const SUNSPEC_BASES = [40000, 0, 50000] as const;
/** "SunS" as two registers. */
export const SUNS_MARKER = [0x5375, 0x6e53] as const;

export interface SunSpecDeviceOptions {
  /** Address of `SunS` (default 40000; 0 and 50000 are the other standard choices). */
  base?: number;
  models: SunSpecModel[];
  identification?: DeviceIdentification;
  /** Called when a write handler or a model's onRead throws (the request is answered ServerDeviceFailure). */
  onHandlerError?: (err: unknown) => void;
}

interface Placed {
  model: SunSpecModel;
  /** Address of the model's ID register. */
  start: number;
  /** One past its last register. */
  end: number;
}

export class SunSpecDevice implements ModbusDevice {
  readonly base: number;
  readonly models: readonly SunSpecModel[];
  private readonly placed: Placed[] = [];
  /** Address of the end marker (0xFFFF). */
  readonly endAddress: number;
  private readonly ident: DeviceIdentification | undefined;
  private readonly onHandlerError: (err: unknown) => void;

  constructor(options: SunSpecDeviceOptions) {
    this.base = options.base ?? 40000;
    if (!Number.isInteger(this.base) || this.base < 0) throw new ConfigError(`SunSpec base address ${this.base} is not valid`);
    this.models = options.models;
    let addr = this.base + 2;
    for (const model of options.models) {
      const end = addr + model.registers.length;
      this.placed.push({ model, start: addr, end });
      addr = end;
    }
    this.endAddress = addr;
    if (addr + 2 > 0x10000) throw new ConfigError(`SunSpec map from ${this.base} does not fit the 65536-register space`);
    this.ident = options.identification;
    this.onHandlerError = options.onHandlerError ?? (() => undefined);
  }

  /** Address of the first model with this id (its ID register), or undefined. */
  addressOf(id: number, nth = 0): number | undefined {
    return this.placed.filter((p) => p.model.id === id)[nth]?.start;
  }

  /** The model instance with this id (the nth one if repeated). */
  model(id: number, nth = 0): SunSpecModel | undefined {
    return this.placed.filter((p) => p.model.id === id)[nth]?.model;
  }

  /** The model and point at an address, for diagnostics and tests. */
  pointAt(address: number): { model: SunSpecModel; point: PointLayout; start: number } | undefined {
    const pl = this.placed.find((p) => address >= p.start && address < p.end);
    if (!pl) return undefined;
    const point = pl.model.pointAt(address - pl.start);
    return point ? { model: pl.model, point, start: pl.start } : undefined;
  }

  identification(): DeviceIdentification {
    return this.ident ?? { vendorName: 'second-life-hil', productCode: 'sunspec', majorMinorRevision: '0.1' };
  }

  readHoldingRegisters(address: number, quantity: number): Uint16Array | ExceptionCode {
    const last = address + quantity;
    if (quantity < 1 || address < this.base || last > this.endAddress + 2) return ExceptionCode.IllegalDataAddress;
    const out = slabWords(quantity); // no off-heap allocation per read (protocols/modbus/slab.ts)
    for (const p of this.placed) {
      if (p.start >= last || address >= p.end) continue;
      const from = Math.max(address, p.start);
      const to = Math.min(last, p.end);
      try {
        p.model.refresh(from - p.start, to - p.start); // the points this read covers (the model's live points)
      } catch (err) {
        this.onHandlerError(err);
        return ExceptionCode.ServerDeviceFailure;
      }
      const regs = p.model.registers;
      for (let r = from; r < to; r++) out[r - address] = regs[r - p.start]!; // no subarray view per model and read
    }
    for (let a = address; a < Math.min(last, this.base + 2); a++) out[a - address] = SUNS_MARKER[a - this.base]!;
    for (let a = Math.max(address, this.endAddress); a < last; a++) out[a - address] = a === this.endAddress ? 0xffff : 0;
    return out;
  }

  readInputRegisters(address: number, quantity: number): Uint16Array | ExceptionCode {
    return this.readHoldingRegisters(address, quantity);
  }

  writeRegisters(address: number, values: ArrayLike<number>): ExceptionCode | undefined {
    const last = address + values.length;
    if (values.length < 1 || address < this.base + 2 || last > this.endAddress) return ExceptionCode.IllegalDataAddress;
    const perModel = new Map<Placed, { writes: PointWrite[]; regs: Array<[number, number]> }>();
    let a = address;
    while (a < last) {
      const pl = this.placed.find((p) => a >= p.start && a < p.end);
      if (!pl) return ExceptionCode.IllegalDataAddress;
      const rel = a - pl.start;
      const point = pl.model.pointAt(rel);
      if (!point || point.offset < 2 || point.access !== 'RW') return ExceptionCode.IllegalDataAddress;
      if (rel !== point.offset || a + point.size > last) return ExceptionCode.IllegalDataAddress;
      const slice: number[] = [];
      for (let i = 0; i < point.size; i++) slice.push(values[a - address + i]! & 0xffff);
      const raw = decodeRaw(point.type, slice, 0, point.size);
      if (raw === null && point.type !== 'string') return ExceptionCode.IllegalDataValue;
      if (point.type === 'enum16' && point.symbols && point.symbols.length > 0 && !point.symbols.some((s) => s.value === raw)) {
        return ExceptionCode.IllegalDataValue;
      }
      let entry = perModel.get(pl);
      if (!entry) {
        entry = { writes: [], regs: [] };
        perModel.set(pl, entry);
      }
      entry.writes.push({ point, raw, value: pl.model.scaled(point, raw) });
      slice.forEach((v, i) => entry!.regs.push([rel + i, v]));
      a += point.size;
    }
    try {
      for (const [pl, e] of perModel) {
        const code = pl.model.handler?.validate?.(e.writes, pl.model);
        if (code !== undefined) return code;
      }
      for (const [pl, e] of perModel) for (const [rel, v] of e.regs) pl.model.registers[rel] = v;
      for (const [pl, e] of perModel) pl.model.handler?.apply?.(e.writes, pl.model);
    } catch (err) {
      this.onHandlerError(err);
      return ExceptionCode.ServerDeviceFailure;
    }
    return undefined;
  }
}
