import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';

/** LV CAN ("Pylontech") ids, PROTOCOLS.md; same as fixtures/dbc/pylon-lv.dbc. */
export const LV_CAN_ID = {
  limits: 0x351,
  socSoh: 0x355,
  measurements: 0x356,
  protections: 0x359,
  requests: 0x35c,
  manufacturer: 0x35e,
  /** Inverter heartbeat, received. */
  heartbeat: 0x305,
} as const;

export interface LvCanOptions {
  /** 0x35E name, padded/truncated to 8 ASCII bytes (default "PYLON   "). */
  manufacturer?: string;
  /** 0x359 byte 4: number of packs (default 1). */
  packCount?: number;
}

/**
 * Encoder for the LV CAN battery broadcast (0x351, 0x355, 0x356, 0x359, 0x35C, 0x35E; little-endian; scales
 * of PROTOCOLS.md and fixtures/dbc/pylon-lv.dbc). The six frames are allocated once; `encode` rewrites their
 * payloads in place from a snapshot and returns them (hand them to `CanBus.send`, which copies). Values outside
 * a field's range saturate instead of wrapping. It does not look at `commsLost`: the sender decides.
 */
export class LvCanEncoder {
  readonly frames: readonly CanFrame[];
  private readonly limits: Uint8Array;
  private readonly socSoh: Uint8Array;
  private readonly meas: Uint8Array;
  private readonly prot: Uint8Array;
  private readonly req: Uint8Array;
  private readonly lv: DataView;
  private readonly sv: DataView;
  private readonly mv: DataView;

  constructor(options: LvCanOptions = {}) {
    this.limits = new Uint8Array(8);
    this.socSoh = new Uint8Array(6);
    this.meas = new Uint8Array(6);
    this.prot = new Uint8Array(7);
    this.req = new Uint8Array(2);
    const name = new Uint8Array(8).fill(0x20);
    const text = (options.manufacturer ?? 'PYLON').slice(0, 8);
    for (let i = 0; i < text.length; i++) name[i] = text.charCodeAt(i) & 0x7f;
    this.prot[4] = Math.max(0, Math.min(255, options.packCount ?? 1));
    this.prot[5] = 0x50; // 'P'
    this.prot[6] = 0x4e; // 'N'
    this.lv = new DataView(this.limits.buffer);
    this.sv = new DataView(this.socSoh.buffer);
    this.mv = new DataView(this.meas.buffer);
    const f = (id: number, data: Uint8Array): CanFrame => ({ id, extended: false, data });
    this.frames = [
      f(LV_CAN_ID.limits, this.limits),
      f(LV_CAN_ID.socSoh, this.socSoh),
      f(LV_CAN_ID.measurements, this.meas),
      f(LV_CAN_ID.protections, this.prot),
      f(LV_CAN_ID.requests, this.req),
      f(LV_CAN_ID.manufacturer, name),
    ];
  }

  encode(s: Readonly<BmsSnapshot>): readonly CanFrame[] {
    const lv = this.lv;
    lv.setUint16(0, u16(s.chargeVoltageLimit * 10), true);
    lv.setInt16(2, s16(s.chargeCurrentLimit * 10), true);
    lv.setInt16(4, s16(s.dischargeCurrentLimit * 10), true);
    lv.setUint16(6, u16(s.dischargeVoltageLimit * 10), true);
    const sv = this.sv;
    sv.setUint16(0, u16(s.soc * 100), true);
    sv.setUint16(2, u16(s.soh * 100), true);
    sv.setUint16(4, u16(s.soc * 10000), true);
    const mv = this.mv;
    mv.setInt16(0, s16(s.packVoltage * 100), true);
    mv.setInt16(2, s16(s.current * 10), true);
    mv.setInt16(4, s16(s.tempAvg * 10), true);
    const p = this.prot;
    const a = s.alarms;
    const w = s.warnings;
    p[0] = bits(a);
    p[1] = a & BmsFlag.ChargeOverCurrent ? 1 : 0;
    p[2] = bits(w);
    p[3] = (w & BmsFlag.ChargeOverCurrent ? 1 : 0) | (s.warnings & BmsFlag.InternalComms ? 0x08 : 0);
    this.req[0] =
      (s.chargeEnable ? 0x80 : 0) | (s.dischargeEnable ? 0x40 : 0) | (s.forceCharge1 ? 0x20 : 0) | (s.forceCharge2 ? 0x10 : 0);
    return this.frames;
  }
}

/** Byte 0 / byte 2 layout of 0x359: b1 OV, b2 UV, b3 OT, b4 UT, b7 discharge OC. */
function bits(mask: number): number {
  return (
    (mask & BmsFlag.CellOverVoltage ? 0x02 : 0) |
    (mask & BmsFlag.CellUnderVoltage ? 0x04 : 0) |
    (mask & BmsFlag.OverTemperature ? 0x08 : 0) |
    (mask & BmsFlag.UnderTemperature ? 0x10 : 0) |
    (mask & BmsFlag.DischargeOverCurrent ? 0x80 : 0)
  );
}

function u16(x: number): number {
  const r = Math.round(x);
  return r > 0xffff ? 0xffff : r > 0 ? r : 0;
}

function s16(x: number): number {
  const r = Math.round(x);
  return r > 0x7fff ? 0x7fff : r < -0x8000 ? -0x8000 : r === r ? r : 0;
}
