import { ExceptionCode } from '../device';
import { SunSpecDevice } from './sunspec-device';
import { SunSpecModel } from './sunspec-model';
import { anyValue, bitsWithin, inRange, oneOf, readOnly, scaleExponentFor, writeHandler, writtenValue } from './write-handler';

describe('SunSpec write-handler helpers', () => {
  it('point checks: range bounds included, listed values, bit masks, non-numbers refused', () => {
    expect([-1, 0, 100, 101].map(inRange(0, 100))).toEqual([false, true, true, false]);
    expect([0, 1, 2].map(oneOf(0, 1))).toEqual([true, true, false]);
    expect([0, 3, 4, 7].map(bitsWithin(3))).toEqual([true, true, false, false]);
    for (const check of [inRange(0, 1), oneOf(0), bitsWithin(1)]) {
      expect(check(null)).toBe(false);
      expect(check('0')).toBe(false);
    }
    expect(anyValue(null)).toBe(true);
  });

  it('scale exponent keeps the value within the register type', () => {
    expect(scaleExponentFor(32767)).toBe(0);
    expect(scaleExponentFor(32768)).toBe(1);
    expect(scaleExponentFor(48000)).toBe(1);
    expect(scaleExponentFor(48000, 65535)).toBe(0);
    expect(scaleExponentFor(4_000_000)).toBe(3);
  });

  it('a handler refuses unlisted points (address), bad values (value), then the request check; applies the rest', () => {
    const applied: Array<number | undefined> = [];
    const m = SunSpecModel.load(123, {
      scaleFactors: { WMaxLimPct_SF: 0, OutPFSet_SF: -3 },
      values: { WMaxLimPct: 100, WMaxLimPct_WinTms: 0 },
      handler: writeHandler(
        { WMaxLimPct: inRange(0, 100), WMaxLimPct_WinTms: anyValue },
        (writes) => applied.push(writtenValue(writes, 'WMaxLimPct')),
        // a request check: a limit of 0 % may not be given a window in the same request
        (writes) => (writtenValue(writes, 'WMaxLimPct') === 0 && (writtenValue(writes, 'WMaxLimPct_WinTms') ?? 0) > 0 ? ExceptionCode.IllegalDataValue : undefined),
      ),
    });
    const dev = new SunSpecDevice({ models: [m] });
    const at = (p: string): number => dev.addressOf(123)! + m.layout.point(p)!.offset;
    expect(dev.writeRegisters(at('Conn'), [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(at('WMaxLimPct'), [101])).toBe(ExceptionCode.IllegalDataValue);
    // WMaxLimPct_WinTms follows WMaxLimPct: one request with both, refused as a whole by the request check.
    expect(dev.writeRegisters(at('WMaxLimPct'), [0, 5])).toBe(ExceptionCode.IllegalDataValue);
    expect(applied).toEqual([]);
    expect([m.get('WMaxLimPct'), m.get('WMaxLimPct_WinTms')]).toEqual([100, 0]);
    expect(dev.writeRegisters(at('WMaxLimPct'), [40, 5])).toBeUndefined();
    expect(applied).toEqual([40]);
    expect(dev.writeRegisters(at('WMaxLimPct_WinTms'), [0])).toBeUndefined();
    expect(applied).toEqual([40, undefined]);
  });

  it('read-only: every point refuses writes with IllegalDataAddress', () => {
    const m = SunSpecModel.load(1, { values: { Mn: 'a', Md: 'b', SN: 'c', DA: 1 }, handler: readOnly() });
    const dev = new SunSpecDevice({ models: [m] });
    expect(dev.writeRegisters(dev.addressOf(1)! + m.layout.point('DA')!.offset, [2])).toBe(ExceptionCode.IllegalDataAddress);
  });
});
