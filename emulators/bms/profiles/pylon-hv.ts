/**
 * Pylon HV CAN (high-voltage stacks; PROTOCOLS.md, fixtures/dbc/pylon-hv.dbc): 29-bit ids, little-endian,
 * request/response. The inverter polls 0x4200; byte 0 = 0x00 asks for the ensemble information (answered with
 * 0x4210..0x4290), 0x02 for the system equipment information (0x7310..0x7340).
 */
import type { Clock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import type { CanBus } from '../../../protocols/can/bus';
import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsDevice } from '../device/bms-device';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';
import { emptyCanProfileStats, sendCounted, type CanProfileAttachment } from './can-link';

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
} as const;

/** Request byte 0 values. */
export const PYLON_HV_REQUEST = { ensemble: 0x00, system: 0x02 } as const;

/** 0x4280 byte value that forbids charge (byte 0) or discharge (byte 1). */
export const PYLON_HV_FORBIDDEN = 0xaa;

export interface PylonHvOptions {
  /** Added to every response id (some inverters expect 0x4211, 0x4221...): 0 (default) or 1. */
  idOffset?: number;
  /** 0x7330/0x7340 name, up to 16 ASCII characters, zero padded (default "PYLON"). */
  manufacturer?: string;
  /** 0x7310 hardware version: type (1 = A, 2 = B), major, minor (default 1, 1, 0). */
  hardwareVersion?: readonly [number, number, number];
  /** 0x7310 software version: major, minor (default 1, 0). */
  softwareVersion?: readonly [number, number];
  /** Series elements per module, for the module voltages of 0x4260 and 0x7320 (default: the whole string is one module). */
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
  readonly ensembleFrames: readonly CanFrame[];
  readonly systemFrames: readonly CanFrame[];
  private readonly v: DataView[];
  private readonly seriesPerModule: number | undefined;
  private readonly voltageLevel: number | undefined;

  constructor(options: PylonHvOptions = {}) {
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
    st.setUint16(0, u16(s.packVoltage * 10), true);
    st.setUint16(2, u16((s.current + 3000) * 10), true);
    st.setUint16(4, u16((s.tempAvg + 100) * 10), true);
    st.setUint8(6, u8(s.soc * 100));
    st.setUint8(7, u8(s.soh * 100));
    lim.setUint16(0, u16(s.chargeVoltageLimit * 10), true);
    lim.setUint16(2, u16(s.dischargeVoltageLimit * 10), true);
    lim.setUint16(4, u16((s.chargeCurrentLimit + 3000) * 10), true);
    lim.setUint16(6, u16((s.dischargeCurrentLimit + 3000) * 10), true);
    cv.setUint16(0, u16(s.cellVMax * 1000), true);
    cv.setUint16(2, u16(s.cellVMin * 1000), true);
    cv.setUint16(4, u16(s.cellVMaxId), true);
    cv.setUint16(6, u16(s.cellVMinId), true);
    ct.setUint16(0, u16((s.cellTMax + 100) * 10), true);
    ct.setUint16(2, u16((s.cellTMin + 100) * 10), true);
    ct.setUint16(4, u16(s.cellTMaxId), true);
    ct.setUint16(6, u16(s.cellTMinId), true);

    const closed = s.contactor === 'closed' || s.contactor === 'welded';
    const basic = !closed ? 0 : s.current > 0.5 ? 1 : s.current < -0.5 ? 2 : 3;
    sa.setUint8(0, basic | (s.forceCharge1 || s.forceCharge2 ? 0x08 : 0));
    sa.setUint16(1, u16(s.cycles), true);
    const a = s.alarms;
    sa.setUint8(
      3,
      (a & BmsFlag.SensorFault ? 0x01 : 0) |
        (s.warnings & BmsFlag.InternalComms ? 0x04 : 0) |
        (a & BmsFlag.ContactorFault ? 0x20 : 0) |
        (a & BmsFlag.Insulation ? 0x40 : 0) |
        (a & BmsFlag.InternalFault ? 0x80 : 0),
    );
    sa.setUint16(4, hvBits(s.warnings), true);
    sa.setUint16(6, hvBits(a), true);

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
      mv.setUint16(0, u16(max * 1000), true);
      mv.setUint16(2, u16(min * 1000), true);
      mv.setUint16(4, maxId, true);
      mv.setUint16(6, minId, true);
    } else {
      mv.setUint16(0, u16(s.packVoltage * 1000), true);
      mv.setUint16(2, u16(s.packVoltage * 1000), true);
      mv.setUint16(4, 0, true);
      mv.setUint16(6, 0, true);
    }
    // One temperature sensor per module: module extremes are the temperature extremes.
    mt.setUint16(0, u16((s.cellTMax + 100) * 10), true);
    mt.setUint16(2, u16((s.cellTMin + 100) * 10), true);
    mt.setUint16(4, u16(s.cellTMaxId), true);
    mt.setUint16(6, u16(s.cellTMinId), true);

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
    d.setUint16(0, u16(modules), true);
    d.setUint8(2, u8(modules));
    d.setUint8(3, u8(per));
    d.setUint16(4, u16(this.voltageLevel ?? (s.chargeVoltageLimit + s.dischargeVoltageLimit) / 2), true);
    d.setUint16(6, u16(s.nominalAh), true);
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
 * Contract:
 * - An extended 0x4200 data frame of 8 bytes is a request; it also counts as the inverter's heartbeat
 *   (`device.heartbeat()`). Byte 0 0x00 is answered at once (synchronously, in request order) with the nine
 *   ensemble frames, 0x02 with the four system frames, encoded from the snapshot of that moment.
 * - Malformed requests (another length, RTR, unknown byte 0) are counted in `stats.malformedIgnored` and ignored.
 *   Other ids are not this profile's and are ignored silently.
 * - While a 'comms-loss' fault is active requests are neither heard nor answered (counted as silenced).
 * - `detach()` removes the listener; idempotent; the bus stays open.
 */
export function attachPylonHv(device: BmsDevice, bus: CanBus, options: AttachPylonHvOptions = {}): CanProfileAttachment {
  const encoder = new PylonHvEncoder({ seriesPerModule: device.profile.topology.seriesPerModule, ...options });
  const stats = emptyCanProfileStats();
  let attached = true;
  const onFrame = (f: CanFrame): void => {
    if (!attached || f.id !== PYLON_HV_ID.request || !f.extended || f.error) return;
    const type = f.data[0];
    if (f.rtr || f.data.length !== 8 || (type !== PYLON_HV_REQUEST.ensemble && type !== PYLON_HV_REQUEST.system)) {
      stats.malformedIgnored++;
      return;
    }
    if (device.faults.commsLost) {
      stats.silencedByCommsLoss++;
      return;
    }
    stats.heartbeats++;
    device.heartbeat();
    const s = device.snapshot();
    const frames = type === PYLON_HV_REQUEST.ensemble ? encoder.ensemble(s, device.measuredCellVoltages()) : encoder.system(s);
    for (const out of frames) sendCounted(bus, out, stats, options.onSendError);
    stats.requestsAnswered++;
  };
  const unsubscribe = bus.onFrame(onFrame);
  return {
    protocol: 'pylon-hv',
    stats,
    detach() {
      if (!attached) return;
      attached = false;
      unsubscribe();
    },
  };
}
