import { ExceptionCode } from '../../../protocols/modbus/device';
import { decodeRaw } from '../../../protocols/modbus/sunspec';
import { describeIf } from '../../../test/support/describe-if';
import { expectMatchesOfficial, haveOfficialModels, OFFICIAL_MODELS_DIR } from '../../../test/sunspec/official-models';
import { BmsDevice } from '../device/bms-device';
import { BmsFlag } from '../logic/flags';
import { loadPackFixture } from '../pack/fixtures';
import { createBmsSunSpec, type BmsSunSpec } from './sunspec-battery';

function build(pack = 'nissan-leaf-24kwh'): { dev: BmsDevice; ss: BmsSunSpec } {
  const dev = new BmsDevice(loadPackFixture(pack), { seed: 11, initialSoc: 0.55 });
  for (let i = 0; i < 5; i++) dev.step(1);
  return { dev, ss: createBmsSunSpec(dev) };
}

/** Wire address of a point. */
function addr(ss: BmsSunSpec, model: number, point: string): number {
  const m = ss.sunspec.model(model)!;
  return ss.sunspec.addressOf(model)! + m.layout.point(point)!.offset;
}

/** Read one point over the Modbus face and decode it like a client (raw, unscaled). */
function readRaw(ss: BmsSunSpec, model: number, point: string): number | bigint | string | null {
  const p = ss.sunspec.model(model)!.layout.point(point)!;
  const regs = ss.modbus.readHoldingRegisters!(addr(ss, model, point), p.size);
  if (typeof regs === 'number') throw new Error(`exception ${regs}`);
  return decodeRaw(p.type, regs, 0, p.size);
}

const write = (ss: BmsSunSpec, model: number, point: string, ...values: number[]): ExceptionCode | undefined =>
  ss.modbus.writeRegisters!(addr(ss, model, point), values);

/** Under CI=true the official models must be there (../shared/sunspec-models beside the clone). */
const describeIfModels = (name: string, body: () => void): void =>
  describeIf(haveOfficialModels, `the official SunSpec models are not at ${OFFICIAL_MODELS_DIR}`, name, body, { failInCi: true });

describeIfModels('BMS SunSpec map against the official model JSON', () => {
  it.each(['nissan-leaf-24kwh', 'lfp-lishen-16s-202ah', 'tesla-model-s-module', 'bmw-i3-60ah'])('%s: 1, 802, 803, 804 match point by point', async (pack) => {
    const { ss } = build(pack);
    const r = await expectMatchesOfficial(ss.sunspec);
    expect(r.models).toEqual([1, 802, 803, 804]);
    expect(r.implemented / r.points).toBeGreaterThan(0.75);
  });
});

