/**
 * Pylon HV CAN (high-voltage stacks; PROTOCOLS.md, data/dbc/pylon-hv.dbc, docs/protocols/battery-can.md):
 * 29-bit ids, request/response. The inverter polls 0x4200 and cycles byte 0 through 0, 1, 2: 0x00 asks for the
 * ensemble information (answered with 0x4210..0x4290), 0x02 for the system equipment information
 * (0x7310..0x7340), 0x01 is answered by nobody. It also sends 0x3010 (heartbeat), 0x8200 (0x55 sleep, 0xAA wake)
 * and 0x8210 (0xAA in byte 0 / 1: charge / discharge command, close the relay). Byte order, current offset and the
 * sign of the discharge limit differ between implementations: they are variant data (`PYLON_HV_VARIANTS`).
 */
import type { Clock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import type { CanBus } from '../../../protocols/can/bus';
import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsDevice } from '../device/bms-device';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';
import { emptyCanProfileStats, sendCounted, type CanProfileAttachment } from './can-link';
import type { VariantWatchdog } from './lv-can';

export const PYLON_HV_ID = {
  request: 0x4200,
  status: 0x4210,
  limits: 0x4220,
  cellVoltages: 0x4230,
  cellTemperatures: 0x4240,
  statusAlarms: 0x4250,
  moduleVoltages: 0x4260,
  moduleTemperatures: 0x4270,
  forbidden: 0x4280,
  faultExtension: 0x4290,
  versions: 0x7310,
  moduleInfo: 0x7320,
  manufacturer1: 0x7330,
  manufacturer2: 0x7340,
  /** Inverter frames: heartbeat, sleep/wake, charge/discharge command. */
  heartbeat: 0x3010,
  sleepWake: 0x8200,
  relayCommand: 0x8210,
} as const;

/** Request byte 0 values; `cycled` is part of the inverter's 0/1/2 cycle and gets no answer. */
export const PYLON_HV_REQUEST = { ensemble: 0x00, cycled: 0x01, system: 0x02 } as const;

/** 0x8200 byte 0 / 0x8210 byte 0-1 values (diyBMS pylonforce_canbus.cpp quoting the protocol document). */
export const PYLON_HV_COMMAND = { sleep: 0x55, wake: 0xaa, effect: 0xaa } as const;

/** Public implementations cited by the HV variants (commits fetched 2026-12-07). */
export const HV_SOURCES = {
  beInverter: 'dalathegreat/Battery-Emulator Software/src/inverter/PYLON-CAN.cpp+.h@62532e944e06bd1d6462179ba92068b48d98ab89',
  beBattery: 'dalathegreat/Battery-Emulator Software/src/battery/PYLON-BATTERY.cpp+.h@62532e944e06bd1d6462179ba92068b48d98ab89',
  beSafety: 'dalathegreat/Battery-Emulator Software/src/devboard/safety/safety.cpp@62532e944e06bd1d6462179ba92068b48d98ab89',
  diyForce: 'stuartpittaway/diyBMSv4ESP32 ESPController/src/pylonforce_canbus.cpp@0af053d4db555107799adc311db631924250fc02',
  aiHv: 'ai-republic/bms-to-inverter inverter-pylon-hv-can/.../PylonHVInverterCANProcessor.java@59ac882d319536df7334bf375ee6bcadfd090d9b',
} as const;

/**
 * A variant of Pylon HV as data: byte order of the 16-bit fields, the offset of the currents (raw units of
 * 0.1 A), the sign convention of the discharge limit in 0x4220 ('negative': raw = offset - I x 10, 'positive':
 * raw = offset + I x 10), the watchdog of firmware speaking it, and its sources.
 */
export interface PylonHvVariant {
  readonly name: string;
  readonly littleEndian: boolean;
  readonly currentOffset: number;
  readonly dischargeLimitSign: 'negative' | 'positive';
  readonly watchdog: VariantWatchdog;
  readonly sources: readonly string[];
}

/**
 * Default: little-endian, 3000 A offset, discharge limit counted negative (diyBMS pylonforce; Battery-Emulator's
 * battery side calls it "the standard negative offset"). Watchdog 60 s (Battery-Emulator); the protocol document
 * quoted by diyBMS says the BMS opens its relay on "external communication fail".
 */
