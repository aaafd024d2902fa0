/**
 * The frames a Leaf LBC broadcasts on EV-CAN, encoded from the BMS state. Layouts (Motorola bit order, as in the
 * LCM DBC) and scales [BE handle_incoming_can_frame; OVMS IncomingFrameCan1; LCM EV-can_AZE0.dbc]; periods
 * [LCM-XLSX]. data/dbc/nissan-leaf.dbc describes the same frames; a test decodes every frame with it.
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x1DB | 10 ms | current s11 0.5 A (+ charge), relay cut, failsafe, voltage u10 0.5 V, relay on, full, interlock, usable SOC %, counter, CRC |
 * | 0x1DC | 10 ms | discharge / charge power limit u10 0.25 kW, max power for charger u10 0.1 kW -10, counter, CRC |
 * | 0x55B | 100 ms | SOC u10 0.1 %, ALU answer 0x55/0xAA (alternating every 500 ms), empty flag, counter, CRC |
 * | 0x5BC | 500 ms (ZE0) / 100 ms | GIDs u10 (77 Wh each; max GIDs when the mux bit is set), dash temperature, SOH % |
 * | 0x5C0 | 500 ms | mux 1/2/3 = max/avg/min temperature, byte 2 = (T + 40) x 2 |
 * | 0x59E | 500 ms | AZE0/ZE1: full and remaining capacity for quick charge, u9 100 Wh |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';
import { leafCrc } from './leaf-crc';
import type { LeafStatus } from './leaf-status';
import type { LeafVariant } from './variants';

export const LEAF_ID = {
  status: 0x1db,
  power: 0x1dc,
  soc: 0x55b,
  gids: 0x5bc,
  history: 0x5c0,
  quickCharge: 0x59e,
  /** Diagnostic request (tester -> LBC) and response [BE LEAF_GROUP_REQUEST 0x79B, replies 0x7BB]. */
  diagRequest: 0x79b,
  diagResponse: 0x7bb,
  /** Vehicle side (VCM): 0x1F2 10 ms, 0x50B 100 ms (103 ms measured), 0x1D4 10 ms, 0x50C 100 ms [BE transmit_can; LCM-XLSX]. */
  vcm1F2: 0x1f2,
  vcm50B: 0x50b,
  vcm1D4: 0x1d4,
  vcm50C: 0x50c,
} as const;

/** One GID is 77 Wh [BE WH_PER_GID]. */
export const WH_PER_GID = 77;

const clampInt = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(x)));

/** What the encoder needs besides the snapshot. */
export interface LeafFrameInputs {
  status: LeafStatus;
  /** Nominal pack voltage, V (GIDs = remaining Ah x this / 77 Wh). */
  nominalVoltage: number;
  /** Device time, ms (the 0x55B ALU answer alternates every 500 ms). */
  timeMs: number;
}

/**
 * Encoder with the frames' rolling counters (PRUN, 2 bits, +1 per frame of that id [LCM LB_PRUN_*]) and the 0x5BC
 * and 0x5C0 multiplexers. Not thread-of-time aware: the attachment calls each method at that frame's period.
 */
export class LeafFrameEncoder {
  private prun1DB = 0;
  private prun1DC = 0;
  private prun55B = 0;
  private mux5C0 = 0;
  private count5BC = 0;

  constructor(readonly variant: LeafVariant) {}

  status(s: Readonly<BmsSnapshot>, x: LeafFrameInputs): CanFrame {
    const d = new Uint8Array(8);
    const i = clampInt(s.current / 0.5, -1024, 1023) & 0x7ff;
    const v = clampInt(s.packVoltage / 0.5, 0, 0x3fe);
    d[0] = i >> 3;
    d[1] = ((i & 0x07) << 5) | ((x.status.relayCut & 0x03) << 3) | (x.status.failsafe & 0x07);
    d[2] = v >> 2;
    d[3] = ((v & 0x03) << 6) | (x.status.mainRelayOn ? 0x20 : 0) | (x.status.full ? 0x10 : 0) | (x.status.interlock ? 0x08 : 0);
    d[4] = clampInt(s.soc * 100, 0, 100) & 0x7f; // LB_Usable_SOC, 32|7@1+ [LCM; OVMS d[4] & 0x7f]
    d[6] = this.prun1DB;
    this.prun1DB = (this.prun1DB + 1) & 3;
    d[7] = leafCrc(d);
    return makeFrame(LEAF_ID.status, d);
  }

