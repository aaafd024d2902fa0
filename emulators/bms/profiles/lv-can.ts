import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';

/** LV CAN ("Pylontech") ids, PROTOCOLS.md; same as fixtures/dbc/pylon-lv.dbc and sma-lv.dbc. */
export const LV_CAN_ID = {
  limits: 0x351,
  socSoh: 0x355,
  measurements: 0x356,
  protections: 0x359,
  alarmsWarnings: 0x35a,
  events: 0x35b,
  requests: 0x35c,
  manufacturer: 0x35e,
  info: 0x35f,
  name1: 0x370,
  name2: 0x371,
  moduleCounts: 0x372,
  cellExtremes: 0x373,
  capacity: 0x379,
  /** Inverter heartbeat, received. */
  heartbeat: 0x305,
} as const;

/** One message of the LV family, defined once for every variant. */
export type LvCanMessage =
  | 'limits'
  | 'socSoh'
  | 'measurements'
  | 'protections'
  | 'alarmsWarnings'
  | 'events'
  | 'requests'
  | 'manufacturer'
  | 'info'
  | 'name1'
  | 'name2'
  | 'moduleCounts'
  | 'cellExtremes'
  | 'capacity';

/**
 * A variant of the LV protocol as data (PROTOCOLS.md "LV battery-to-inverter CAN"): byte order of the 16/32-bit
 * fields (bytes stay at the same offsets; only their order inside a field changes), the order of the two current
 * limits in 0x351, the cycle, the messages always sent and the optional (Victron-style) extensions.
 */
export interface LvCanVariant {
  readonly name: string;
  readonly littleEndian: boolean;
  /** 0x351 bytes 2-3 / 4-5: 'charge-first' (Pylontech) or 'discharge-first' (SMA). */
  readonly limitsOrder: 'charge-first' | 'discharge-first';
  readonly periodMs: number;
  readonly messages: readonly LvCanMessage[];
  /** Sent too when the encoder is built with `extensions: true`. */
  readonly extensions: readonly LvCanMessage[];
  /** Default 0x35E name. */
  readonly manufacturer: string;
}

/** Pylontech: little-endian, 1 s; Victron extensions 0x35A, 0x35F, 0x370-0x373, 0x379 (fixtures/dbc/pylon-lv.dbc). */
export const PYLON_LV: LvCanVariant = {
  name: 'pylon',
  littleEndian: true,
  limitsOrder: 'charge-first',
  periodMs: 1000,
  messages: ['limits', 'socSoh', 'measurements', 'protections', 'requests', 'manufacturer'],
  extensions: ['alarmsWarnings', 'info', 'name1', 'name2', 'moduleCounts', 'cellExtremes', 'capacity'],
  manufacturer: 'PYLON',
};

/** SMA: big-endian, discharge before charge current, 100 ms, adds 0x35A/0x35B/0x35F (fixtures/dbc/sma-lv.dbc). */
export const SMA_LV: LvCanVariant = {
  name: 'sma',
  littleEndian: false,
  limitsOrder: 'discharge-first',
  periodMs: 100,
  messages: ['limits', 'socSoh', 'measurements', 'alarmsWarnings', 'events', 'manufacturer', 'info'],
  extensions: [],
  manufacturer: 'SMA',
};

export const LV_CAN_VARIANTS: Readonly<Record<string, LvCanVariant>> = { pylon: PYLON_LV, sma: SMA_LV };

export interface LvCanOptions {
  /** Variant name or table (default 'pylon'). */
  variant?: 'pylon' | 'sma' | LvCanVariant;
  /** Also send the variant's extension messages (default false: the six classic Pylontech frames). */
  extensions?: boolean;
  /** 0x35E name, padded/truncated to 8 ASCII bytes (default the variant's, space padded). */
  manufacturer?: string;
  /** 0x359 byte 4: number of packs (default 1). */
  packCount?: number;
  /** 0x370/0x371 BMS name, up to 16 ASCII characters (default "HIL-BMS"). */
  bmsName?: string;
  /** 0x35F battery type / model code (default 1). */
  batteryType?: number;
  /** 0x35F BMS firmware version, e.g. 0x0102 for 1.2 (default 0x0100). */
  firmwareVersion?: number;
  /** 0x35F manufacturer id (default 0). */
  manufacturerId?: number;
}

