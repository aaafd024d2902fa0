import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';
import type { HeartbeatReaction } from '../pack/profile-types';

/** LV CAN ("Pylontech") ids, PROTOCOLS.md; same as data/dbc/pylon-lv.dbc and sma-lv.dbc. */
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

/** What a BMS of one protocol variant does when the inverter's heartbeat stops (see `LvCanVariant.watchdog`). */
export interface VariantWatchdog {
  readonly timeoutS: number;
  readonly reaction: HeartbeatReaction;
}

/**
 * A variant of the LV protocol as data (PROTOCOLS.md "LV battery-to-inverter CAN", docs/protocols/battery-can.md):
 * byte order of the 16/32-bit fields (bytes stay at the same offsets; only their order inside a field changes), the
 * order of the two current limits in 0x351, the cycle, the messages always sent, the optional (Victron-style)
 * extensions, frame lengths that differ from the full layout, what the firmware does when the inverter's 0x305
 * heartbeat stops, and the public implementations each fact comes from (repository, file, commit).
 */
export interface LvCanVariant {
  readonly name: string;
  readonly littleEndian: boolean;
  /** 0x351 bytes 2-3 / 4-5: 'charge-first' (Pylontech, SMA documented) or 'discharge-first' (one outlier firmware). */
  readonly limitsOrder: 'charge-first' | 'discharge-first';
  readonly periodMs: number;
  readonly messages: readonly LvCanMessage[];
  /** Sent too when the encoder is built with `extensions: true`. */
  readonly extensions: readonly LvCanMessage[];
  /** Default 0x35E name. */
  readonly manufacturer: string;
  /** Data lengths that differ from the full layout (`LV_CAN_FULL_LENGTH`); bytes past the length are not sent. */
  readonly lengths: Readonly<Partial<Record<LvCanMessage, number>>>;
  /** Heartbeat watchdog of firmware speaking this variant (timeout, reaction); a bench may override it. */
  readonly watchdog: VariantWatchdog;
  /** Where the facts of this variant come from: "owner/repo path@commit: what". */
  readonly sources: readonly string[];
}

/** Public implementations cited by the variants (commits fetched 2026-12-07). */
export const LV_SOURCES = {
  beSmaLv: 'dalathegreat/Battery-Emulator Software/src/inverter/SMA-LV-CAN.cpp+.h@62532e944e06bd1d6462179ba92068b48d98ab89',
  bePylonLv: 'dalathegreat/Battery-Emulator Software/src/inverter/PYLON-LV-CAN.cpp+.h@62532e944e06bd1d6462179ba92068b48d98ab89',
  beSafety: 'dalathegreat/Battery-Emulator Software/src/devboard/safety/safety.cpp (inverter CAN missing after 60 s, SMA x3)@62532e944e06bd1d6462179ba92068b48d98ab89',
  diyPylon: 'stuartpittaway/diyBMSv4ESP32 ESPController/src/pylon_canbus.cpp@0af053d4db555107799adc311db631924250fc02',
  diyVictron: 'stuartpittaway/diyBMSv4ESP32 ESPController/src/victron_canbus.cpp@0af053d4db555107799adc311db631924250fc02',
  bsc: 'shining-man/bsc_fw src/inverter/Canbus.cpp@2131f19693c83dc96daf0fd0fd20d5aa5d4775db',
  aiSma: 'ai-republic/bms-to-inverter inverter-sma-si-can/.../SMAInverterCANProcessor.java@59ac882d319536df7334bf375ee6bcadfd090d9b',
  syssi: 'syssi/esphome-virtual-can-bms components/virtual_can_bms/virtual_can_bms.cpp+.h@93af45a9165734837c86df2a39e9b81ced598c2d',
  uksa: 'Uksa007/esphome-jk-bms-can README.md (frame log)@cb24f7437dfa2fbb4e6c2409f1fb122b9b65ac2e',
  pylonEmu: 'juamiso/PYLON_EMU pylon_CAN_210124.dbc@0fdde6c4b05ed5cce7a7f60d968945cde3a434b4',
} as const;

/**
 * Pylontech: little-endian, 1 s; 0x355 4 bytes (SOC, SOH), 0x359 8 bytes; Victron extensions 0x35A, 0x35F,
 * 0x370-0x373, 0x379 (data/dbc/pylon-lv.dbc). Watchdog: Battery-Emulator raises "inverter missing" (an error
 * that stops charge and discharge) after 60 s without a frame from the inverter.
 */
export const PYLON_LV: LvCanVariant = {
  name: 'pylon',
  littleEndian: true,
  limitsOrder: 'charge-first',
  periodMs: 1000,
  messages: ['limits', 'socSoh', 'measurements', 'protections', 'requests', 'manufacturer'],
  extensions: ['alarmsWarnings', 'info', 'name1', 'name2', 'moduleCounts', 'cellExtremes', 'capacity'],
  manufacturer: 'PYLON',
  lengths: { socSoh: 4 },
  watchdog: { timeoutS: 60, reaction: 'open-contactors' },
  sources: [LV_SOURCES.bePylonLv, LV_SOURCES.diyPylon, LV_SOURCES.bsc, LV_SOURCES.uksa, LV_SOURCES.pylonEmu, LV_SOURCES.beSafety],
};

/**
 * SMA (Sunny Island) as SMA-facing implementations send it: the Pylontech byte and field order (little-endian,
 * charge current before discharge current), 100 ms, 0x35A alarm pairs, 0x35B, 0x35E, 0x35F; 0x355 with the
 * high-resolution SOC (data/dbc/sma-lv.dbc). Watchdog: Battery-Emulator triples its 60 s for SMA (180 s).
 */
