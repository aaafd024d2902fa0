/**
 * RegisterMap: the standard way to build a {@link ModbusDevice} from blocks of registers and bits, so emulators
 * (BMS, inverter, SunSpec maps) declare their layout and keep their model in sync through typed accessors.
 *
 * ```ts
 * const map = new RegisterMap({ identification: { vendorName: 'Acme', productCode: 'INV', majorMinorRevision: '1.0' } });
 * map.addRegisters({ table: 'holding', start: 40000, values: stringToWords('SunS', 2), access: 'ro' });
 * map.addRegisters({ table: 'holding', start: 40100, length: 10,
 *   validate: (addr, values) => (values.some((v) => v > 100) ? ExceptionCode.IllegalDataValue : undefined) });
 * map.onWrite((e) => model.applySetpoint(e.address, e.values));    // sees a master's write before the reply goes out
 * map.setValue('holding', 40102, 'float32', 230.5);                // the model updates what masters read
 * server.core.addUnit(1, map);
 * ```
 */
import { ExceptionCode, type DeviceIdentification, type ModbusDevice } from './device';
import { fromWords, stringToWords, toWords, wordCount, wordsToString, type WordType } from './words';

export type RegisterTable = 'holding' | 'input';
export type BitTable = 'coils' | 'discrete';
export type Access = 'ro' | 'rw';

/**
 * Called before a read is served, with the part of the request inside this block, so the model can refresh the
 * values (with `set`/`setValue`) or refuse (return an exception code, e.g. ServerDeviceBusy).
 */
export type ReadHook = (start: number, quantity: number) => ExceptionCode | undefined | void;

/**
 * Called before a master's write to this block is committed, with the part of the write inside this block.
 * Return an exception code (usually IllegalDataValue) to reject the whole write: nothing changes anywhere.
 */
export type WriteValidator<T> = (start: number, values: readonly T[]) => ExceptionCode | undefined | void;

/** A contiguous run of registers. Give `length` (zero-filled) or `values` (initial contents). */
export interface RegisterBlock {
  table: RegisterTable;
  /** 0-based wire address of the first register. */
  start: number;
  length?: number;
  values?: ArrayLike<number>;
  /** Holding registers default to 'rw'. Input registers are always read-only on the wire. */
  access?: Access;
  /** For messages and listing. */
  name?: string;
  onRead?: ReadHook;
  validate?: WriteValidator<number>;
}

/** A contiguous run of coils or discrete inputs. */
export interface BitBlock {
  table: BitTable;
  start: number;
  length?: number;
  values?: ArrayLike<boolean>;
  /** Coils default to 'rw'. Discrete inputs are always read-only on the wire. */
  access?: Access;
  name?: string;
  onRead?: ReadHook;
  validate?: WriteValidator<boolean>;
}

/** A committed write from the bus (a Modbus master), delivered synchronously before the response is sent. */
export type WriteEvent =
  | { table: 'holding'; address: number; values: readonly number[] }
  | { table: 'coils'; address: number; values: readonly boolean[] };

export interface RegisterMapOptions {
  /** Default word order for 32-bit values: false = high word first (SunSpec), true = low word first. */
  wordSwap?: boolean;
  /** Answer FC43/14 with these objects; without it FC43 is IllegalFunction. */
  identification?: DeviceIdentification;
  /** Exception for a master's write to a read-only holding register or coil. Default IllegalDataAddress. */
  readOnlyException?: ExceptionCode;
}

interface Block<T extends number | boolean> {
  start: number;
  end: number; // exclusive
  data: T extends number ? Uint16Array : Uint8Array;
  access: Access;
  name: string;
  onRead: ReadHook | undefined;
  validate: WriteValidator<T> | undefined;
}

type AnyBlock = Block<number> | Block<boolean>;

