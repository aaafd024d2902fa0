/**
 * The LBC's UDS `22` data identifiers a second-life controller polls [BE POLL_* and the scales of its
 * handle_incoming_can_frame / update_values]. Every answer is `62 DID hi lo`, a 16-bit big-endian value, in one
 * single frame (`05 62 ..`, padded 0xAA as in [LOG]).
 *
 * | DID | value | scale [BE] |
 * |---|---|---|
 * | 9001 | SOC | raw - 300 = 0.01 % |
 * | 9002 | usable SOC | 0.01 % (assumed: BE only shows it) |
 * | 9003 | SOH | 0.01 % |
 * | 9005 | pack voltage | 0.1 V |
 * | 9007 / 9009 | max / min cell | mV (BE drops values <= 500) |
 * | 9011 | 12 V | mV - 350 (BE adds its "calibration" 350) |
 * | 9012 / 9013 / 9014 | average / min / max temperature | (raw - 640) x 0.0625 degC |
 * | 901A | HV interlock | 0xFFFE closed (as 0x0F8; BE only shows it) |
 * | 900E / 900F | max generated (charge) / max available (discharge) power | 10 W |
 * | 925D | current | (raw - 32640) x 0.03125 A, + charge (BE's sign) |
 * | 9021-903F, 9041-905F, 9061-907F, 9081-9083 | cells 1-96 (9040, 9060, 9080 skipped) | raw x 0.976563 mV (BE truncates to mV) |
 * | 9018 | max charge power | 0.01 kW [OVMS] |
 * | 9131-913C | module temperatures 1-12 | raw x 0.0625 - 40 degC [OVMS] |
 *
 * Cross-checked with [OVMS] rz2_pids_LBC.cpp, which reads the same DIDs from the vehicle side: 9005 x 0.1 V, 925D
 * as raw x 0.03125 - 1020 A (its sign + discharge, the same raw as BE's (raw - 32640) x 0.3125 dA + charge), 9012 as
 * raw x 0.0625 - 40 degC (= BE's (raw - 640) x 0.625 dC), 9003 x 0.01 %, 9002 as the SOC in 0.01 % (BE only shows
 * it as "usable SOC"), the cells at 0.000976563 V with 9040 skipped.
 */
import type { BmsSnapshot } from '../../device/snapshot';

export interface Zoe2DidContext {
  snapshot: Readonly<BmsSnapshot>;
  cells: Readonly<Float64Array>;
  /** Module temperatures, degC (DIDs 9131 on). */
  temps?: Readonly<Float64Array>;
  interlock: number;
}

/** The DID of cell `i` (0-based) [BE POLL_CELL_0..95]. */
export function cellDid(i: number): number {
  return 0x9021 + i + (i >= 31 ? 1 : 0) + (i >= 62 ? 1 : 0) + (i >= 93 ? 1 : 0);
}

/** Cell index (0-based) of a DID, or undefined. */
export function didCell(did: number): number | undefined {
  for (let i = 0; i < 96; i++) if (cellDid(i) === did) return i;
  return undefined;
}

const u16 = (v: number): number => Math.min(0xffff, Math.max(0, Math.round(v)));

/** The 16-bit value of `did`, or undefined for a DID the LBC does not answer. */
export function zoe2Did(did: number, c: Zoe2DidContext): number | undefined {
  const s = c.snapshot;
  const cell = didCell(did);
  if (cell !== undefined) return cell < c.cells.length ? u16(c.cells[cell]! * 1024) : undefined;
  const temp = (t: number): number => u16(t * 16 + 640);
  if (did >= 0x9131 && did <= 0x913c) {
    const m = did - 0x9131;
    return c.temps && m < c.temps.length ? temp(c.temps[m]!) : undefined;
  }
  switch (did) {
    case 0x9001:
      return u16(s.soc * 10000 + 300);
    case 0x9002:
      return u16(s.soc * 10000);
    case 0x9003:
      return u16(s.soh * 10000);
    case 0x9005:
      return u16(s.packVoltage * 10);
    case 0x9007:
      return u16(s.cellVMax * 1000);
    case 0x9009:
      return u16(s.cellVMin * 1000);
    case 0x9011:
      return u16(12_800 - 350); // a 12.8 V supply (assumed)
    case 0x9012:
      return temp(s.tempAvg);
    case 0x9013:
      return temp(s.cellTMin);
    case 0x9014:
      return temp(s.cellTMax);
    case 0x901a:
      return c.interlock;
    case 0x9018:
      return u16((s.chargeCurrentLimit * s.packVoltage) / 10);
    case 0x900e:
      return u16((s.chargeCurrentLimit * s.packVoltage) / 10);
    case 0x900f:
      return u16((s.dischargeCurrentLimit * s.packVoltage) / 10);
    case 0x925d:
      return u16(s.current * 32 + 32640);
    default:
      return undefined;
  }
}

/**
 * DID 912B, the balancing switches, as [BE] reads its multi-frame answer: after `62 91 2B`, the bits sit at payload
 * bytes 23-34 (consecutive frame 3 bytes 4-7, frame 4, frame 5 byte 1), most significant bit first, the first bit
 * being cell 96 and the last cell 1 (BE: "ordered 96-1"). What the bytes before them hold is not public: zeros. The
 * answer: `91 2B` + 32 bytes (payload 35 bytes with `62`).
 */
export function zoe2BalancingSwitches(bleedA: Readonly<Float64Array>): number[] {
  const d = new Array<number>(32).fill(0);
  for (let cell = 0; cell < Math.min(96, bleedA.length); cell++) {
    if ((bleedA[cell] ?? 0) <= 0) continue;
    const bit = 95 - cell; // bit 0 (MSB of the first byte) is cell 96
    d[20 + (bit >> 3)]! |= 0x80 >> (bit & 7);
  }
  return d;
}