  power(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const volts = s.packVoltage;
    const dis = clampInt((s.dischargeCurrentLimit * volts) / 1000 / 0.25, 0, 0x3ff);
    const chg = clampInt((s.chargeCurrentLimit * volts) / 1000 / 0.25, 0, 0x3ff);
    const charger = clampInt(((s.chargeCurrentLimit * volts) / 1000 + 10) / 0.1, 0, 0x3ff);
    d[0] = dis >> 2;
    d[1] = ((dis & 0x03) << 6) | (chg >> 4);
    d[2] = ((chg & 0x0f) << 4) | (charger >> 6);
    d[3] = (charger & 0x3f) << 2;
    d[6] = this.prun1DC;
    this.prun1DC = (this.prun1DC + 1) & 3;
    d[7] = leafCrc(d);
    return makeFrame(LEAF_ID.power, d);
  }

  soc(s: Readonly<BmsSnapshot>, x: LeafFrameInputs): CanFrame {
    const d = new Uint8Array(8);
    const soc = clampInt(s.soc * 1000, 0, 1000);
    d[0] = soc >> 2;
    d[1] = (soc & 0x03) << 6;
    d[2] = Math.floor(x.timeMs / 500) % 2 === 0 ? 0x55 : 0xaa;
    d[6] = (x.status.empty ? 0x80 : 0) | this.prun55B;
    this.prun55B = (this.prun55B + 1) & 3;
    d[7] = leafCrc(d);
    return makeFrame(LEAF_ID.soc, d);
  }

  /** Every 10th frame carries the maximum GIDs (mux bit 44) [assumed rate: BE and LCM give the bit, not how often]. */
  gids(s: Readonly<BmsSnapshot>, x: LeafFrameInputs): CanFrame {
    const d = new Uint8Array(8);
    const max = this.count5BC++ % 10 === 9;
    const ah = max ? s.fullChargeAh : s.remainingAh;
    const g = clampInt((ah * x.nominalVoltage) / WH_PER_GID, 0, 0x3ff);
    d[0] = g >> 2;
    d[1] = (g & 0x03) << 6;
    if (this.variant.averageTempIn5BC) d[3] = clampInt(s.tempAvg + 40, 0, 255);
    d[4] = clampInt(s.soh * 100, 0, 127) << 1;
    d[5] = max ? 0x10 : 0;
    return makeFrame(LEAF_ID.gids, d);
  }

  history(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const mux = (this.mux5C0++ % 3) + 1; // 1 max, 2 avg, 3 min [LCM LB_Historical_Data_Swich_Flag]
    const t = mux === 1 ? s.cellTMax : mux === 2 ? s.tempAvg : s.cellTMin;
    d[0] = mux << 6;
    d[2] = clampInt(t + 40, 0, 126) << 1;
    return makeFrame(LEAF_ID.history, d);
  }

  quickCharge(s: Readonly<BmsSnapshot>, x: LeafFrameInputs): CanFrame {
    const d = new Uint8Array(8);
    const full = clampInt((s.fullChargeAh * x.nominalVoltage) / 100, 0, 0x1ff);
    const rem = clampInt((s.remainingAh * x.nominalVoltage) / 100, 0, 0x1ff);
    // LB_Full_Capacity_for_QC 20|9@0+: byte 2 bits 4..0 then byte 3 bits 7..4; LB_Remain_Capacity_for_QC 27|9@0+:
    // byte 3 bits 3..0 then byte 4 bits 7..3 [LCM].
    d[2] = full >> 4;
    d[3] = ((full & 0x0f) << 4) | (rem >> 5);
    d[4] = (rem & 0x1f) << 3;
    return makeFrame(LEAF_ID.quickCharge, d);
  }
}
