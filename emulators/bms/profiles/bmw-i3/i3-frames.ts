/**
 * The frames a BMW i3 SME (battery management) broadcasts, encoded from the BMS state. Little-endian; layouts,
 * periods and scales as Battery-Emulator reads them [BE handle_incoming_can_frame, periods in its comments];
 * data/dbc/bmw-i3.dbc describes the same frames.
 *
 * | id | period | content |
 * |---|---|---|
 * | 0x112 | 10 ms | current u16 0.1 A + 8192 (+ charge), voltage u16 0.1 V, SOC 12 bit 0.1 % (assumed unit), open-contactor requests |
 * | 0x1FA | 1000 ms | isolation / interlock / contactor status pairs (0 not evaluated, 1 OK, 2 error), contactor state, weld, temperatures + 50 |
 * | 0x2BD | 100 ms | CRC (init 0x15), alive counter, diagnosis status |
 * | 0x2F5 | 100 ms | charge voltage limit u16 0.1 V, charge current limit u16 0.1 A + 819.2 A, discharge voltage limit, discharge current limit |
 * | 0x239 | 200 ms | predicted energy now u16 Wh, at the charging target u16 0.02 kWh |
 * | 0x40D | 1000 ms | available power short/long term, charge/discharge, u16 3 W |
 * | 0x431 | 200 ms | maximum energy content 12 bit 20 Wh: nameplate Ah x SOH x nominal V (60/94/120 Ah told apart by it) |
 * | 0x432 | 200 ms | display SOC u8 0.5 % |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsSnapshot } from '../../device/snapshot';
import { ALIVE_MAX, i3Crc } from './i3-crc';

export const I3_ID = {
  status112: 0x112,
  status1FA: 0x1fa,
  diag2BD: 0x2bd,
  limits2F5: 0x2f5,
  energy239: 0x239,
  power40D: 0x40d,
  content431: 0x431,
  soc432: 0x432,
  /** Vehicle side: contactor command (20 ms) and VCU wake-up (100 ms) [BE transmit_can BMW_10B, BMW_12F]. */
  vcu10B: 0x10b,
  vcu12F: 0x12f,
  /** Diagnostics, extended addressing: tester F1 on 0x6F1 / F4 on 0x6F4, SME address 07, answers on 0x607 [BE; OVMS I3_ECU_SME_TX 0x06F107, RX 0x0607F1]. */
  diagF1: 0x6f1,
  diagF4: 0x6f4,
  diagResponse: 0x607,
} as const;

/** Status pairs of 0x1FA [BE BMW-I3-HTML.cpp statusText]. */
export const I3_ST = { notEvaluated: 0, ok: 1, error: 2, invalid: 3 } as const;

export interface I3Status {
  /** 0 open, 1 precharge, 2 engaged [BE DCSWText]. */
  contactor: 0 | 1 | 2;
  /** 0 OK, 1 one contactor welded [BE contText]. */
  weld: 0 | 1;
  isolationExternal: number;
  isolationInternal: number;
  isolationWarning: number;
  /** Interlock (HVIL): 2 = error [BE EVENT_HVIL_FAILURE when battery_status_error_locking == 2]. */
  interlock: number;
  /** 0x112 byte 5 bits 6-7: the SME asks the vehicle to open the contactors. */
  requestOpen: number;
  /** Nominal pack voltage, V (energies = Ah x this). */
  nominalVoltage: number;
}

const u16le = (d: Uint8Array, at: number, v: number): void => {
  const r = Math.min(0xffff, Math.max(0, Math.round(v)));
  d[at] = r & 0xff;
  d[at + 1] = r >> 8;
};
const byte = (v: number): number => Math.min(0xff, Math.max(0, Math.round(v)));

export class I3FrameEncoder {
  private alive2BD = 0;

  status112(s: Readonly<BmsSnapshot>, x: I3Status): CanFrame {
    const d = new Uint8Array(8);
    u16le(d, 0, s.current * 10 + 8192);
    u16le(d, 2, s.packVoltage * 10);
    const soc = Math.min(0xfff, Math.max(0, Math.round(s.soc * 1000)));
    d[4] = soc & 0xff;
    d[5] = (soc >> 8) | ((x.requestOpen & 3) << 6);
    return makeFrame(I3_ID.status112, d);
  }

  status1FA(s: Readonly<BmsSnapshot>, x: I3Status): CanFrame {
    const d = new Uint8Array(8);
    d[0] = (x.isolationExternal & 3) | ((x.isolationInternal & 3) << 2);
    d[1] = (x.interlock & 3) | ((x.contactor & 3) << 4);
    d[2] = ((x.weld & 3) << 4) | ((x.isolationWarning & 3) << 6);
    d[4] = byte(s.tempAvg + 50);
    d[5] = byte(s.tempAvg + 50);
    d[6] = byte(s.cellTMin + 50);
    d[7] = byte(s.cellTMax + 50);
    return makeFrame(I3_ID.status1FA, d);
  }

  diag2BD(): CanFrame {
    const d = new Uint8Array(8);
    d[1] = 0xf0 | this.alive2BD;
    this.alive2BD = this.alive2BD >= ALIVE_MAX ? 0 : this.alive2BD + 1;
    d[0] = i3Crc(d, 0x15);
    return makeFrame(I3_ID.diag2BD, d);
  }

  limits2F5(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    u16le(d, 0, s.chargeVoltageLimit * 10);
    u16le(d, 2, (s.chargeCurrentLimit + 819.2) * 10);
    u16le(d, 4, s.dischargeVoltageLimit * 10);
    u16le(d, 6, (s.dischargeCurrentLimit + 819.2) * 10);
    return makeFrame(I3_ID.limits2F5, d);
  }

  energy239(s: Readonly<BmsSnapshot>, x: I3Status): CanFrame {
    const d = new Uint8Array(8);
    u16le(d, 1, s.remainingAh * x.nominalVoltage);
    u16le(d, 3, (s.fullChargeAh * x.nominalVoltage) / 1000 / 0.02);
    return makeFrame(I3_ID.energy239, d);
  }

  power40D(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    const chg = (s.chargeCurrentLimit * s.packVoltage) / 3;
    const dis = (s.dischargeCurrentLimit * s.packVoltage) / 3;
    u16le(d, 0, chg);
    u16le(d, 2, dis);
    u16le(d, 4, chg);
    u16le(d, 6, dis);
    return makeFrame(I3_ID.power40D, d);
  }

  content431(s: Readonly<BmsSnapshot>, x: I3Status): CanFrame {
    const d = new Uint8Array(8);
    // The pack's energy content at its SOH (nameplate Ah x SOH x nominal V), not the window the limits leave usable.
    const wh20 = Math.min(0xfff, Math.max(0, Math.round((s.nominalAh * s.soh * x.nominalVoltage) / 20)));
    d[5] = wh20 & 0xff;
    d[6] = wh20 >> 8;
    return makeFrame(I3_ID.content431, d);
  }

  soc432(s: Readonly<BmsSnapshot>): CanFrame {
    const d = new Uint8Array(8);
    d[4] = byte(s.soc * 200);
    return makeFrame(I3_ID.soc432, d);
  }
}
