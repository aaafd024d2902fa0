import type { Database, DecodedMessage } from '../../../protocols/can/dbc';
import type { CanFrame } from '../../../protocols/can/frame';
/**
 * What an inverter has heard from its battery over a battery-to-inverter CAN protocol (Pylontech LV, SMA LV, Pylon
 * HV), in one shape for all of them. Values stay undefined until the frame carrying them has been heard.
 */

/** Alarm names, shared by the protocols (a protocol that has no bit for one never sets it). */
export const BMS_ALARMS = [
  'overVoltage',
  'underVoltage',
  'overTemperature',
  'underTemperature',
  'chargeOverCurrent',
  'dischargeOverCurrent',
  'systemError',
  'cellImbalance',
] as const;
export type BmsAlarm = (typeof BMS_ALARMS)[number];

export interface HeardBms {
  /** Charge voltage limit (CVL), V. */
  chargeVoltage?: number;
  /** Charge current limit (CCL), A >= 0. */
  chargeLimit?: number;
  /** Discharge current limit (DCL), A >= 0. */
  dischargeLimit?: number;
  /** Discharge voltage limit (DVL), V. */
  dischargeVoltage?: number;
  soc?: number;
  soh?: number;
  voltage?: number;
  /** A, + charge. */
  current?: number;
  temperature?: number;
  /** Charge / discharge enable (LV 0x35C bits 7/6; HV 0x4280 not 0xAA). Undefined until heard. */
  chargeEnable?: boolean;
  dischargeEnable?: boolean;
  forceCharge?: boolean;
  /** Protections (alarms that stop the inverter) and warnings now active. */
  readonly protections: Set<BmsAlarm>;
  readonly warnings: Set<BmsAlarm>;
  /**
   * The name the battery announces (LV 0x35E, 8 ASCII bytes; HV 0x7330 + 0x7340, 16), trailing spaces and NULs
   * removed, non-printable bytes as '?'. The identity of whatever sends the battery's side of the protocol: on a
   * translator bench, the controller under test. Undefined until heard.
   */
  name?: string;
  /** Battery frames heard (of the protocol's ids) and frames with those ids that did not decode. */
  frames: number;
  malformed: number;
  /** Clock time of the last battery frame, ms. */
  lastFrameMs?: number;
}

export function emptyHeard(): HeardBms {
  return { protections: new Set(), warnings: new Set(), frames: 0, malformed: 0 };
}

/** Decode with a DBC; undefined for an unknown id or a frame the message does not fit (never throws). */
export function tryDecode(db: Database, f: CanFrame, allowTruncated: boolean): DecodedMessage | undefined {
  try {
    return db.tryDecode(f, { allowTruncated });
  } catch {
    return undefined;
  }
}

/** ASCII bytes as a name: printable characters kept, others '?', trailing spaces and NULs removed. */
export function asciiName(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += b === 0 ? '\u0000' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  }
  return out.replace(/[\s\u0000]+$/, '').replace(/\u0000/g, '?');
}