/**
 * A sparse Modbus device.
 *
 * Contract:
 * - Any address not inside a block is a gap: a read or write touching it answers IllegalDataAddress. A request may
 *   span adjacent blocks; it is served only if every address it touches exists.
 * - Master writes are atomic: access and every overlapped block's `validate` are checked first; on any rejection
 *   nothing changes. Then all values are stored and `onWrite` listeners run, synchronously, before the response.
 *   A listener that throws makes the server answer ServerDeviceFailure; the write stays stored.
 * - Local access (`get`/`set`/`getValue`/`setValue`/`getBits`/`setBits`) ignores access modes, validators, hooks
 *   and listeners (it is the model talking to itself), and throws `RangeError` for addresses outside every block.
 * - Blocks may not overlap within a table (`addRegisters`/`addBits` throw `RangeError`).
 */
export class RegisterMap implements ModbusDevice {
  private readonly tables: Record<RegisterTable | BitTable, AnyBlock[]> = { holding: [], input: [], coils: [], discrete: [] };
  private readonly listeners = new Set<(e: WriteEvent) => void>();
  private readonly wordSwap: boolean;
  private readonly readOnlyException: ExceptionCode;

  constructor(options: RegisterMapOptions = {}) {
    this.wordSwap = options.wordSwap ?? false;
    this.setIdentification(options.identification);
    this.readOnlyException = options.readOnlyException ?? ExceptionCode.IllegalDataAddress;
  }