export const PYLON_HV: PylonHvVariant = {
  name: 'pylon',
  littleEndian: true,
  currentOffset: 30000,
  dischargeLimitSign: 'negative',
  watchdog: { timeoutS: 60, reaction: 'open-contactors' },
  sources: [HV_SOURCES.diyForce, HV_SOURCES.beBattery, HV_SOURCES.aiHv, HV_SOURCES.beSafety],
};

/** The discharge limit with the charge limit's positive offset (ai-republic; Battery-Emulator's inverter side with its 30k-offset option; GCE BMSs per Battery-Emulator's battery side). */
export const PYLON_HV_DISCHARGE_POSITIVE: PylonHvVariant = {
  ...PYLON_HV,
  name: 'pylon-discharge-positive',
  dischargeLimitSign: 'positive',
  sources: [HV_SOURCES.aiHv, HV_SOURCES.beInverter, HV_SOURCES.beBattery],
};

/** Battery-Emulator's inverter side with its defaults: big-endian fields, no current offset, limits positive. */
export const PYLON_HV_BATTERY_EMULATOR: PylonHvVariant = {
  ...PYLON_HV,
  name: 'battery-emulator',
  littleEndian: false,
  currentOffset: 0,
  dischargeLimitSign: 'positive',
  sources: [HV_SOURCES.beInverter, HV_SOURCES.beSafety],
};

export const PYLON_HV_VARIANTS: Readonly<Record<string, PylonHvVariant>> = {
  pylon: PYLON_HV,
  'pylon-discharge-positive': PYLON_HV_DISCHARGE_POSITIVE,
  'battery-emulator': PYLON_HV_BATTERY_EMULATOR,
};

/** The variant of a name (or the table itself); RangeError naming the known ones. */
export function pylonHvVariant(v: string | PylonHvVariant): PylonHvVariant {
  const variant = typeof v === 'string' ? PYLON_HV_VARIANTS[v] : v;
  if (!variant) throw new RangeError(`unknown Pylon HV variant '${String(v)}' (known: ${Object.keys(PYLON_HV_VARIANTS).join(', ')})`);
  return variant;
}

/** 0x4280 byte value that forbids charge (byte 0) or discharge (byte 1). */
export const PYLON_HV_FORBIDDEN = 0xaa;

export interface PylonHvOptions {
  /** Variant name or table (default 'pylon'). */
  variant?: 'pylon' | 'pylon-discharge-positive' | 'battery-emulator' | PylonHvVariant;
  /** Added to every response id (some inverters expect 0x4211, 0x4221...): 0 (default) or 1. */
  idOffset?: number;
  /** 0x7330/0x7340 name, up to 16 ASCII characters, zero padded (default "PYLON"). */
  manufacturer?: string;
  /** 0x7310 hardware version: type (1 = A, 2 = B), major, minor (default 1, 1, 0). */
  hardwareVersion?: readonly [number, number, number];
  /** 0x7310 software version: major, minor (default 1, 0). */
  softwareVersion?: readonly [number, number];
  /** Series elements per module, for the module voltages of 0x4260 and 0x7320 bytes 2-3 (default: the whole string is one module). */
  seriesPerModule?: number;
  /** 0x7320 voltage level, V (default: rounded mid-point of the voltage limits). */
  voltageLevel?: number;
}

/**
 * Encodes the HV answers from a snapshot (and the measured cell voltages, for module voltages). Frames are
 * allocated once and rewritten in place; values saturate at their field's range. Ids of module and cell extremes
 * are the snapshot's 0-based indices. Mappings this codec chooses (the public sources leave them open):
 * - 0x4250 basic status: 0 sleep (contactor open), 1 charge (> 0.5 A), 2 discharge (< -0.5 A), 3 idle; cycle
 *   period = equivalent full cycles; alarm flags from warnings, protection flags from alarms (bits per the DBC);
 *   error byte: b0 sensor fault, b2 internal communication, b5 contactor (relay check), b6 insulation, b7 internal.
 * - 0x4290 fault extension: b0 latched faults present.
 */
