import { ExceptionCode } from '../device';
import { SunSpecDevice } from './sunspec-device';
import { SunSpecModel } from './sunspec-model';

function common(): SunSpecModel {
  return SunSpecModel.load(1, { values: { Mn: 'Acme', Md: 'X1', SN: '42', DA: 1 } });
}

describe('SunSpecModel', () => {
  it('lays out model 160 with the requested modules and keeps N equal to their count', () => {
    const m = SunSpecModel.load(160, { groupCounts: { module: 2 } });
    expect(m.layout.length).toBe(8 + 2 * 20);
    expect(m.get('N')).toBe(2);
    expect(m.layout.point('module[1].DCA')?.offset).toBe(10 + 20 + 9); // module: ID, IDStr(8), DCA
  });

  it('scales values with their scale factor and reads unset points as not implemented', () => {
    const m = SunSpecModel.load(101, { scaleFactors: { W_SF: 1, Hz_SF: -2 } });
    m.set('W', 4567);
    expect(m.getRaw('W')).toBe(457);
    expect(m.get('W')).toBe(4570);
    m.set('Hz', 50.02);
    expect(m.get('Hz')).toBe(50.02);
    expect(m.get('TmpSnk')).toBeNull();
    expect(() => m.set('VA', 5)).toThrow(/model 101 point VA: scale factor VA_SF is not set/);
  });
});

