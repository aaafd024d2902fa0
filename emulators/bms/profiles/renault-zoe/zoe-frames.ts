/**
 * The frames a Renault Zoe Gen1 LBC broadcasts, encoded from the BMS state [BE handle_incoming_can_frame; every
 * layout checked against the values of BE's capture-based log 28_RenaultZoe1_base_pid.txt in the tests].
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x155 | 10 ms | charging power u8 300 W; current 12 bit 0.25 A - 500 A (+ charge); display SOC u16 0.0025 % |
 * | 0x424 | 100 ms | fault pairs (>= 2 fault: cell UV, isolation, pack UV, end of charge; pack OC, OT, OV, cell OV), regen / discharge power u8 500 W, min / max temperature + 40, SOH %, heartbeat 0x55/0xAA every 500 ms |
 * | 0x425 | 100 ms | max / min cell voltage 9 bit 10 mV + 1000 mV |
 * | 0x445 | 100 ms | heartbeat 0x55/0xAA |
 * | 0x427 | 100 ms (assumed) | ZE22 only: energy remaining 10 bit 0.1 kWh |
 * | 0x42E | 100 ms (assumed) | ZE22 only: pack voltage 10 bit 0.5 V, average temperature 7 bit + 40 |
 * | 0x654 | 500 ms (assumed) | SOC % (byte 3) |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';

export const ZOE_ID = {
  power155: 0x155,
  status424: 0x424,
  cells425: 0x425,
  energy427: 0x427,
  voltage42E: 0x42e,
  heartbeat445: 0x445,
  soc654: 0x654,
  /** The vehicle's wake-up frame, 100 ms: "the BMS only answers diagnostic requests while it receives this" [BE]. */
  vehicle423: 0x423,
  diagRequest: 0x79b,
  diagResponse: 0x7bb,
} as const;

const byte = (v: number): number => Math.min(0xff, Math.max(0, Math.round(v)));
/** A fault pair of 0x424: 0 OK, 2 fault [BE get_uds_info_html: >= 2 FAULT]. */
const pair = (on: boolean): number => (on ? 2 : 0);

export class ZoeFrameEncoder {
  power155(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    d[0] = byte((s.chargeCurrentLimit * s.packVoltage) / 300);
    const i = Math.min(0xfff, Math.max(0, Math.round((s.current + 500) * 4)));
    d[1] = i >> 8;
    d[2] = i & 0xff;
    const soc = Math.min(0xffff, Math.max(0, Math.round((s.soc * 100) / 0.0025)));
    d[4] = soc >> 8;
    d[5] = soc & 0xff;
    return makeFrame(ZOE_ID.power155, d);
  }

  status424(s: Readonly<BmsSnapshot>, timeMs: number): CanFrame {
    const d = new Uint8Array(8);
    const a = s.alarms;
    d[0] = pair((a & BmsFlag.CellUnderVoltage) !== 0) | (pair((a & BmsFlag.Insulation) !== 0) << 2) | (pair((a & BmsFlag.CellUnderVoltage) !== 0) << 4) | (pair(s.soc >= 0.999) << 6);
    d[1] = pair((a & (BmsFlag.ChargeOverCurrent | BmsFlag.DischargeOverCurrent)) !== 0) | (pair((a & BmsFlag.OverTemperature) !== 0) << 2) | (pair((a & BmsFlag.CellOverVoltage) !== 0) << 4) | (pair((a & BmsFlag.CellOverVoltage) !== 0) << 6);
    d[2] = byte((s.chargeCurrentLimit * s.packVoltage) / 500);
    d[3] = byte((s.dischargeCurrentLimit * s.packVoltage) / 500);
    d[4] = byte(s.cellTMin + 40);
    d[5] = byte(s.soh * 100);
    d[6] = heartbeat(timeMs);
    d[7] = byte(s.cellTMax + 40);
    return makeFrame(ZOE_ID.status424, d);
  }

  cells425(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const max = Math.min(0x1ff, Math.max(0, Math.round((s.cellVMax * 1000 - 1000) / 10)));
    const min = Math.min(0x1ff, Math.max(0, Math.round((s.cellVMin * 1000 - 1000) / 10)));
    d[4] = max >> 7;
    d[5] = (max & 0x7f) << 1;
    d[6] = min >> 8;
    d[7] = min & 0xff;
    return makeFrame(ZOE_ID.cells425, d);
  }

  heartbeat445(timeMs: number): CanFrame {
    const d = new Uint8Array(8);
    d[2] = heartbeat(timeMs);
    return makeFrame(ZOE_ID.heartbeat445, d);
  }

  energy427(s: Readonly<BmsSnapshot>, nominalVoltage: number): CanFrame {
    const d = new Uint8Array(8);
    const kwh = Math.min(0x3ff, Math.max(0, Math.round((s.remainingAh * nominalVoltage) / 100)));
    d[6] = kwh >> 2;
    d[7] = (kwh & 0x03) << 6;
    return makeFrame(ZOE_ID.energy427, d);
  }

  voltage42E(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const v = Math.min(0x3ff, Math.max(0, Math.round(s.packVoltage / 0.5))) << 5;
    const t = Math.min(0x7f, Math.max(0, Math.round(s.tempAvg + 40))) << 5;
    d[3] = v >> 8;
    d[4] = v & 0xff;
    d[5] = t >> 8;
    d[6] = t & 0xff;
    return makeFrame(ZOE_ID.voltage42E, d);
  }

  soc654(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    d[3] = byte(s.soc * 100);
    return makeFrame(ZOE_ID.soc654, d);
  }
}

/** 0x55 / 0xAA, alternating every 500 ms [BE: "Alternates between 0x55 and 0xAA every 500ms (Same as on Nissan LEAF)"]. */
function heartbeat(timeMs: number): number {
  return Math.floor(timeMs / 500) % 2 === 0 ? 0x55 : 0xaa;
}