const LENGTH: Record<LvCanMessage, number> = {
  limits: 8,
  socSoh: 6,
  measurements: 6,
  protections: 7,
  alarmsWarnings: 8,
  events: 8,
  requests: 2,
  manufacturer: 8,
  info: 8,
  name1: 8,
  name2: 8,
  moduleCounts: 8,
  cellExtremes: 8,
  capacity: 2,
};

interface Slot {
  readonly kind: LvCanMessage;
  readonly data: Uint8Array;
  readonly view: DataView;
}

/**
 * Encoder for the LV CAN battery broadcast, one codec for the whole family: the variant (data) says which
 * messages, which byte order and which limit order. Scales are those of PROTOCOLS.md and the variant's DBC.
 * Frames are allocated once; `encode` rewrites their payloads in place from a snapshot and returns them (hand
 * them to `CanBus.send`, which copies). Values outside a field's range saturate instead of wrapping; NaN sends 0.
 * It does not look at `commsLost`: the sender decides.
 */
export class LvCanEncoder {
  readonly variant: LvCanVariant;
  readonly frames: readonly CanFrame[];
  private readonly slots: Slot[];
  private readonly le: boolean;

  constructor(options: LvCanOptions = {}) {
    const v = options.variant ?? 'pylon';
    const variant = typeof v === 'string' ? LV_CAN_VARIANTS[v] : v;
    if (!variant) throw new RangeError(`unknown LV CAN variant '${String(v)}' (known: ${Object.keys(LV_CAN_VARIANTS).join(', ')})`);
    this.variant = variant;
    this.le = variant.littleEndian;
    const kinds = options.extensions ? [...variant.messages, ...variant.extensions] : [...variant.messages];
    this.slots = kinds.map((kind) => {
      const data = new Uint8Array(LENGTH[kind]);
      return { kind, data, view: new DataView(data.buffer) };
    });
    this.frames = this.slots.map((s) => ({ id: LV_CAN_ID[s.kind], extended: false, data: s.data }));
    // Constant payloads.
    for (const s of this.slots) {
      if (s.kind === 'manufacturer') ascii(s.data, options.manufacturer ?? variant.manufacturer, 0x20);
      else if (s.kind === 'protections') {
        s.data[4] = clampInt(options.packCount ?? 1, 0, 255);
        s.data[5] = 0x50; // 'P'
        s.data[6] = 0x4e; // 'N'
      } else if (s.kind === 'name1' || s.kind === 'name2') {
        const name = (options.bmsName ?? 'HIL-BMS').padEnd(16, ' ');
        ascii(s.data, s.kind === 'name1' ? name.slice(0, 8) : name.slice(8, 16), 0x20);
      } else if (s.kind === 'info') {
        s.view.setUint16(0, clampInt(options.batteryType ?? 1, 0, 0xffff), this.le);
        s.view.setUint16(2, clampInt(options.firmwareVersion ?? 0x0100, 0, 0xffff), this.le);
        s.view.setUint16(6, clampInt(options.manufacturerId ?? 0, 0, 0xffff), this.le);
      }
    }
  }