describe('SunSpecDevice', () => {
  const build = (base?: number) => {
    const applied: number[] = [];
    const controls = SunSpecModel.load(123, {
      scaleFactors: { WMaxLimPct_SF: 0, OutPFSet_SF: -3 },
      handler: {
        validate: (writes) => (writes.some((w) => w.point.name === 'WMaxLimPct' && (w.value as number) > 100) ? ExceptionCode.IllegalDataValue : undefined),
        apply: (writes) => writes.forEach((w) => applied.push(w.value as number)),
      },
    });
    const dev = new SunSpecDevice({ ...(base !== undefined ? { base } : {}), models: [common(), SunSpecModel.load(101, { scaleFactors: { W_SF: 0 } }), controls] });
    return { dev, controls, applied };
  };

  it.each([40000, 0, 50000])('puts SunS at %i, then the chain, then 0xFFFF/0', (base) => {
    const { dev } = build(base);
    expect(Array.from(dev.readHoldingRegisters(base, 4) as Uint16Array)).toEqual([0x5375, 0x6e53, 1, 66]);
    const second = base + 2 + 68;
    expect(Array.from(dev.readHoldingRegisters(second, 2) as Uint16Array)).toEqual([101, 50]);
    const third = second + 52;
    expect(Array.from(dev.readHoldingRegisters(third, 2) as Uint16Array)).toEqual([123, 24]);
    expect(Array.from(dev.readHoldingRegisters(third + 26, 2) as Uint16Array)).toEqual([0xffff, 0]);
    expect(dev.readHoldingRegisters(third + 27, 2)).toBe(ExceptionCode.IllegalDataAddress);
    if (base > 0) expect(dev.readHoldingRegisters(base - 1, 2)).toBe(ExceptionCode.IllegalDataAddress);
  });

  it('reads across model boundaries', () => {
    const { dev } = build();
    const regs = dev.readHoldingRegisters(40000 + 2 + 66, 4) as Uint16Array;
    expect(Array.from(regs)).toEqual([1, 0x8000, 101, 50]); // DA, Pad, ID, L
  });

  it('writes RW points through the handler and refuses read-only, partial and out-of-range writes atomically', () => {
    const { dev, controls, applied } = build();
    const at = (name: string) => dev.addressOf(123)! + controls.layout.point(name)!.offset;
    expect(dev.writeRegisters(at('WMaxLimPct'), [60])).toBeUndefined();
    expect(controls.get('WMaxLimPct')).toBe(60);
    expect(applied).toEqual([60]);
    expect(dev.writeRegisters(at('WMaxLimPct'), [101])).toBe(ExceptionCode.IllegalDataValue);
    expect(controls.get('WMaxLimPct')).toBe(60);
    // Enable is an enum16 {0,1}: 7 is not a symbol. The whole request fails, WMaxLimPct stays.
    expect(dev.writeRegisters(at('WMaxLimPct'), [50, 0, 0, 0, 7])).toBe(ExceptionCode.IllegalDataValue);
    expect(controls.get('WMaxLimPct')).toBe(60);
    expect(dev.writeRegisters(at('WMaxLimPct'), [50, 0, 0, 0, 1])).toBeUndefined();
    expect(controls.get('WMaxLim_Ena')).toBe(1);
    expect(dev.writeRegisters(at('WMaxLimPct_SF'), [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(dev.addressOf(101)! + 14, [5])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(40000, [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(dev.addressOf(123)!, [123])).toBe(ExceptionCode.IllegalDataAddress);
  });

  it('refuses a write that covers half of a 32-bit point', () => {
    const m = SunSpecModel.load(704, { scaleFactors: { WSet_SF: 0 } });
    const dev = new SunSpecDevice({ models: [common(), m] });
    const at = dev.addressOf(704)! + m.layout.point('WSet')!.offset;
    expect(dev.writeRegisters(at + 1, [5])).toBe(ExceptionCode.IllegalDataAddress);
    expect(dev.writeRegisters(at, [0, 5])).toBeUndefined();
    expect(m.get('WSet')).toBe(5);
  });

  it('refreshes a model before a read that touches it', () => {
    let calls = 0;
    const m = SunSpecModel.load(101, { scaleFactors: { W_SF: 0 }, onRead: () => { calls++; m.set('W', 1000 + calls); } });
    const dev = new SunSpecDevice({ models: [common(), m] });
    const wAt = dev.addressOf(101)! + m.layout.point('W')!.offset;
    expect((dev.readHoldingRegisters(wAt, 1) as Uint16Array)[0]).toBe(1001);
    dev.readHoldingRegisters(40000, 4);
    expect(calls).toBe(1);
  });

  it('refreshes only the live points a read covers, and a partial read returns what a whole read returns', () => {
    const calls: string[] = [];
    let w = 1000;
    const live = (name: string, v: () => number) => [name, () => (calls.push(name), v())] as const;
    const m = SunSpecModel.load(101, {
      scaleFactors: { W_SF: 1, Hz_SF: -2 },
      live: [live('W', () => w), live('Hz', () => 50.02), ['WH', () => 123456789n, 'raw']],
    });
    const dev = new SunSpecDevice({ models: [common(), m] });
    const at = dev.addressOf(101)!;
    const wAt = at + m.layout.point('W')!.offset;
    expect(Array.from(dev.readHoldingRegisters(wAt, 1) as Uint16Array)).toEqual([100]); // 1000 / 10^1
    expect(calls).toEqual(['W']);
    calls.length = 0;
    w = 2345;
    const whole = Array.from(dev.readHoldingRegisters(at, m.registers.length) as Uint16Array);
    expect(calls).toEqual(['W', 'Hz']); // WH is raw: refreshed without a call log, but refreshed
    expect(m.getRaw('WH')).toBe(123456789);
    expect(m.get('W')).toBe(2350); // rounded to the scale factor
    for (let from = 0; from < m.registers.length; from += 7) {
      const n = Math.min(9, m.registers.length - from);
      expect(Array.from(dev.readHoldingRegisters(at + from, n) as Uint16Array)).toEqual(whole.slice(from, from + n));
    }
  });

  it('a live refresh stores what set() and setRaw() store, for every scale factor, value and integer point type', () => {
    // Model 103: int16/uint16/acc32/uint32/enum16/bitfield32 points, scale factors in sunssf registers; W_SF given
    // as a constant would be a number `sf` in other models, so 1 (DER) has constant exponents checked through set().
    const names = ['A', 'PhVphA', 'W', 'Hz', 'PF', 'WH', 'DCW', 'TmpCab', 'St', 'Evt1'];
    const values = [0, 1, -1, 0.05, 12.345, -7.5, 230.1, 49.99, 65535, 70000, -40000, 2 ** 31, 1e12, NaN, Infinity];
    for (const sf of [-3, -2, -1, 0, 1, 2]) {
      for (const v of values) {
        const scaleFactors = { A_SF: sf, V_SF: sf, W_SF: sf, Hz_SF: sf, PF_SF: sf, WH_SF: sf, DCW_SF: sf, Tmp_SF: sf };
        const live = SunSpecModel.load(103, { scaleFactors, live: names.map((n) => [n, () => v] as const) });
        const raw = SunSpecModel.load(103, { scaleFactors, live: names.map((n) => [n, () => v, 'raw'] as const) });
        const bySet = SunSpecModel.load(103, { scaleFactors });
        const byRaw = SunSpecModel.load(103, { scaleFactors });
        live.refresh();
        for (const n of names) bySet.set(n, v);
        expect({ sf, v, regs: Array.from(live.registers) }).toEqual({ sf, v, regs: Array.from(bySet.registers) });
        // A raw value that is not finite is refused by both (EncodeError), as before.
        if (!Number.isFinite(v)) {
          expect(() => raw.refresh()).toThrow(/is not a finite number/);
          expect(() => byRaw.setRaw('A', v)).toThrow(/is not a finite number/);
          continue;
        }
        raw.refresh();
        for (const n of names) byRaw.setRaw(n, v);
        expect({ sf, v, regs: Array.from(raw.registers) }).toEqual({ sf, v, regs: Array.from(byRaw.registers) });
      }
    }
    // A scale factor not implemented: the refresh throws as set() does, naming the point.
    const unset = SunSpecModel.load(103, { live: [['W', () => 5]] });
    expect(() => unset.refresh()).toThrow(/point W: scale factor W_SF is not set/);
  });

  it('refreshes every live point before an onRead hook (which may read any of them)', () => {
    const m: SunSpecModel = SunSpecModel.load(101, {
      scaleFactors: { W_SF: 0, VA_SF: 0 },
      live: [['W', () => 777]],
      onRead: () => m.set('VA', m.get('W') as number),
    });
    const dev = new SunSpecDevice({ models: [common(), m] });
    const vaAt = dev.addressOf(101)! + m.layout.point('VA')!.offset;
    expect(Array.from(dev.readHoldingRegisters(vaAt, 1) as Uint16Array)).toEqual([777]);
  });

  it('answers ServerDeviceFailure when a refresh throws, and reads NaN as not implemented', () => {
    const errors: unknown[] = [];
    let mode: 'nan' | 'throw' = 'nan';
    const m = SunSpecModel.load(101, {
      scaleFactors: { W_SF: 0 },
      onRead: () => {
        if (mode === 'throw') throw new Error('sensor gone');
        m.set('W', Number.NaN);
      },
    });
    const dev = new SunSpecDevice({ models: [common(), m], onHandlerError: (e) => errors.push(e) });
    const wAt = dev.addressOf(101)! + m.layout.point('W')!.offset;
    expect(Array.from(dev.readHoldingRegisters(wAt, 1) as Uint16Array)).toEqual([0x8000]);
    mode = 'throw';
    expect(dev.readHoldingRegisters(wAt, 1)).toBe(ExceptionCode.ServerDeviceFailure);
    expect(errors).toHaveLength(1);
  });

  it('answers ServerDeviceFailure when a handler throws, and reports the error', () => {
    const errors: unknown[] = [];
    const m = SunSpecModel.load(123, { handler: { apply: () => { throw new Error('boom'); } } });
    const dev = new SunSpecDevice({ models: [common(), m], onHandlerError: (e) => errors.push(e) });
    expect(dev.writeRegisters(dev.addressOf(123)! + 4, [1])).toBe(ExceptionCode.ServerDeviceFailure);
    expect(errors).toHaveLength(1);
  });
});