export const SMA_LV: LvCanVariant = {
  name: 'sma',
  littleEndian: true,
  limitsOrder: 'charge-first',
  periodMs: 100,
  messages: ['limits', 'socSoh', 'measurements', 'alarmsWarnings', 'events', 'manufacturer', 'info'],
  extensions: [],
  manufacturer: 'SMA',
  lengths: {},
  watchdog: { timeoutS: 180, reaction: 'open-contactors' },
  sources: [LV_SOURCES.aiSma, LV_SOURCES.syssi, LV_SOURCES.bsc, LV_SOURCES.beSmaLv, LV_SOURCES.beSafety],
};

/**
 * The outlier kept under its own name: Battery-Emulator's SMA-LV-CAN.cpp writes every field big-endian and puts
 * the discharge current limit before the charge limit (data/dbc/sma-lv-bigendian.dbc). No other public
 * implementation does; a controller written to SMA's documents misreads it. Never the default.
 */
export const SMA_LV_BIGENDIAN: LvCanVariant = {
  ...SMA_LV,
  name: 'sma-bigendian',
  littleEndian: false,
  limitsOrder: 'discharge-first',
  sources: [LV_SOURCES.beSmaLv, LV_SOURCES.beSafety],
};

export const LV_CAN_VARIANTS: Readonly<Record<string, LvCanVariant>> = { pylon: PYLON_LV, sma: SMA_LV, 'sma-bigendian': SMA_LV_BIGENDIAN };

/** The variant of a name (or the table itself); RangeError naming the known ones. */
export function lvCanVariant(v: string | LvCanVariant): LvCanVariant {
  const variant = typeof v === 'string' ? LV_CAN_VARIANTS[v] : v;
  if (!variant) throw new RangeError(`unknown LV CAN variant '${String(v)}' (known: ${Object.keys(LV_CAN_VARIANTS).join(', ')})`);
  return variant;
}

export interface LvCanOptions {
  /** Variant name or table (default 'pylon'). */
  variant?: 'pylon' | 'sma' | 'sma-bigendian' | LvCanVariant;
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

/** Data length of each message with every field of its layout; a variant may send fewer (`lengths`). */
export const LV_CAN_FULL_LENGTH: Readonly<Record<LvCanMessage, number>> = {
  limits: 8,
  socSoh: 8,
  measurements: 6,
  protections: 8,
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
  /** What is sent (a prefix of `full`). */
  readonly data: Uint8Array;
  readonly full: Uint8Array;
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
    const variant = lvCanVariant(options.variant ?? 'pylon');
    this.variant = variant;
    this.le = variant.littleEndian;
    const kinds = options.extensions ? [...variant.messages, ...variant.extensions] : [...variant.messages];
    this.slots = kinds.map((kind) => {
      // Encoded at full length; the frame carries the variant's length (a view on the same bytes).
      const full = new Uint8Array(LV_CAN_FULL_LENGTH[kind]);
      const data = full.subarray(0, variant.lengths[kind] ?? full.length);
      return { kind, data, full, view: new DataView(full.buffer) };
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
      const d = slot.full;
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
          // Bytes 4-5 (SOC in 0.01 %) only go out where the variant sends them (SMA); bytes 6-7 stay 0.
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
          // Byte 1 / 3 bit 3: "system error" (Pylontech V1.2 as quoted in bsc_fw Canbus.cpp; PYLON_EMU DBC
          // System_Error bit 11; diyBMS and PYLON_EMU call the warning bit internal (communication) failure).
          d[1] = (a & BmsFlag.ChargeOverCurrent ? 0x01 : 0) | (a & SYSTEM_ERROR ? 0x08 : 0);
          d[2] = protectionBits(w);
          d[3] = (w & BmsFlag.ChargeOverCurrent ? 0x01 : 0) | (w & SYSTEM_ERROR ? 0x08 : 0);
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

/** Conditions reported as the 0x359 system error / 0x35A BMS internal pair. */
const SYSTEM_ERROR = BmsFlag.InternalFault | BmsFlag.InternalComms | BmsFlag.SensorFault | BmsFlag.ContactorFault;

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
 * 0x35A: thirteen 2-bit conditions from byte `at`, low bits first, in this order: general, high V, low V, high T,
 * low T, high T charge, low T charge, high discharge I, high charge I, contactor, short circuit, BMS internal, cell
 * imbalance; the three pairs after them are reserved (00). Values: 01 active, 10 OK, 00 not available, so a healthy
 * pack sends AA AA AA 02 (diyBMS victron_canbus.cpp, bsc_fw Canbus.cpp, ai-republic SMAInverterCANProcessor.java
 * agree). The same byte positions serve both byte orders (2-bit fields do not cross a byte).
 */
function pairs(d: Uint8Array, at: number, mask: number): void {
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
    mask & SYSTEM_ERROR,
    mask & BmsFlag.CellImbalance,
  ];
  d[at] = d[at + 1] = d[at + 2] = d[at + 3] = 0;
  for (let i = 0; i < conds.length; i++) d[at + (i >> 2)]! |= (conds[i] !== 0 ? PAIR_ACTIVE : PAIR_OK) << ((i & 3) * 2);
}

/** 0x35A pair values. */
export const PAIR_ACTIVE = 0b01;
export const PAIR_OK = 0b10;

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
