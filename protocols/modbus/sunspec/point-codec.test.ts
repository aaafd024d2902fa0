import { decodeRaw, encodeRaw, encodeIntInto, encodeSmallInto, notImplementedRegisters, rawRange, smallIntEncoding } from './point-codec';
import type { SunSpecPointType } from './model-def';

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

  describe('16- and 32-bit integers without bigint (the hot path of a device refreshed on every read)', () => {
    const types: Array<[SunSpecPointType, number]> = [
      ['int16', 1], ['uint16', 1], ['count', 1], ['acc16', 1], ['enum16', 1], ['bitfield16', 1], ['sunssf', 1], ['pad', 1],
      ['int32', 2], ['uint32', 2], ['acc32', 2], ['enum32', 2], ['bitfield32', 2],
    ];
    const values = [0, 1, -1, 0.5, -0.5, 1.5, 2.4999, 32767, 32768, -32767, -32768, -32769, 65534, 65535, 65536, 70000, -70000,
      2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 5, 1e15, -1e15, 1e20];

    it('writes exactly the registers encodeRaw returns, in place', () => {
      for (const [type, size] of types) {
        for (const v of values) {
          const regs = new Uint16Array(size + 2).fill(0xabcd);
          expect(encodeIntInto(type, v, regs, 1)).toBe(true);
          expect({ type, v, regs: Array.from(regs) }).toEqual({ type, v, regs: [0xabcd, ...encodeRaw(type, size, v, 'x'), 0xabcd] });
        }
      }
    });

    it('a resolved encoding (smallIntEncoding, encodeSmallInto) writes what encodeIntInto writes', () => {
      for (const [type, size] of types) {
        const enc = smallIntEncoding(type)!;
        expect(enc).toBeDefined();
        for (const v of values) {
          const fast = new Uint16Array(size + 2).fill(0xabcd);
          const slow = new Uint16Array(size + 2).fill(0xabcd);
          encodeSmallInto(enc, v, fast, 1);
          encodeIntInto(type, v, slow, 1);
          expect({ type, v, regs: Array.from(fast) }).toEqual({ type, v, regs: Array.from(slow) });
        }
      }
      for (const type of ['acc64', 'uint64', 'int64', 'float32', 'string'] as const) expect(smallIntEncoding(type)).toBeUndefined();
    });

    it('writes 64-bit counters in 0..2^53-1 exactly as encodeRaw does', () => {
      for (const type of ['acc64', 'uint64', 'int64'] as const) {
        for (const v of [0, 1, 0.4, 65535, 65536, 2 ** 32 + 7, 2 ** 48 + 3, Number.MAX_SAFE_INTEGER, 0n, 123456789012n, BigInt(Number.MAX_SAFE_INTEGER)]) {
          const regs = new Uint16Array(6).fill(0xabcd);
          expect(encodeIntInto(type, v, regs, 1)).toBe(true);
          expect({ type, v, regs: Array.from(regs) }).toEqual({ type, v, regs: [0xabcd, ...encodeRaw(type, 4, v, 'x'), 0xabcd] });
        }
      }
    });

    it('leaves what it does not handle to encodeRaw, writing nothing', () => {
      const regs = new Uint16Array(4).fill(7);
      const outside = [['uint64', -1], ['int64', -5n], ['acc64', 2 ** 53], ['uint64', 2n ** 60n], ['acc64', NaN]] as const;
      for (const [type, v] of [['int16', null], ['int16', NaN], ['uint32', Infinity], ['float32', 1.5], ['string', 'A'], ['int32', 5n], ...outside] as const) {
        expect(encodeIntInto(type, v, regs, 0)).toBe(false);
      }
      expect(Array.from(regs)).toEqual([7, 7, 7, 7]);
    });

    it('decodes every register pattern as the two-complement reading of PROTOCOLS.md', () => {
      // Reference: big-endian words as one unsigned integer, two's complement for signed types, the type's
      // not-implemented pattern (0 for accumulators) as null.
      const na: Record<string, number> = { int16: 0x8000, sunssf: 0x8000, pad: 0x8000, int32: 0x80000000 };
      const patterns = [0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff];
      for (const [type, size] of types) {
        const signed = type.startsWith('int') || type === 'sunssf';
        const full = size === 1 ? 0xffff : 0xffffffff;
        const naPattern = type.startsWith('acc') ? 0 : (na[type] ?? full);
        const words: number[][] = size === 1 ? patterns.map((p) => [p]) : patterns.flatMap((a) => patterns.map((b) => [a, b]));
        for (const w of words) {
          const u = size === 1 ? w[0]! : w[0]! * 65536 + w[1]!;
          const expected = u === naPattern ? null : signed && u > full / 2 ? u - full - 1 : u;
          expect({ type, w, v: decodeRaw(type, w, 0, size) }).toEqual({ type, w, v: expected });
        }
      }
    });
  });
});
