/**
 * Serves one unit-id layout of a declarative vendor map (see vendor-map.ts). Holding and input tables are separate
 * unless the map says `tables: shared` (function codes 3 and 4 then read the same registers).
 *
 * Contract: reads refresh from the model; a read longer than the map's `maxReadRegisters` (or a write longer than
 * `maxWriteRegisters`) answers the map's `overLimitException`; a read touching an address no entry covers answers
 * IllegalDataAddress (or zeros with `gaps: zero`); a read covering part of a 32-bit entry returns those words.
 * Writes must cover whole RW entries (else IllegalDataAddress); a value outside the control's range, the entry's
 * min/max or its enum table answers IllegalDataValue. Requests are atomic: all entries are checked before any
 * setting is stored or command sent. A quantity the model lacks (no battery) reads as the type's not-available
 * pattern (0xFFFF, 0x8000, 0xFFFFFFFF, 0x80000000, NaN).
 *
 * With a `sunspec` section the unit also serves that SunSpec chain (vendor-sunspec.ts) from its base through the end
 * marker, as one device (Fronius: SunSpec and the Fronius registers on one unit id): a request wholly inside the
 * chain goes to it (function 3 or 4, the map's read/write limits apply), one straddling the chain's edge answers
 * IllegalDataAddress, anything else goes to the registers. Registers inside the chain's range are a ConfigError.
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import type { DeviceIdentification, ModbusDevice } from '../../protocols/modbus/device';
import type { Inverter } from './inverter';
import { CONTROLS, ENUM_QUANTITIES, QUANTITIES, TEXT_QUANTITIES } from './quantities';
import { VendorBehaviourEngine } from './vendor-behaviour';
import { decodeRaw, encodeNumber, encodeText } from './vendor-codec';
import type { VendorLayout, VendorMap, VendorRegister } from './vendor-map';
import { buildVendorSunSpec } from './vendor-sunspec';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec';
import { ConfigError } from '../../core/errors';

export class VendorMapDevice implements ModbusDevice {
  private readonly index: Record<'holding' | 'input', Map<number, { reg: VendorRegister; word: number }>> = { holding: new Map(), input: new Map() };
  readonly layout: VendorLayout;
  readonly engine: VendorBehaviourEngine;
  /** The map's SunSpec chain on this unit, if it has one. */
  readonly sunspec: SunSpecDevice | undefined;

  /**
   * @param layout which unit-id layout to serve (default the first).
   * @param engine the map's behaviour, shared by every unit of one inverter (default: a new one).
   * @param sunspec the map's SunSpec chain (vendorMapUnits builds it from the map's `sunspec` section).
   */
  constructor(
    readonly inverter: Inverter,
    readonly map: VendorMap,
    options: { layout?: VendorLayout; engine?: VendorBehaviourEngine; sunspec?: SunSpecDevice } = {},
  ) {
    this.layout = options.layout ?? map.layouts[0]!;
    this.engine = options.engine ?? new VendorBehaviourEngine(inverter, map);
    this.sunspec = options.sunspec;
    const ss = this.sunspec;
    if (ss) {
      const clash = this.layout.registers.find((r) => r.address + r.words > ss.base && r.address < ss.endAddress + 2);
      if (clash) throw new ConfigError(`register '${clash.name}' lies inside the SunSpec chain (wire ${ss.base}-${ss.endAddress + 1})`, clash.location);
    }
    for (const reg of this.layout.registers) {
      for (let k = 0; k < reg.words; k++) this.index[reg.table].set(reg.address + k, { reg, word: k });
    }
    if (map.tables === 'shared') this.index.input = this.index.holding;
  }

  private scaleOf(reg: VendorRegister): number {
    if (reg.scaleRegister === undefined) return reg.scale;
    const sf = this.layout.registers.find((r) => r.name === reg.scaleRegister);
    return 10 ** Number(sf?.constant ?? 0);
  }

  /** The current value of a numeric entry, in its unit (what a client decodes); for enum quantities the raw code. */
  valueOf(reg: VendorRegister): number | undefined {
    if (typeof reg.constant === 'number') return reg.constant;
    if (reg.drives !== undefined) return CONTROLS[reg.drives]!.read(this.inverter);
    if (reg.setting !== undefined) return this.engine.get(reg.setting);
    if (reg.bits !== undefined) {
      let v = 0;
      for (const [bit, q] of Object.entries(reg.bits)) if ((QUANTITIES[q]!(this.inverter) ?? 0) !== 0) v |= 1 << Number(bit);
      return v >>> 0;
    }
    const e = reg.mirrors !== undefined ? ENUM_QUANTITIES[reg.mirrors] : undefined;
    if (e) {
      const sym = e.read(this.inverter);
      return (sym !== undefined ? this.map.enums[reg.enum!]?.[sym] : undefined) ?? reg.default;
    }
    return reg.mirrors !== undefined ? QUANTITIES[reg.mirrors]?.(this.inverter) : undefined;
  }

  private wordsOf(reg: VendorRegister): number[] {
    if (reg.type === 'string') {
      const text = typeof reg.constant === 'string' ? reg.constant : reg.mirrors !== undefined ? (TEXT_QUANTITIES[reg.mirrors]?.(this.inverter) ?? '') : '';
      return encodeText(reg, text);
    }
    const raw = reg.bits !== undefined || (reg.mirrors !== undefined && reg.mirrors in ENUM_QUANTITIES);
    const v = this.valueOf(reg);
    return encodeNumber(reg, raw || v === undefined ? v : v - reg.offset, raw ? 1 : this.scaleOf(reg));
  }

  /** 'in': wholly inside the SunSpec chain; 'edge': partly; 'out': not at all (or no chain). */
  private chain(address: number, quantity: number): 'in' | 'edge' | 'out' {
    const ss = this.sunspec;
    if (!ss) return 'out';
    const end = ss.endAddress + 2;
    if (address >= ss.base && address + quantity <= end) return 'in';
    return address < end && address + quantity > ss.base ? 'edge' : 'out';
  }

  private read(table: 'holding' | 'input', address: number, quantity: number): Uint16Array | ExceptionCode {
    if (quantity > this.map.limits.maxReadRegisters) return this.map.limits.overLimitException as ExceptionCode;
    const where = this.chain(address, quantity);
    if (where === 'edge') return ExceptionCode.IllegalDataAddress;
    if (where === 'in') return this.sunspec!.readHoldingRegisters(address, quantity);
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
        words = this.wordsOf(hit.reg);
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
    if (values.length > this.map.limits.maxWriteRegisters) return this.map.limits.overLimitException as ExceptionCode;
    const where = this.chain(address, values.length);
    if (where === 'edge') return ExceptionCode.IllegalDataAddress;
    if (where === 'in') return this.sunspec!.writeRegisters(address, values);
    const controls: Array<{ reg: VendorRegister; value: number }> = [];
    const settings: Array<{ setting: string; value: number }> = [];
    let i = 0;
    while (i < values.length) {
      const hit = this.index.holding.get(address + i);
      if (!hit || hit.word !== 0 || hit.reg.access !== 'RW') return ExceptionCode.IllegalDataAddress;
      const reg = hit.reg;
      const n = reg.words;
      if (i + n > values.length) return ExceptionCode.IllegalDataAddress;
      const raw = decodeRaw(reg, Array.from({ length: n }, (_, k) => values[i + k]!));
      const value = raw * this.scaleOf(reg) + reg.offset;
      if (reg.enum !== undefined && !Object.values(this.map.enums[reg.enum] ?? {}).includes(raw)) return ExceptionCode.IllegalDataValue;
      let lo = reg.min ?? -Infinity;
      let hi = reg.max ?? Infinity;
      if (reg.drives !== undefined) {
        const ctl = CONTROLS[reg.drives]!;
        lo = Math.max(ctl.min, lo);
        hi = Math.min(ctl.max(this.inverter), hi);
      }
      if (!Number.isFinite(value) || value < lo - 1e-9 || value > hi + 1e-9) return ExceptionCode.IllegalDataValue;
      if (reg.drives !== undefined) controls.push({ reg, value });
      else settings.push({ setting: reg.setting!, value });
      i += n;
    }
    for (const p of controls) this.inverter.command(CONTROLS[p.reg.drives!]!.command(this.inverter, p.value));
    if (settings.length > 0) this.engine.write(settings);
    return undefined;
  }

  identification(): DeviceIdentification {
    return { vendorName: this.map.vendor ?? this.map.name, productCode: this.map.model ?? this.map.name, majorMinorRevision: this.inverter.identity.version };
  }
}