describe('BMS SunSpec map: values and control points', () => {
  it('reads the snapshot through 802 with its scale factors', () => {
    const { dev, ss } = build();
    dev.setCurrent(-25);
    dev.step(1);
    const s = dev.snapshot();
    const m = ss.sunspec.model(802)!;
    ss.modbus.readHoldingRegisters!(ss.sunspec.addressOf(802)!, 60);
    expect(m.get('SoC')).toBeCloseTo(s.soc * 100, 1);
    expect(m.get('V')).toBeCloseTo(s.packVoltage, 1);
    expect(m.get('A')).toBeCloseTo(-25, 1);
    expect(readRaw(ss, 802, 'A')).toBe(Math.round(s.current * 10));
    expect(readRaw(ss, 802, 'ChaSt')).toBe(3); // DISCHARGING
    expect(readRaw(ss, 802, 'State')).toBe(3); // CONNECTED
    expect(readRaw(ss, 802, 'Typ')).toBe(4); // LITHIUM_ION
    expect(m.get('CellVMax')).toBeCloseTo(s.cellVMax, 3);
    expect(m.get('AChaMax')).toBeCloseTo(s.chargeCurrentLimit, 1);
    expect(readRaw(ss, 802, 'Evt1')).toBe(0);
  });

  it('SetOp DISCONNECT opens the contactors, CONNECT closes them again', () => {
    const { dev, ss } = build();
    expect(readRaw(ss, 802, 'SetOp')).toBe(1);
    expect(write(ss, 802, 'SetOp', 2)).toBeUndefined();
    dev.step(1);
    expect(dev.contactorClosed()).toBe(false);
    expect(readRaw(ss, 802, 'SetOp')).toBe(2);
    expect(readRaw(ss, 802, 'State')).toBe(1); // DISCONNECTED
    expect(write(ss, 802, 'SetOp', 1)).toBeUndefined();
    for (let i = 0; i < 10; i++) dev.step(1);
    expect(dev.contactorClosed()).toBe(true);
  });

  it('AlmRst resets a latched alarm once its cause is gone, and reads back 0', () => {
    const { dev, ss } = build();
    const f = dev.injectFault({ kind: 'internal-fault' });
    dev.step(1);
    expect(readRaw(ss, 802, 'State')).toBe(99);
    expect(Number(readRaw(ss, 802, 'Evt1')) & (1 << 25)).not.toBe(0); // OTHER_ALARM
    expect(Number(readRaw(ss, 802, 'EvtVnd1')) & BmsFlag.InternalFault).not.toBe(0);
    f.clear();
    dev.step(1);
    expect(dev.snapshot().latched).not.toBe(0);
    expect(write(ss, 802, 'AlmRst', 1)).toBeUndefined();
    expect(readRaw(ss, 802, 'AlmRst')).toBe(0);
    for (let i = 0; i < 10; i++) dev.step(1);
    expect(dev.snapshot().latched).toBe(0);
    expect(dev.contactorClosed()).toBe(true);
  });

  it('CtrlHb writes feed the heartbeat watchdog; SetInvState is kept', () => {
    const { dev, ss } = build();
    expect(write(ss, 802, 'CtrlHb', 7)).toBeUndefined();
    expect(dev.logic.watchdog.beats).toBe(1);
    expect(readRaw(ss, 802, 'CtrlHb')).toBe(7);
    expect(write(ss, 802, 'SetInvState', 3)).toBeUndefined();
    expect(ss.inverterState).toBe(3);
    expect(readRaw(ss, 802, 'SetInvState')).toBe(3);
  });

  it('803/804 string controls act on the contactors; 804 has one group per module', () => {
    const { dev, ss } = build('bmw-i3-60ah');
    expect(write(ss, 804, 'SetCon', 2)).toBeUndefined();
    dev.step(1);
    expect(dev.contactorClosed()).toBe(false);
    expect(readRaw(ss, 803, 'string[0].StrSetCon')).toBe(2);
    expect(Number(readRaw(ss, 803, 'string[0].StrSt')) & 2).toBe(0);
    expect(write(ss, 803, 'string[0].StrSetCon', 1)).toBeUndefined();
    for (let i = 0; i < 10; i++) dev.step(1);
    expect(dev.contactorClosed()).toBe(true);
    expect(readRaw(ss, 804, 'NMod')).toBe(8);
    const cells = dev.measuredCellVoltages();
    const m3 = Array.from(cells.slice(36, 48));
    expect(Number(readRaw(ss, 804, 'lithium_ion_string_module[3].ModCellVMax')) / 1000).toBeCloseTo(Math.max(...m3), 3);
  });

  it('bad writes get the proper exception and change nothing', () => {
    const { dev, ss } = build();
    expect(write(ss, 802, 'SoC', 500)).toBe(ExceptionCode.IllegalDataAddress); // read-only
    expect(write(ss, 802, 'Hb', 1)).toBe(ExceptionCode.IllegalDataAddress);
    expect(write(ss, 802, 'SetOp', 3)).toBe(ExceptionCode.IllegalDataValue); // not a symbol
    expect(write(ss, 802, 'AlmRst', 2)).toBe(ExceptionCode.IllegalDataValue);
    expect(write(ss, 802, 'SocRsvMax', 1001)).toBe(ExceptionCode.IllegalDataValue); // 100.1 %
    expect(write(ss, 802, 'SoCRsvMin', 900)).toBeUndefined();
    expect(write(ss, 802, 'SocRsvMax', 800)).toBe(ExceptionCode.IllegalDataValue); // below the minimum
    expect(write(ss, 804, 'SetEna', 9)).toBe(ExceptionCode.IllegalDataValue);
    expect(ss.modbus.writeRegisters!(0, [1])).toBe(ExceptionCode.IllegalDataAddress);
    // An atomic request: SetOp valid, AlmRst invalid -> nothing applied.
    const at = addr(ss, 802, 'AlmRst');
    expect(addr(ss, 802, 'CtrlHb')).toBe(at - 1);
    expect(ss.modbus.writeRegisters!(at - 1, [5, 3])).toBe(ExceptionCode.IllegalDataValue);
    expect(dev.logic.watchdog.beats).toBe(0);
    expect(dev.contactorClosed()).toBe(true);
  });

  it('Hb counts seconds; stale data freezes it with every other value', () => {
    const { dev, ss } = build();
    const hb0 = Number(readRaw(ss, 802, 'Hb'));
    for (let i = 0; i < 3; i++) dev.step(1);
    expect(Number(readRaw(ss, 802, 'Hb'))).toBe(hb0 + 3);
    const f = dev.injectFault({ kind: 'stale-data' });
    const soc = readRaw(ss, 802, 'SoC');
    dev.setCurrent(-100);
    for (let i = 0; i < 30; i++) dev.step(1);
    expect([readRaw(ss, 802, 'Hb'), readRaw(ss, 802, 'SoC')]).toEqual([hb0 + 3, soc]);
    f.clear();
    expect(Number(readRaw(ss, 802, 'Hb'))).toBe(hb0 + 33);
    expect(Number(readRaw(ss, 802, 'SoC'))).toBeLessThan(Number(soc));
  });

  it('answers 0x0B while comms are lost, normally again after', () => {
    const { dev, ss } = build();
    const f = dev.injectFault({ kind: 'comms-loss' });
    expect(ss.modbus.readHoldingRegisters!(40000, 2)).toBe(ExceptionCode.GatewayTargetFailedToRespond);
    expect(write(ss, 802, 'SetOp', 2)).toBe(ExceptionCode.GatewayTargetFailedToRespond);
    f.clear();
    expect(Array.from(ss.modbus.readHoldingRegisters!(40000, 2) as ArrayLike<number>)).toEqual([0x5375, 0x6e53]);
    expect(dev.logic.closeRequested).toBe(true);
  });
});
