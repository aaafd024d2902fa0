import { join } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { loadDbc } from '../../../protocols/can/dbc';
import { openBus } from '../../../protocols/can/registry';
import { BmsDevice } from '../device/bms-device';
import { emptySnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';
import { loadPackFixture } from '../pack/fixtures';
import { LV_CAN_ID, LvCanEncoder } from './lv-can';

const db = loadDbc(join(__dirname, '../../../data/dbc/pylon-lv.dbc'));

function decodeAll(enc: LvCanEncoder): Record<number, Record<string, number>> {
  const out: Record<number, Record<string, number>> = {};
  for (const f of enc.frames) out[f.id] = db.decode(f).signals;
  return out;
}

describe('LV CAN encoder (checked against data/dbc/pylon-lv.dbc)', () => {
  it('encodes a live BMS snapshot with the scales of PROTOCOLS.md', () => {
    const dev = new BmsDevice(loadPackFixture('lfp-lishen-16s-202ah'), { seed: 1, initialSoc: 0.6 });
    for (let i = 0; i < 5; i++) dev.step(1);
    dev.setCurrent(-37.46);
    dev.step(1);
    const s = dev.snapshot();
    const enc = new LvCanEncoder();
    enc.encode(s);
    expect(enc.frames.map((f) => [f.id, f.data.length])).toEqual([
      [0x351, 8],
      [0x355, 4],
      [0x356, 6],
      [0x359, 8],
      [0x35c, 2],
      [0x35e, 8],
    ]);
    const d = decodeAll(enc);
    expect(d[0x351]!.ChargeVoltageLimit).toBeCloseTo(3.45 * 16, 1);
    expect(d[0x351]!.DischargeVoltageLimit).toBeCloseTo(2.9 * 16, 1);
    expect(d[0x351]!.ChargeCurrentLimit).toBeCloseTo(s.chargeCurrentLimit, 1);
    expect(d[0x351]!.DischargeCurrentLimit).toBeCloseTo(s.dischargeCurrentLimit, 1);
    expect(d[0x355]!.SOC).toBe(Math.round(s.soc * 100));
    expect(d[0x355]!.SOH).toBe(Math.round(s.soh * 100));
    expect(d[0x356]!.BatteryVoltage).toBeCloseTo(s.packVoltage, 2);
    expect(d[0x356]!.BatteryCurrent).toBeCloseTo(-37.5, 5);
    expect(d[0x356]!.BatteryTemperature).toBeCloseTo(s.tempAvg, 1);
    expect(d[0x359]!.PackCount).toBe(1);
    expect(String.fromCharCode(d[0x359]!.MarkerP!, d[0x359]!.MarkerN!)).toBe('PN');
    expect(d[0x35c]!.ChargeEnable).toBe(1);
    expect(d[0x35c]!.DischargeEnable).toBe(1);
    const name = Array.from({ length: 8 }, (_, i) => String.fromCharCode(d[0x35e]![`NameChar${i}`]!)).join('');
    expect(name).toBe('PYLON   ');
  });

  it('maps alarms to protection bits and warnings to warning bits', () => {
    const s = emptySnapshot();
    s.alarms = BmsFlag.CellOverVoltage | BmsFlag.DischargeOverCurrent | BmsFlag.ChargeOverCurrent;
    s.warnings = s.alarms | BmsFlag.UnderTemperature | BmsFlag.InternalComms;
    s.forceCharge1 = true;
    const enc = new LvCanEncoder({ manufacturer: 'HIL', packCount: 3 });
    enc.encode(s);
    const d = decodeAll(enc);
    const p = d[0x359]!;
    expect([p.ProtectionOverVoltage, p.ProtectionUnderVoltage, p.ProtectionDischargeOverCurrent, p.ProtectionChargeOverCurrent]).toEqual([1, 0, 1, 1]);
    expect([p.WarningHighVoltage, p.WarningLowTemperature, p.WarningChargeHighCurrent, p.WarningInternalCommFail]).toEqual([1, 1, 1, 1]);
    expect(p.PackCount).toBe(3);
    expect([d[0x35c]!.ChargeEnable, d[0x35c]!.RequestForceChargeI]).toEqual([0, 1]);
    expect(String.fromCharCode(d[0x35e]!.NameChar0!, d[0x35e]!.NameChar1!, d[0x35e]!.NameChar2!, d[0x35e]!.NameChar3!)).toBe('HIL ');
  });

  it('saturates out-of-range values instead of wrapping', () => {
    const s = emptySnapshot();
    s.current = -5000;
    s.packVoltage = 400; // 40000 > s16 max at 0.01 V
    s.chargeVoltageLimit = -3;
    const enc = new LvCanEncoder();
    enc.encode(s);
    const d = decodeAll(enc);
    expect(d[0x356]!.BatteryCurrent).toBeCloseTo(-3276.8, 5);
    expect(d[0x356]!.BatteryVoltage).toBeCloseTo(327.67, 5);
    expect(d[0x351]!.ChargeVoltageLimit).toBe(0);
  });

  it('frames go onto a virtual bus intact', async () => {
    const clock = new VirtualClock();
    const tx = await openBus('virtual:lv-can-test', { clock });
    const rx = await openBus('virtual:lv-can-test', { clock });
    try {
      const dev = new BmsDevice(loadPackFixture('nissan-leaf-24kwh'), { seed: 2 });
      const enc = new LvCanEncoder();
      for (const f of enc.encode(dev.snapshot())) await tx.send(f);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push((await rx.recv(0))!.id);
      expect(ids).toEqual([0x351, 0x355, 0x356, 0x359, 0x35c, 0x35e]);
      expect(LV_CAN_ID.heartbeat).toBe(0x305);
    } finally {
      await tx.close();
      await rx.close();
    }
  });
});