/**
 * One device per unit id of a map, sharing one behaviour engine (and, with a `sunspec` section, one SunSpec chain);
 * `tick` before each model step, `step(dt)` after it (the chain's energy counters). `startWeekday` (0 Sunday .. 6
 * Saturday) is the run's first day for the behaviour's weekday masks.
 */
export function vendorMapUnits(
  inverter: Inverter,
  map: VendorMap,
  options: { startWeekday?: number } = {},
): { units: Map<number, VendorMapDevice>; engine: VendorBehaviourEngine; step(dt: number): void } {
  const engine = new VendorBehaviourEngine(inverter, map, options.startWeekday ?? 0);
  const units = new Map<number, VendorMapDevice>();
  const chain = map.sunspec ? buildVendorSunSpec(inverter, map.sunspec, { ...(map.vendor !== undefined ? { vendor: map.vendor } : {}), ...(map.model !== undefined ? { model: map.model } : {}) }) : undefined;
  for (const layout of map.layouts) {
    const dev = new VendorMapDevice(inverter, map, { layout, engine, ...(chain ? { sunspec: chain.device } : {}) });
    const ids = map.layouts.length === 1 ? map.limits.unitIds : layout.unitIds;
    for (const id of ids) units.set(id, dev);
  }
  return { units, engine, step: (dt) => chain?.step(dt) };
}