export class PylonHvEncoder {
  readonly variant: PylonHvVariant;
  readonly ensembleFrames: readonly CanFrame[];
  readonly systemFrames: readonly CanFrame[];
  private readonly v: DataView[];
  private readonly seriesPerModule: number | undefined;
  private readonly voltageLevel: number | undefined;

  private readonly le: boolean;

  constructor(options: PylonHvOptions = {}) {
    this.variant = pylonHvVariant(options.variant ?? 'pylon');
    this.le = this.variant.littleEndian;
    const offset = options.idOffset ?? 0;
    if (offset !== 0 && offset !== 1) throw new ConfigError(`Pylon HV idOffset must be 0 or 1, got ${String(offset)}`);
    const mk = (id: number): CanFrame => ({ id: id + offset, extended: true, data: new Uint8Array(8) });
    const H = PYLON_HV_ID;
    this.ensembleFrames = [H.status, H.limits, H.cellVoltages, H.cellTemperatures, H.statusAlarms, H.moduleVoltages, H.moduleTemperatures, H.forbidden, H.faultExtension].map(mk);
    this.systemFrames = [H.versions, H.moduleInfo, H.manufacturer1, H.manufacturer2].map(mk);
    this.v = this.ensembleFrames.map((f) => new DataView(f.data.buffer));
    this.seriesPerModule = options.seriesPerModule;
    const [ver, , m1, m2] = this.systemFrames as [CanFrame, CanFrame, CanFrame, CanFrame];
    const hw = options.hardwareVersion ?? [1, 1, 0];
    const sw = options.softwareVersion ?? [1, 0];
    ver.data.set([u8(hw[0]), 0, u8(hw[1]), u8(hw[2]), u8(sw[0]), u8(sw[1]), 0, 0]);
    const name = (options.manufacturer ?? 'PYLON').slice(0, 16);
    for (let i = 0; i < name.length; i++) (i < 8 ? m1 : m2).data[i % 8] = name.charCodeAt(i) & 0x7f;
    this.voltageLevel = options.voltageLevel;
  }

