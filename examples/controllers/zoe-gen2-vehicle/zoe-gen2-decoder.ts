/**
 * The controller's reading of a Renault Zoe Gen2 (ZE50) LBC, written from the controller-side source only (never from
 * the emulator's code): [BE] dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN2-BATTERY.cpp/.h
 * @ 62532e944e06bd1d6462179ba92068b48d98ab89, field by field as its handle_incoming_can_frame and update_values read
 * them.
 */

export interface ZoeGen2Reading {
  /** 0x0F8 frames seen (BE ignores the first 50). */
  frames0F8: number;
  /** 0x0F8 bytes 0-1 (0xFFFE: interlock closed). */
  interlock?: number;
  /** V [0x0F8 bytes 2-3 / 8 = 0.1 V]. */
  voltage?: number;
  /** V [0x4DB: 12 bits + 1000 mV]. */
  cellMax?: number;
  cellMin?: number;
  /** 0x36C frames whose CRC (poly 0x1D, init 0, XOR 0x01) did not match. */
  badCrc: number;
  /** From the DIDs: % [9001: raw - 300, 0.01 %]. */
  soc?: number;
  /** % [9003, 0.01 %]. */
  soh?: number;
  /** V [9005, 0.1 V]. */
  packVoltagePolled?: number;
  /** A, + charge [925D: (raw - 32640) x 0.3125 dA]. */
  current?: number;
  /** V [9007 / 9009, mV]. */
  cellMaxPolled?: number;
  cellMinPolled?: number;
  /** degC [9012 / 9013 / 9014: (raw - 640) x 0.625 dC]. */
  tempAvg?: number;
  tempMin?: number;
  tempMax?: number;
  /** 901A. */
  interlockPolled?: number;
  /** W [900E / 900F x 10]. */
  maxChargeW?: number;
  maxDischargeW?: number;
  /** Cell voltages, V (index 0 = cell 1) [DIDs 9021.. with 9040, 9060, 9080 skipped; raw x 0.976563 mV, whole mV]. */
  cells: number[];
}

const TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x1d) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** The frame CRC BE checks and sends: CRC-8 poly 0x1D [BE crc8_table_SAE_J1850_ZER0], init 0, bytes 0-6, then XOR. */
export function zoeGen2Crc(d: ArrayLike<number>, xor: number): number {
  let crc = 0;
  for (let i = 0; i < 7; i++) crc = TABLE[crc ^ d[i]!]!;
  return crc ^ xor;
}

/** The cell DIDs in BE's order [POLL_CELL_0..95]: 0x9021 on, skipping 0x9040, 0x9060 and 0x9080. */
export const CELL_DIDS: readonly number[] = Array.from({ length: 99 }, (_, k) => 0x9021 + k).filter((d) => d !== 0x9040 && d !== 0x9060 && d !== 0x9080);

export function decodeZoeGen2Frame(id: number, d: Uint8Array, out: ZoeGen2Reading): void {
  switch (id) {
    case 0x0f8:
      out.frames0F8 = Math.min(50, out.frames0F8 + 1);
      if (out.frames0F8 < 50) return;
      out.interlock = (d[0]! << 8) | d[1]!;
      out.voltage = Math.trunc(((d[2]! << 8) | d[3]!) / 8) / 10;
      return;
    case 0x4db:
      out.cellMax = (((d[0]! << 4) | ((d[1]! & 0xf0) >> 4)) + 1000) / 1000;
      out.cellMin = ((((d[1]! & 0x0f) << 8) | d[2]!) + 1000) / 1000;
      return;
    case 0x36c:
      if (zoeGen2Crc(d, 0x01) !== d[7]) out.badCrc++;
      return;
  }
}

/** A single-frame `62 DID hi lo` answer on 0x18DAF1DB (bytes 2-3 the DID, 4-5 the value, as BE reads it). */
export function decodeZoeGen2Answer(d: Uint8Array, out: ZoeGen2Reading): number | undefined {
  if (d[0]! >= 0x10 || d[1] !== 0x62) return undefined;
  const did = (d[2]! << 8) | d[3]!;
  const v = (d[4]! << 8) | d[5]!;
  const cell = CELL_DIDS.indexOf(did);
  if (cell >= 0) {
    out.cells[cell] = Math.trunc(v * 0.976563) / 1000;
    return did;
  }
  switch (did) {
    case 0x9001:
      out.soc = v >= 300 ? (v - 300) / 100 : 0;
      break;
    case 0x9003:
      out.soh = v / 100;
      break;
    case 0x9005:
      out.packVoltagePolled = v / 10;
      break;
    case 0x9007:
      if (v > 500) out.cellMaxPolled = v / 1000;
      break;
    case 0x9009:
      if (v > 500) out.cellMinPolled = v / 1000;
      break;
    case 0x9012:
      out.tempAvg = ((v - 640) * 0.625) / 10;
      break;
    case 0x9013:
      out.tempMin = ((v - 640) * 0.625) / 10;
      break;
    case 0x9014:
      out.tempMax = ((v - 640) * 0.625) / 10;
      break;
    case 0x901a:
      out.interlockPolled = v;
      break;
    case 0x900e:
      out.maxChargeW = v * 10;
      break;
    case 0x900f:
      out.maxDischargeW = v * 10;
      break;
    case 0x925d:
      out.current = ((v - 32640) * 0.3125) / 10;
      break;
  }
  return did;
}
