import { ExceptionCode } from './device';
import { ModbusServerCore } from './server-core';
import { rangeValidator, RegisterMap, type WriteEvent } from './register-map';

describe('RegisterMap', () => {
  function build(): RegisterMap {
    return new RegisterMap()
      .addRegisters({ table: 'holding', start: 100, values: [1, 2, 3, 4], name: 'a' })
      .addRegisters({ table: 'holding', start: 104, length: 4, name: 'b', validate: rangeValidator(0, 1000) })
      .addRegisters({ table: 'holding', start: 200, values: [7, 8], access: 'ro', name: 'ro' })
      .addRegisters({ table: 'input', start: 0, values: [10, 11, 12] })
      .addBits({ table: 'coils', start: 0, length: 10 })
      .addBits({ table: 'discrete', start: 5, values: [true, false, true] });
  }

  it('reads across adjacent blocks, and gaps are IllegalDataAddress', () => {
    const m = build();
    expect(Array.from(m.readHoldingRegisters(102, 4) as ArrayLike<number>)).toEqual([3, 4, 0, 0]);
    expect(m.readHoldingRegisters(99, 2)).toBe(ExceptionCode.IllegalDataAddress);
    expect(m.readHoldingRegisters(107, 2)).toBe(ExceptionCode.IllegalDataAddress);
    expect(m.readHoldingRegisters(150, 1)).toBe(ExceptionCode.IllegalDataAddress);
    expect(Array.from(m.readInputRegisters(1, 2) as ArrayLike<number>)).toEqual([11, 12]);
    expect(m.readDiscreteInputs(5, 3)).toEqual([true, false, true]);
    expect(m.readDiscreteInputs(4, 1)).toBe(ExceptionCode.IllegalDataAddress);
  });

  it('a read result is a snapshot, not a live view', () => {
    const m = build();
    const r = m.readHoldingRegisters(100, 2) as ArrayLike<number>;
    m.set('holding', 100, [9]);
    expect(Array.from(r)).toEqual([1, 2]);
  });

  it('multi-block writes are atomic: one rejected value changes nothing; listeners see committed writes', () => {
    const m = build();
    const seen: WriteEvent[] = [];
    const off = m.onWrite((e) => seen.push(e));
    expect(m.writeRegisters(102, [50, 51, 52, 2000])).toBe(ExceptionCode.IllegalDataValue);
    expect(m.get('holding', 100, 8)).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    expect(seen).toEqual([]);
    expect(m.writeRegisters(102, [50, 51, 52, 999])).toBeUndefined();
    expect(m.get('holding', 100, 8)).toEqual([1, 2, 50, 51, 52, 999, 0, 0]);
    expect(seen).toEqual([{ table: 'holding', address: 102, values: [50, 51, 52, 999] }]);
    off();
    m.writeRegisters(100, [5]);
    expect(seen).toHaveLength(1);
  });

  it('read-only registers and inputs refuse master writes but accept local ones', () => {
    const m = build();
    expect(m.writeRegisters(200, [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(m.writeRegisters(199, [1, 2])).toBe(ExceptionCode.IllegalDataAddress);
    m.set('holding', 200, [42]);
    expect(m.get('holding', 200)).toEqual([42]);
    expect(() => m.set('holding', 150, [1])).toThrow(RangeError);
    expect(() => m.set('holding', 100, [70000])).toThrow(RangeError);
  });

  it('read hooks refresh values before a read or refuse it', () => {
    let n = 0;
    const m = new RegisterMap();
    m.addRegisters({
      table: 'input',
      start: 0,
      length: 2,
      onRead: () => {
        n++;
        if (n === 3) return ExceptionCode.ServerDeviceBusy;
        m.set('input', 0, [n, n * 10]);
        return undefined;
      },
    });
    expect(Array.from(m.readInputRegisters(0, 2) as ArrayLike<number>)).toEqual([1, 10]);
    expect(Array.from(m.readInputRegisters(1, 1) as ArrayLike<number>)).toEqual([20]);
    expect(m.readInputRegisters(0, 1)).toBe(ExceptionCode.ServerDeviceBusy);
  });

  it('typed values in both word orders, and strings', () => {
    const m = new RegisterMap().addRegisters({ table: 'holding', start: 0, length: 20 });
    m.setValue('holding', 0, 'float32', 230.5);
    expect(m.get('holding', 0, 2)).toEqual([0x4366, 0x8000]);
    m.setValue('holding', 2, 'float32', 230.5, true);
    expect(m.get('holding', 2, 2)).toEqual([0x8000, 0x4366]);
    expect(m.getValue('holding', 2, 'float32', true)).toBe(230.5);
    m.setValue('holding', 4, 's32', -2);
    expect(m.get('holding', 4, 2)).toEqual([0xffff, 0xfffe]);
    expect(m.getValue('holding', 4, 's32')).toBe(-2);
    m.setValue('holding', 6, 'u32', 0x12345678);
    expect(m.getValue('holding', 6, 'u32')).toBe(0x12345678);
    m.setValue('holding', 8, 's16', -300);
    expect(m.getValue('holding', 8, 's16')).toBe(-300);
    expect(m.getValue('holding', 8, 'u16')).toBe(65236);
    m.setString('holding', 10, 4, 'SunS');
    expect(m.get('holding', 10, 4)).toEqual([0x5375, 0x6e53, 0, 0]);
    expect(m.getString('holding', 10, 4)).toBe('SunS');
    expect(() => m.setValue('holding', 0, 'u16', 70000)).toThrow('does not fit u16');
  });

  it('map-level word swap', () => {
    const m = new RegisterMap({ wordSwap: true }).addRegisters({ table: 'holding', start: 0, length: 2 });
    m.setValue('holding', 0, 'u32', 0x00010002);
    expect(m.get('holding', 0, 2)).toEqual([2, 1]);
  });

  it('rejects overlapping or out-of-range blocks', () => {
    const m = new RegisterMap().addRegisters({ table: 'holding', start: 10, length: 5, name: 'x' });
    expect(() => m.addRegisters({ table: 'holding', start: 14, length: 2 })).toThrow('overlaps x');
    expect(() => m.addRegisters({ table: 'holding', start: 65535, length: 2 })).toThrow(RangeError);
    expect(() => m.addRegisters({ table: 'input', start: 10, length: 5 })).not.toThrow();
  });

  it('serves a core end to end: coils FC15/FC1, identification only when given', () => {
    const core = new ModbusServerCore();
    const m = build();
    core.addUnit(1, m);
    const ctx = { transport: 'tcp' as const, unitId: 1 };
    expect(Buffer.from(core.handle(Uint8Array.of(15, 0, 1, 0, 3, 1, 0b101), ctx).pdu!).toString('hex')).toBe('0f00010003');
    expect(m.getBits('coils', 0, 4)).toEqual([false, true, false, true]);
    expect(Buffer.from(core.handle(Uint8Array.of(1, 0, 0, 0, 4), ctx).pdu!).toString('hex')).toBe('01010a');
    expect(Buffer.from(core.handle(Uint8Array.of(43, 14, 1, 0), ctx).pdu!).toString('hex')).toBe('ab01');
    m.setIdentification({ vendorName: 'V', productCode: 'P', majorMinorRevision: '1' });
    expect(Buffer.from(core.handle(Uint8Array.of(43, 14, 1, 0), ctx).pdu!).toString('hex')).toBe('2b0e01820000030001560101500201' + '31');
  });
});
