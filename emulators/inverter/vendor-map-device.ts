/**
 * Serves an inverter through a declarative vendor map (see vendor-map.ts). Holding and input tables are separate.
 *
 * Contract: reads refresh from the model; a read touching an address no entry covers answers IllegalDataAddress
 * (or zeros with `gaps: zero`); a read covering part of a 32-bit entry returns those words. Writes must cover whole
 * RW entries (else IllegalDataAddress); a value outside the control's range or the entry's min/max answers
 * IllegalDataValue. Requests are atomic: all entries are checked before any command is sent. A quantity the model
 * lacks (no battery) reads as the type's not-available pattern (0xFFFF, 0x8000, 0xFFFFFFFF, 0x80000000, NaN).
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import type { DeviceIdentification, ModbusDevice } from '../../protocols/modbus/device';
import type { Inverter } from './inverter';
import { CONTROLS, QUANTITIES } from './quantities';
import { REGISTER_WORDS } from './vendor-map';
import type { VendorMap, VendorRegister } from './vendor-map';

const NA: Record<VendorRegister['type'], number[]> = {
  uint16: [0xffff],
  int16: [0x8000],
  uint32: [0xffff, 0xffff],
  int32: [0x8000, 0],
  float32: [0x7fc0, 0],
};

function encode(r: VendorRegister, value: number | undefined, order: 'big' | 'little'): number[] {
  let words: number[];
  if (value === undefined || !Number.isFinite(value)) words = NA[r.type].slice();
  else {
    const raw = r.type === 'float32' ? value / r.scale : Math.round(value / r.scale);
    const b = Buffer.alloc(4);
    switch (r.type) {
      case 'uint16':
        words = [Math.min(0xfffe, Math.max(0, raw))];
        break;
      case 'int16':
        words = [Math.min(32767, Math.max(-32767, raw)) & 0xffff];
        break;
      case 'uint32':
        b.writeUInt32BE(Math.min(0xfffffffe, Math.max(0, raw)));
        words = [b.readUInt16BE(0), b.readUInt16BE(2)];
        break;
      case 'int32':
        b.writeInt32BE(Math.min(0x7fffffff, Math.max(-0x7fffffff, raw)));
        words = [b.readUInt16BE(0), b.readUInt16BE(2)];
        break;
      case 'float32':
        b.writeFloatBE(raw);
        words = [b.readUInt16BE(0), b.readUInt16BE(2)];
        break;
    }
  }
  return order === 'little' && words.length === 2 ? [words[1]!, words[0]!] : words;
}

function decode(r: VendorRegister, words: number[], order: 'big' | 'little'): number {
  const w = order === 'little' && words.length === 2 ? [words[1]!, words[0]!] : words;
  const b = Buffer.alloc(4);
  b.writeUInt16BE(w[0]! & 0xffff, 0);
  if (w.length === 2) b.writeUInt16BE(w[1]! & 0xffff, 2);
  let raw: number;
  switch (r.type) {
    case 'uint16':
      raw = b.readUInt16BE(0);
      break;
    case 'int16':
      raw = b.readInt16BE(0);
      break;
    case 'uint32':
      raw = b.readUInt32BE(0);
      break;
    case 'int32':
      raw = b.readInt32BE(0);
      break;
    case 'float32':
      raw = b.readFloatBE(0);
      break;
  }
  return raw * r.scale;
}

export class VendorMapDevice implements ModbusDevice {
  private readonly index: Record<'holding' | 'input', Map<number, { reg: VendorRegister; word: number }>> = { holding: new Map(), input: new Map() };

  constructor(
    readonly inverter: Inverter,
    readonly map: VendorMap,
  ) {
    for (const reg of map.registers) {
      for (let k = 0; k < REGISTER_WORDS[reg.type]; k++) this.index[reg.table].set(reg.address + k, { reg, word: k });
    }
  }

  /** The current value of an entry, in its unit (what a client decodes). */
  valueOf(reg: VendorRegister): number | undefined {
    if (reg.constant !== undefined) return reg.constant;
    if (reg.drives !== undefined) return CONTROLS[reg.drives]!.read(this.inverter);
    return QUANTITIES[reg.mirrors!]!(this.inverter);
  }

  private read(table: 'holding' | 'input', address: number, quantity: number): Uint16Array | ExceptionCode {
    const out = new Uint16Array(quantity);
    const cache = new Map<VendorRegister, number[]>();
    for (let i = 0; i < quantity; i++) {
      const hit = this.index[table].get(address + i);
      if (!hit) {
        if (this.map.gaps === 'zero') continue;
        return ExceptionCode.IllegalDataAddress;
      }
      let words = cache.get(hit.reg);
      if (!words) {
        words = encode(hit.reg, this.valueOf(hit.reg), this.map.wordOrder);
        cache.set(hit.reg, words);
      }
      out[i] = words[hit.word]!;
    }
    return out;
  }

  readHoldingRegisters(address: number, quantity: number): Uint16Array | ExceptionCode {
    return this.read('holding', address, quantity);
  }

  readInputRegisters(address: number, quantity: number): Uint16Array | ExceptionCode {
    return this.read('input', address, quantity);
  }

  writeRegisters(address: number, values: ArrayLike<number>): ExceptionCode | undefined {
    const plan: Array<{ reg: VendorRegister; value: number }> = [];
    let i = 0;
    while (i < values.length) {
      const hit = this.index.holding.get(address + i);
      if (!hit || hit.word !== 0 || hit.reg.access !== 'RW') return ExceptionCode.IllegalDataAddress;
      const n = REGISTER_WORDS[hit.reg.type];
      if (i + n > values.length) return ExceptionCode.IllegalDataAddress;
      const value = decode(hit.reg, Array.from({ length: n }, (_, k) => values[i + k]!), this.map.wordOrder);
      const ctl = CONTROLS[hit.reg.drives!]!;
      const lo = Math.max(ctl.min, hit.reg.min ?? -Infinity);
      const hi = Math.min(ctl.max(this.inverter), hit.reg.max ?? Infinity);
      if (!Number.isFinite(value) || value < lo - 1e-9 || value > hi + 1e-9) return ExceptionCode.IllegalDataValue;
      plan.push({ reg: hit.reg, value });
      i += n;
    }
    for (const p of plan) this.inverter.command(CONTROLS[p.reg.drives!]!.command(this.inverter, p.value));
    return undefined;
  }

  identification(): DeviceIdentification {
    return { vendorName: this.map.vendor ?? this.map.name, productCode: this.map.name, majorMinorRevision: this.inverter.identity.version };
  }
}
