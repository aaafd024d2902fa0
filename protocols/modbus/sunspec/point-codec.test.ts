import { decodeRaw, encodeRaw, notImplementedRegisters, rawRange } from './point-codec';

describe('SunSpec point codec', () => {
  it('writes the not-implemented patterns of PROTOCOLS.md', () => {
    expect(notImplementedRegisters('int16', 1)).toEqual([0x8000]);
    expect(notImplementedRegisters('uint16', 1)).toEqual([0xffff]);
    expect(notImplementedRegisters('acc32', 2)).toEqual([0, 0]);
    expect(notImplementedRegisters('sunssf', 1)).toEqual([0x8000]);
    expect(notImplementedRegisters('float32', 2)).toEqual([0x7fc0, 0x0000]);
    expect(notImplementedRegisters('string', 3)).toEqual([0, 0, 0]);
    expect(notImplementedRegisters('uint32', 2)).toEqual([0xffff, 0xffff]);
    expect(notImplementedRegisters('int32', 2)).toEqual([0x8000, 0]);
  });

  it('reads the not-implemented patterns back as null', () => {
    for (const [type, size] of [['int16', 1], ['uint16', 1], ['acc64', 4], ['float32', 2], ['string', 4], ['bitfield32', 2], ['uint64', 4]] as const) {
      expect(decodeRaw(type, notImplementedRegisters(type, size), 0, size)).toBeNull();
    }
  });

  it('round-trips signed, unsigned, 64-bit, float and string values big-endian', () => {
    expect(encodeRaw('int16', 1, -2, 'x')).toEqual([0xfffe]);
    expect(decodeRaw('int16', [0xfffe], 0, 1)).toBe(-2);
    expect(encodeRaw('int32', 2, -70000, 'x')).toEqual([0xfffe, 0xee90]);
    expect(decodeRaw('int32', [0xfffe, 0xee90], 0, 2)).toBe(-70000);
    expect(encodeRaw('uint32', 2, 0x12345678, 'x')).toEqual([0x1234, 0x5678]);
    expect(decodeRaw('acc64', encodeRaw('acc64', 4, 123456789012n, 'x'), 0, 4)).toBe(123456789012n);
    expect(decodeRaw('float32', encodeRaw('float32', 2, 1.5, 'x'), 0, 2)).toBe(1.5);
    expect(encodeRaw('string', 2, 'Abc', 'x')).toEqual([0x4162, 0x6300]);
    expect(decodeRaw('string', [0x4162, 0x6300], 0, 2)).toBe('Abc');
  });

  it('saturates out-of-range values short of the not-implemented pattern, and wraps accumulators', () => {
    expect(encodeRaw('uint16', 1, 70000, 'x')).toEqual([0xfffe]);
    expect(encodeRaw('int16', 1, -40000, 'x')).toEqual([0x8001]);
    expect(rawRange('int16')).toEqual({ min: -32767n, max: 32767n });
    expect(encodeRaw('acc32', 2, 2 ** 32 + 5, 'x')).toEqual([0, 5]);
  });

  it('names the point in encode errors', () => {
    expect(() => encodeRaw('string', 1, 'toolong', 'model 1 point Mn')).toThrow(/model 1 point Mn.*longer than 2/);
    expect(() => encodeRaw('uint16', 1, 'a', 'model 1 point DA')).toThrow(/model 1 point DA/);
  });
});