  /** Add a block of holding or input registers. Returns `this` for chaining. */
  addRegisters(block: RegisterBlock): this {
    const length = block.length ?? block.values?.length ?? 0;
    const data = new Uint16Array(length);
    if (block.values) {
      if (block.values.length > length) throw new RangeError(`block ${label(block)}: ${block.values.length} values for length ${length}`);
      for (let i = 0; i < block.values.length; i++) {
        const v = block.values[i]!;
        if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`block ${label(block)}: value ${v} is not a register`);
        data[i] = v;
      }
    }
    this.insert(block.table, {
      start: block.start,
      end: block.start + length,
      data,
      access: block.table === 'input' ? 'ro' : (block.access ?? 'rw'),
      name: label(block),
      onRead: block.onRead,
      validate: block.validate,
    } as Block<number>);
    return this;
  }

  /** Add a block of coils or discrete inputs. Returns `this` for chaining. */
  addBits(block: BitBlock): this {
    const length = block.length ?? block.values?.length ?? 0;
    const data = new Uint8Array(length);
    if (block.values) {
      if (block.values.length > length) throw new RangeError(`block ${label(block)}: ${block.values.length} values for length ${length}`);
      for (let i = 0; i < block.values.length; i++) data[i] = block.values[i] ? 1 : 0;
    }
    this.insert(block.table, {
      start: block.start,
      end: block.start + length,
      data,
      access: block.table === 'discrete' ? 'ro' : (block.access ?? 'rw'),
      name: label(block),
      onRead: block.onRead,
      validate: block.validate,
    } as Block<boolean>);
    return this;
  }

  /** Set or replace the FC43/14 identification objects. */
  setIdentification(id: DeviceIdentification | undefined): void {
    if (id) {
      const copy = { ...id };
      this.identification = () => copy;
    } else {
      delete this.identification;
    }
  }

  /** Listen to committed master writes. Returns an unsubscribe function. */
  onWrite(listener: (e: WriteEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Blocks of a table, in address order: `{ start, length, access, name }`. */
  blocks(table: RegisterTable | BitTable): Array<{ start: number; length: number; access: Access; name: string }> {
    return this.tables[table].map((b) => ({ start: b.start, length: b.end - b.start, access: b.access, name: b.name }));
  }

  // ---- ModbusDevice (the wire side) ----

  readHoldingRegisters(address: number, quantity: number): ArrayLike<number> | ExceptionCode {
    return this.readRegs('holding', address, quantity);
  }

  readInputRegisters(address: number, quantity: number): ArrayLike<number> | ExceptionCode {
    return this.readRegs('input', address, quantity);
  }

  readCoils(address: number, quantity: number): boolean[] | ExceptionCode {
    return this.readBitsWire('coils', address, quantity);
  }

  readDiscreteInputs(address: number, quantity: number): boolean[] | ExceptionCode {
    return this.readBitsWire('discrete', address, quantity);
  }

  writeRegisters(address: number, values: ArrayLike<number>): ExceptionCode | undefined {
    const vals = Array.from(values);
    const err = this.checkWrite('holding', address, vals);
    if (err !== undefined) return err;
    this.store('holding', address, vals);
    this.emit({ table: 'holding', address, values: vals });
    return undefined;
  }

  writeCoils(address: number, values: readonly boolean[]): ExceptionCode | undefined {
    const vals = [...values];
    const err = this.checkWrite('coils', address, vals);
    if (err !== undefined) return err;
    this.store('coils', address, vals);
    this.emit({ table: 'coils', address, values: vals });
    return undefined;
  }

  /** FC43/14 objects; absent (FC43 answered IllegalFunction) until identification is given. */
  identification?: () => DeviceIdentification;

  // ---- local access (the model side) ----

  /** Current register values (copy). Throws `RangeError` for a gap. */
  get(table: RegisterTable, address: number, quantity = 1): number[] {
    return Array.from(this.span(table, address, quantity, true));
  }

  /** Store register values without validators or listeners. Throws `RangeError` for a gap or a non-16-bit value. */
  set(table: RegisterTable, address: number, values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${table} ${address + i}: ${v} is not a register value`);
    }
    this.locate(table, address, values.length, true);
    this.store(table, address, Array.from(values));
  }

  /** Read a typed value (u16/s16/u32/s32/float32). `wordSwap` overrides the map's word order. */
  getValue(table: RegisterTable, address: number, type: WordType, wordSwap = this.wordSwap): number {
    return fromWords(type, this.get(table, address, wordCount(type)), wordSwap);
  }

  /** Store a typed value. Throws `EncodeError` if it does not fit the type, `RangeError` for a gap. */
  setValue(table: RegisterTable, address: number, type: WordType, value: number, wordSwap = this.wordSwap): void {
    this.set(table, address, toWords(type, value, wordSwap));
  }

  /** Read a NUL-padded string of `words` registers. */
  getString(table: RegisterTable, address: number, words: number): string {
    return wordsToString(this.get(table, address, words));
  }

  /** Store a string into `words` registers, NUL padded. Throws `EncodeError` if it does not fit. */
  setString(table: RegisterTable, address: number, words: number, text: string): void {
    this.set(table, address, stringToWords(text, words));
  }

  /** Current bits (copy). Throws `RangeError` for a gap. */
  getBits(table: BitTable, address: number, quantity = 1): boolean[] {
    const out: boolean[] = [];
    for (const [b, off, n] of this.locate(table, address, quantity, true)!) {
      for (let i = 0; i < n; i++) out.push(b.data[off + i] === 1);
    }
    return out;
  }

  /** Store bits without validators or listeners. Throws `RangeError` for a gap. */
  setBits(table: BitTable, address: number, values: readonly boolean[]): void {
    this.locate(table, address, values.length, true);
    this.store(table, address, [...values]);
  }

  // ---- internals ----

  private insert(table: RegisterTable | BitTable, block: AnyBlock): void {
    if (!Number.isInteger(block.start) || block.start < 0 || block.end > 0x10000 || block.end <= block.start) {
      throw new RangeError(`block ${block.name}: ${table} ${block.start}..${block.end - 1} is not inside 0..65535 or is empty`);
    }
    const list = this.tables[table];
    for (const b of list) {
      if (block.start < b.end && b.start < block.end) {
        throw new RangeError(`block ${block.name} (${table} ${block.start}..${block.end - 1}) overlaps ${b.name} (${b.start}..${b.end - 1})`);
      }
    }
    list.push(block);
    list.sort((a, b) => a.start - b.start);
  }

  /** The block containing `address`, by binary search. */
  private find(list: AnyBlock[], address: number): AnyBlock | undefined {
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = list[mid]!;
      if (address < b.start) hi = mid - 1;
      else if (address >= b.end) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  /**
   * The pieces [block, offset, count] covering [address, address + quantity), or undefined if any address is a gap
   * (or a `RangeError` when `strict`).
   */
  private locate(table: RegisterTable | BitTable, address: number, quantity: number, strict: boolean): Array<[AnyBlock, number, number]> | undefined {
    const list = this.tables[table];
    const pieces: Array<[AnyBlock, number, number]> = [];
    let a = address;
    const end = address + quantity;
    while (a < end) {
      const b = this.find(list, a);
      if (!b) {
        if (strict) throw new RangeError(`${table} ${a} is not in any block`);
        return undefined;
      }
      const n = Math.min(end, b.end) - a;
      pieces.push([b, a - b.start, n]);
      a += n;
    }
    return pieces;
  }

  private span(table: RegisterTable, address: number, quantity: number, strict: boolean): ArrayLike<number> {
    const pieces = this.locate(table, address, quantity, strict)!;
    if (pieces.length === 1) {
      const [b, off, n] = pieces[0]!;
      return (b.data as Uint16Array).subarray(off, off + n);
    }
    const out = new Uint16Array(quantity);
    let o = 0;
    for (const [b, off, n] of pieces) {
      out.set((b.data as Uint16Array).subarray(off, off + n), o);
      o += n;
    }
    return out;
  }

  private runReadHooks(pieces: Array<[AnyBlock, number, number]>): ExceptionCode | undefined {
    for (const [b, off, n] of pieces) {
      if (!b.onRead) continue;
      const r = b.onRead(b.start + off, n);
      if (typeof r === 'number') return r;
    }
    return undefined;
  }

  private readRegs(table: RegisterTable, address: number, quantity: number): ArrayLike<number> | ExceptionCode {
    const pieces = this.locate(table, address, quantity, false);
    if (!pieces) return ExceptionCode.IllegalDataAddress;
    const err = this.runReadHooks(pieces);
    if (err !== undefined) return err;
    if (pieces.length === 1) {
      const [b, off, n] = pieces[0]!;
      // A copy: the caller may keep it, and a later write must not change what was read.
      return (b.data as Uint16Array).slice(off, off + n);
    }
    return this.span(table, address, quantity, false);
  }

  private readBitsWire(table: BitTable, address: number, quantity: number): boolean[] | ExceptionCode {
    const pieces = this.locate(table, address, quantity, false);
    if (!pieces) return ExceptionCode.IllegalDataAddress;
    const err = this.runReadHooks(pieces);
    if (err !== undefined) return err;
    const out = new Array<boolean>(quantity);
    let o = 0;
    for (const [b, off, n] of pieces) for (let i = 0; i < n; i++) out[o++] = b.data[off + i] === 1;
    return out;
  }

  private checkWrite<T extends number | boolean>(table: 'holding' | 'coils', address: number, values: T[]): ExceptionCode | undefined {
    const pieces = this.locate(table, address, values.length, false);
    if (!pieces) return ExceptionCode.IllegalDataAddress;
    for (const [b] of pieces) if (b.access === 'ro') return this.readOnlyException;
    let o = 0;
    for (const [b, off, n] of pieces) {
      const validate = b.validate as WriteValidator<T> | undefined;
      if (validate) {
        const r = validate(b.start + off, values.slice(o, o + n));
        if (typeof r === 'number') return r;
      }
      o += n;
    }
    return undefined;
  }

  private store(table: RegisterTable | BitTable, address: number, values: Array<number | boolean>): void {
    const pieces = this.locate(table, address, values.length, true)!;
    let o = 0;
    for (const [b, off, n] of pieces) {
      for (let i = 0; i < n; i++) {
        const v = values[o + i]!;
        b.data[off + i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      }
      o += n;
    }
  }

  private emit(e: WriteEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function label(b: { name?: string; table: string; start: number }): string {
  return b.name ?? `${b.table}@${b.start}`;
}

/**
 * A write validator accepting values in [min, max], read as u16 or (with `signed`) s16; anything else is
 * IllegalDataValue.
 */
export function rangeValidator(min: number, max: number, signed = false): WriteValidator<number> {
  return (_start, values) => {
    for (const raw of values) {
      const v = signed ? (raw << 16) >> 16 : raw;
      if (v < min || v > max) return ExceptionCode.IllegalDataValue;
    }
    return undefined;
  };
}