  encode(s: Readonly<BmsSnapshot>): readonly CanFrame[] {
    const le = this.le;
    for (const slot of this.slots) {
      const v = slot.view;
      const d = slot.data;
      switch (slot.kind) {
        case 'limits': {
          const first = this.variant.limitsOrder === 'charge-first' ? s.chargeCurrentLimit : s.dischargeCurrentLimit;
          const second = this.variant.limitsOrder === 'charge-first' ? s.dischargeCurrentLimit : s.chargeCurrentLimit;
          v.setUint16(0, u16(s.chargeVoltageLimit * 10), le);
          v.setInt16(2, s16(first * 10), le);
          v.setInt16(4, s16(second * 10), le);
          v.setUint16(6, u16(s.dischargeVoltageLimit * 10), le);
          break;
        }
        case 'socSoh':
          v.setUint16(0, u16(s.soc * 100), le);
          v.setUint16(2, u16(s.soh * 100), le);
          v.setUint16(4, u16(s.soc * 10000), le);
          break;
        case 'measurements':
          v.setInt16(0, s16(s.packVoltage * 100), le);
          v.setInt16(2, s16(s.current * 10), le);
          v.setInt16(4, s16(s.tempAvg * 10), le);
          break;
        case 'protections': {
          const a = s.alarms;
          const w = s.warnings;
          d[0] = protectionBits(a);
          d[1] = a & BmsFlag.ChargeOverCurrent ? 1 : 0;
          d[2] = protectionBits(w);
          d[3] = (w & BmsFlag.ChargeOverCurrent ? 1 : 0) | (w & BmsFlag.InternalComms ? 0x08 : 0);
          break;
        }
        case 'alarmsWarnings':
          pairs(d, 0, s.alarms);
          pairs(d, 4, s.warnings);
          break;
        case 'events': {
          const a = s.alarms;
          v.setUint16(0, a === 0 ? 0 : 31 - Math.clz32(a & -a) + 1, le);
          v.setUint32(2, a >>> 0, le);
          d[6] = s.counters.alarmEvents & 0xff;
          break;
        }
        case 'requests':
          d[0] = (s.chargeEnable ? 0x80 : 0) | (s.dischargeEnable ? 0x40 : 0) | (s.forceCharge1 ? 0x20 : 0) | (s.forceCharge2 ? 0x10 : 0);
          break;
        case 'info':
          v.setUint16(4, u16(s.fullChargeAh), le);
          break;
        case 'moduleCounts': {
          const n = u16(s.modules);
          v.setUint16(0, s.commsLost ? 0 : n, le);
          v.setUint16(2, s.chargeEnable ? 0 : n, le);
          v.setUint16(4, s.dischargeEnable ? 0 : n, le);
          v.setUint16(6, s.alarms & BmsFlag.InternalComms ? n : 0, le);
          break;
        }
        case 'cellExtremes':
          v.setUint16(0, u16(s.cellVMin * 1000), le);
          v.setUint16(2, u16(s.cellVMax * 1000), le);
          v.setUint16(4, u16(s.cellTMin + 273.15), le);
          v.setUint16(6, u16(s.cellTMax + 273.15), le);
          break;
        case 'capacity':
          v.setUint16(0, u16(s.nominalAh), le);
          break;
        default:
          break; // constant payloads (manufacturer, names)
      }
    }
    return this.frames;
  }
}

/** 0x359 byte 0 / byte 2 layout: b1 OV, b2 UV, b3 OT, b4 UT, b7 discharge OC. */
function protectionBits(mask: number): number {
  return (
    (mask & BmsFlag.CellOverVoltage ? 0x02 : 0) |
    (mask & BmsFlag.CellUnderVoltage ? 0x04 : 0) |
    (mask & BmsFlag.OverTemperature ? 0x08 : 0) |
    (mask & BmsFlag.UnderTemperature ? 0x10 : 0) |
    (mask & BmsFlag.DischargeOverCurrent ? 0x80 : 0)
  );
}

/**
 * 0x35A: thirteen 2-bit conditions from byte `at` (1 ok, 2 active), in DBC order: general, high V, low V, high T,
 * low T, high T charge, low T charge, high discharge I, high charge I, contactor, short circuit, BMS internal,
 * cell imbalance. The same byte positions serve both byte orders (2-bit fields do not cross a byte).
 */
function pairs(d: Uint8Array, at: number, mask: number): void {
  const st = (on: number): number => (on !== 0 ? 2 : 1);
  const internal = mask & (BmsFlag.InternalFault | BmsFlag.InternalComms | BmsFlag.SensorFault);
  const conds = [
    mask,
    mask & BmsFlag.CellOverVoltage,
    mask & BmsFlag.CellUnderVoltage,
    mask & BmsFlag.OverTemperature,
    mask & BmsFlag.UnderTemperature,
    mask & BmsFlag.OverTemperature,
    mask & BmsFlag.UnderTemperature,
    mask & BmsFlag.DischargeOverCurrent,
    mask & BmsFlag.ChargeOverCurrent,
    mask & BmsFlag.ContactorFault,
    0,
    internal,
    mask & BmsFlag.CellImbalance,
  ];
  d[at] = d[at + 1] = d[at + 2] = d[at + 3] = 0;
  for (let i = 0; i < conds.length; i++) d[at + (i >> 2)]! |= st(conds[i]!) << ((i & 3) * 2);
}

function ascii(out: Uint8Array, text: string, pad: number): void {
  out.fill(pad);
  const t = text.slice(0, out.length);
  for (let i = 0; i < t.length; i++) out[i] = t.charCodeAt(i) & 0x7f;
}

function clampInt(x: number, lo: number, hi: number): number {
  const r = Math.round(x);
  return r > hi ? hi : r > lo ? r : lo;
}

function u16(x: number): number {
  const r = Math.round(x);
  return r > 0xffff ? 0xffff : r > 0 ? r : 0;
}

function s16(x: number): number {
  const r = Math.round(x);
  return r > 0x7fff ? 0x7fff : r < -0x8000 ? -0x8000 : r === r ? r : 0;
}