  /** The 0x4210..0x4290 answers for `s`; `cells` (measured element voltages) gives the module voltages. */
  ensemble(s: Readonly<BmsSnapshot>, cells?: ArrayLike<number>): readonly CanFrame[] {
    const [st, lim, cv, ct, sa, mv, mt] = this.v as [DataView, DataView, DataView, DataView, DataView, DataView, DataView];
    const le = this.le;
    const off = this.variant.currentOffset;
    const disSign = this.variant.dischargeLimitSign === 'negative' ? -1 : 1;
    st.setUint16(0, u16(s.packVoltage * 10), le);
    st.setUint16(2, u16(off + s.current * 10), le);
    st.setUint16(4, u16((s.tempAvg + 100) * 10), le);
    st.setUint8(6, u8(s.soc * 100));
    st.setUint8(7, u8(s.soh * 100));
    lim.setUint16(0, u16(s.chargeVoltageLimit * 10), le);
    lim.setUint16(2, u16(s.dischargeVoltageLimit * 10), le);
    lim.setUint16(4, u16(off + s.chargeCurrentLimit * 10), le);
    lim.setUint16(6, u16(off + disSign * s.dischargeCurrentLimit * 10), le);
    cv.setUint16(0, u16(s.cellVMax * 1000), le);
    cv.setUint16(2, u16(s.cellVMin * 1000), le);
    cv.setUint16(4, u16(s.cellVMaxId), le);
    cv.setUint16(6, u16(s.cellVMinId), le);
    ct.setUint16(0, u16((s.cellTMax + 100) * 10), le);
    ct.setUint16(2, u16((s.cellTMin + 100) * 10), le);
    ct.setUint16(4, u16(s.cellTMaxId), le);
    ct.setUint16(6, u16(s.cellTMinId), le);

    const closed = s.contactor === 'closed' || s.contactor === 'welded';
    const basic = !closed ? 0 : s.current > 0.5 ? 1 : s.current < -0.5 ? 2 : 3;
    sa.setUint8(0, basic | (s.forceCharge1 || s.forceCharge2 ? 0x08 : 0));
    sa.setUint16(1, u16(s.cycles), le);
    const a = s.alarms;
    sa.setUint8(
      3,
      (a & BmsFlag.SensorFault ? 0x01 : 0) |
        (s.warnings & BmsFlag.InternalComms ? 0x04 : 0) |
        (a & BmsFlag.ContactorFault ? 0x20 : 0) |
        (a & BmsFlag.Insulation ? 0x40 : 0) |
        (a & BmsFlag.InternalFault ? 0x80 : 0),
    );
    sa.setUint16(4, hvBits(s.warnings), le);
    sa.setUint16(6, hvBits(a), le);

    // Module voltages from the measured elements (whole string as one module when the grouping is unknown).
    const per = this.seriesPerModule && cells && cells.length % this.seriesPerModule === 0 ? this.seriesPerModule : 0;
    if (per > 0 && cells) {
      let max = -Infinity;
      let min = Infinity;
      let maxId = 0;
      let minId = 0;
      for (let m = 0; m * per < cells.length; m++) {
        let sum = 0;
        for (let k = m * per; k < (m + 1) * per; k++) sum += cells[k]!;
        if (sum > max) (max = sum), (maxId = m);
        if (sum < min) (min = sum), (minId = m);
      }
      mv.setUint16(0, u16(max * 1000), le);
      mv.setUint16(2, u16(min * 1000), le);
      mv.setUint16(4, maxId, le);
      mv.setUint16(6, minId, le);
    } else {
      mv.setUint16(0, u16(s.packVoltage * 1000), le);
      mv.setUint16(2, u16(s.packVoltage * 1000), le);
      mv.setUint16(4, 0, le);
      mv.setUint16(6, 0, le);
    }
    // One temperature sensor per module: module extremes are the temperature extremes.
    mt.setUint16(0, u16((s.cellTMax + 100) * 10), le);
    mt.setUint16(2, u16((s.cellTMin + 100) * 10), le);
    mt.setUint16(4, u16(s.cellTMaxId), le);
    mt.setUint16(6, u16(s.cellTMinId), le);

    const fb = this.ensembleFrames[7]!.data;
    fb[0] = s.chargeEnable ? 0 : PYLON_HV_FORBIDDEN;
    fb[1] = s.dischargeEnable ? 0 : PYLON_HV_FORBIDDEN;
    this.ensembleFrames[8]!.data[0] = s.latched !== 0 ? 1 : 0;
    return this.ensembleFrames;
  }

  /** The 0x7310..0x7340 answers. */
  system(s: Readonly<BmsSnapshot>): readonly CanFrame[] {
    const d = new DataView(this.systemFrames[1]!.data.buffer);
    const per = this.seriesPerModule ?? s.seriesCells;
    const modules = per > 0 ? Math.round(s.seriesCells / per) : s.modules;
    // Bytes 0-1: cells in series over all modules (Battery-Emulator TOTAL_CELL_AMOUNT, diyBMS
    // battery_series_cells, ai-republic numberOfCells), not the module count.
    d.setUint16(0, u16(s.seriesCells), this.le);
    d.setUint8(2, u8(modules));
    d.setUint8(3, u8(per));
    d.setUint16(4, u16(this.voltageLevel ?? (s.chargeVoltageLimit + s.dischargeVoltageLimit) / 2), this.le);
    d.setUint16(6, u16(s.nominalAh), this.le);
    return this.systemFrames;
  }
}

/** 0x4250 alarm/protection bit masks (DBC comment): 0 cell low V, 1 cell high V, 4/6 low T, 5/7 high T, 8/9 OC. */
function hvBits(mask: number): number {
  return (
    (mask & BmsFlag.CellUnderVoltage ? 0x001 : 0) |
    (mask & BmsFlag.CellOverVoltage ? 0x002 : 0) |
    (mask & BmsFlag.UnderTemperature ? 0x050 : 0) |
    (mask & BmsFlag.OverTemperature ? 0x0a0 : 0) |
    (mask & BmsFlag.ChargeOverCurrent ? 0x100 : 0) |
    (mask & BmsFlag.DischargeOverCurrent ? 0x200 : 0)
  );
}

function u8(x: number): number {
  const r = Math.round(x);
  return r > 0xff ? 0xff : r > 0 ? r : 0;
}

