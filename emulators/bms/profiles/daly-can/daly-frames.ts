/**
 * Daly smart BMS on CAN (250 kbit/s in Daly's manuals; the bench does not model bit rates), as ai-republic/
 * bms-to-inverter reads it [DALY_SOURCES.AI]. Request/response on 29-bit ids: the master asks with
 * 0x18 <cmd> <bms id> 0x40 (8 bytes, content ignored) and the BMS answers on 0x18 <cmd> 0x40 <bms id>, data
 * big-endian (Java ByteBuffer default):
 *
 * | cmd | answer |
 * |---|---|
 * | 0x90 | 0-1 pack V 0.1 V, 2-3 (gathered V, 0.1 V), 4-5 current 0.1 A + 30000 offset (+ charge), 6-7 SOC 0.1 % |
 * | 0x91 | 0-1 max cell mV, 2 its number, 3-4 min cell mV, 5 its number (numbers 1-based) |
 * | 0x92 | 0 max temperature degC + 40, 1 its sensor, 2 min temperature + 40, 3 its sensor |
 * | 0x93 | 0 state (0 idle, 1 charge, 2 discharge), 1 charge MOS on, 2 discharge MOS on, 3 life counter, 4-7 remaining capacity mAh |
 * | 0x94 | 0 cells, 1 temperature sensors, 2 charger, 3 load, 4 DIO bits, 5-6 cycles |
 * | 0x95 | one frame per 3 cells: 0 frame number (1-based), 1-6 three cell voltages mV |
 * | 0x98 | failure bits: byte 0 cell high (bits 0-1, 1 warning / 2 alarm), cell low (2-3), pack high (4-5), pack low (6-7); byte 1 charge temp high / low, discharge temp high / low; byte 2 charge / discharge over-current; byte 3 cell difference (0-1), temperature difference (2-3) |
 * | 0x5A | 0-1 max pack V 0.1 V, 4-5 min pack V 0.1 V |
 * | 0x5B | 0-1 max discharge current 0.1 A + 30000, 4-5 max charge current 0.1 A + 30000 |
 */
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import { u16be } from '../aftermarket-common/attach';

export const DALY_MASTER = 0x40;
export const dalyRequestId = (cmd: number, bmsId: number): number => (0x18 << 24) | (cmd << 16) | (bmsId << 8) | DALY_MASTER;
export const dalyAnswerId = (cmd: number, bmsId: number): number => (0x18 << 24) | (cmd << 16) | (DALY_MASTER << 8) | bmsId;

/** The answer frames to command `cmd` (empty for a command this emulator does not serve). */
export function dalyAnswer(cmd: number, bmsId: number, device: BmsDevice): CanFrame[] {
  const s = device.snapshot();
  const d = new Uint8Array(8);
  const one = (): CanFrame[] => [makeFrame(dalyAnswerId(cmd, bmsId), d, { extended: true })];
  const level = (mask: number, warn: number, flag: number): number => (mask & flag ? 2 : warn & flag ? 1 : 0);
  switch (cmd) {
    case 0x90:
      u16be(d, 0, s.packVoltage * 10);
      u16be(d, 2, s.packVoltage * 10);
      u16be(d, 4, s.current * 10 + 30000);
      u16be(d, 6, s.soc * 1000);
      return one();
    case 0x91:
      u16be(d, 0, s.cellVMax * 1000);
      d[2] = s.cellVMaxId + 1;
      u16be(d, 3, s.cellVMin * 1000);
      d[5] = s.cellVMinId + 1;
      return one();
    case 0x92:
      d[0] = clampByte(Math.round(s.cellTMax) + 40);
      d[1] = s.cellTMaxId + 1;
      d[2] = clampByte(Math.round(s.cellTMin) + 40);
      d[3] = s.cellTMinId + 1;
      return one();
    case 0x93: {
      d[0] = s.current > 0.5 ? 1 : s.current < -0.5 ? 2 : 0;
      d[1] = s.chargeEnable ? 1 : 0;
      d[2] = s.dischargeEnable ? 1 : 0;
      d[3] = s.counters.steps & 0xff;
      const mAh = Math.round(s.remainingAh * 1000);
      d[4] = (mAh >>> 24) & 0xff;
      d[5] = (mAh >>> 16) & 0xff;
      d[6] = (mAh >>> 8) & 0xff;
      d[7] = mAh & 0xff;
      return one();
    }
    case 0x94:
      d[0] = s.seriesCells & 0xff;
      d[1] = s.modules & 0xff;
      d[2] = s.current > 0.5 ? 1 : 0;
      d[3] = s.current < -0.5 ? 1 : 0;
      u16be(d, 5, s.cycles);
      return one();
    case 0x95: {
      const cells = device.measuredCellVoltages();
      const out: CanFrame[] = [];
      for (let f = 0; f * 3 < cells.length; f++) {
        const x = new Uint8Array(8);
        x[0] = f + 1;
        for (let k = 0; k < 3; k++) if (f * 3 + k < cells.length) u16be(x, 1 + 2 * k, cells[f * 3 + k]! * 1000);
        out.push(makeFrame(dalyAnswerId(cmd, bmsId), x, { extended: true }));
      }
      return out;
    }
    case 0x98: {
      const a = s.alarms;
      const w = s.warnings;
      d[0] = level(a, w, BmsFlag.CellOverVoltage) | (level(a, w, BmsFlag.CellUnderVoltage) << 2);
      const hot = level(a, w, BmsFlag.OverTemperature);
      const cold = level(a, w, BmsFlag.UnderTemperature);
      d[1] = hot | (cold << 2) | (hot << 4) | (cold << 6);
      d[2] = level(a, w, BmsFlag.ChargeOverCurrent) | (level(a, w, BmsFlag.DischargeOverCurrent) << 2);
      d[3] = level(a, w, BmsFlag.CellImbalance) | (level(a, w, BmsFlag.TemperatureSpread) << 2);
      return one();
    }
    case 0x5a:
      u16be(d, 0, s.chargeVoltageLimit * 10);
      u16be(d, 4, s.dischargeVoltageLimit * 10);
      return one();
    case 0x5b:
      u16be(d, 0, s.dischargeCurrentLimit * 10 + 30000);
      u16be(d, 4, s.chargeCurrentLimit * 10 + 30000);
      return one();
    default:
      return [];
  }
}

function clampByte(x: number): number {
  return Math.min(255, Math.max(0, x));
}