function u16(x: number): number {
  const r = Math.round(x);
  return r > 0xffff ? 0xffff : r > 0 ? r : 0;
}

export interface AttachPylonHvOptions extends PylonHvOptions {
  /** Unused by the protocol itself (it only answers); kept for symmetry with `attachLvCan`. */
  clock?: Clock;
  onSendError?: (err: unknown) => void;
}

/**
 * Attach the Pylon HV profile of `device` to `bus`: it answers, it does not broadcast.
 *
 * Contract (extended data frames of 8 bytes; anything else with these ids, or an unknown 0x4200 byte 0, is
 * counted in `stats.malformedIgnored` and ignored; other ids are not this profile's and are ignored silently):
 * - 0x4200 is a request and a sign of life (`device.heartbeat()`). Byte 0 0x00 is answered at once (synchronously,
 *   in request order) with the nine ensemble frames, 0x02 with the four system frames, encoded from the snapshot of
 *   that moment; 0x01 (the middle of the inverter's 0/1/2 cycle) is heard but not answered.
 * - 0x3010 is the inverter's heartbeat: `device.heartbeat()`, no answer.
 * - 0x8200 byte 0 0x55 puts the BMS to sleep (it opens its contactors), 0xAA wakes it (it closes them again);
 *   0x8210 with 0xAA in byte 0 (charge) or byte 1 (discharge) asks the BMS to clear latched faults whose cause
 *   has gone and close its relay. Each applied command counts in `stats.commandsApplied`; other values are null.
 * - While a 'comms-loss' fault is active nothing is heard or answered (requests counted as silenced).
 * - `detach()` removes the listener; idempotent; the bus stays open.
 */
export function attachPylonHv(device: BmsDevice, bus: CanBus, options: AttachPylonHvOptions = {}): CanProfileAttachment {
  const encoder = new PylonHvEncoder({ seriesPerModule: device.profile.topology.seriesPerModule, ...options });
  const stats = emptyCanProfileStats();
  const H = PYLON_HV_ID;
  let attached = true;
  const onFrame = (f: CanFrame): void => {
    if (!attached || !f.extended || f.error) return;
    if (f.id !== H.request && f.id !== H.heartbeat && f.id !== H.sleepWake && f.id !== H.relayCommand) return;
    const type = f.data[0];
    const badRequest = f.id === H.request && type !== PYLON_HV_REQUEST.ensemble && type !== PYLON_HV_REQUEST.cycled && type !== PYLON_HV_REQUEST.system;
    if (f.rtr || f.data.length !== 8 || badRequest) {
      stats.malformedIgnored++;
      return;
    }
    if (device.faults.commsLost) {
      stats.silencedByCommsLoss++;
      return;
    }
    if (f.id === H.sleepWake || f.id === H.relayCommand) {
      if (applyCommand(device, f)) stats.commandsApplied++;
      return;
    }
    stats.heartbeats++;
    device.heartbeat();
    if (f.id !== H.request || type === PYLON_HV_REQUEST.cycled) return;
    const s = device.snapshot();
    const frames = type === PYLON_HV_REQUEST.ensemble ? encoder.ensemble(s, device.measuredCellVoltages()) : encoder.system(s);
    for (const out of frames) sendCounted(bus, out, stats, options.onSendError);
    stats.requestsAnswered++;
  };
  const unsubscribe = bus.onFrame(onFrame);
  return {
    protocol: `pylon-hv/${encoder.variant.name}`,
    stats,
    detach() {
      if (!attached) return;
      attached = false;
      unsubscribe();
    },
  };
}

/** 0x8200 / 0x8210; returns whether the command did something. */
function applyCommand(device: BmsDevice, f: CanFrame): boolean {
  const C = PYLON_HV_COMMAND;
  if (f.id === PYLON_HV_ID.sleepWake) {
    if (f.data[0] !== C.sleep && f.data[0] !== C.wake) return false;
    device.requestContactors(f.data[0] === C.wake);
    return true;
  }
  if (f.data[0] !== C.effect && f.data[1] !== C.effect) return false;
  device.resetFaults();
  device.requestContactors(true);
  return true;
}
