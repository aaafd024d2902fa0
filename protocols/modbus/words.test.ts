import { EncodeError } from '../../core/errors';
import { fromWords, stringToWords, toWords, wordCount, wordsToString } from './words';

describe('register words', () => {
  it('encodes and decodes each type in both word orders', () => {
    expect(toWords('u16', 0xabcd)).toEqual([0xabcd]);
    expect(toWords('s16', -1)).toEqual([0xffff]);
    expect(toWords('u32', 0x12345678)).toEqual([0x1234, 0x5678]);
    expect(toWords('u32', 0x12345678, true)).toEqual([0x5678, 0x1234]);
    expect(toWords('s32', -70000)).toEqual([0xfffe, 0xee90]);
    expect(toWords('float32', -1.5)).toEqual([0xbfc0, 0]);
    for (const [type, v] of [['u16', 65535], ['s16', -32768], ['u32', 4294967295], ['s32', -2147483648], ['float32', 0.25]] as const) {
      for (const swap of [false, true]) expect(fromWords(type, toWords(type, v, swap), swap)).toBe(v);
    }
    expect(Number.isNaN(fromWords('float32', [0x7fc0, 0]))).toBe(true);
    expect(wordCount('s32')).toBe(2);
  });

  it('rejects values that do not fit', () => {
    expect(() => toWords('u16', -1)).toThrow(EncodeError);
    expect(() => toWords('s16', 40000)).toThrow(EncodeError);
    expect(() => toWords('u32', 2 ** 32)).toThrow(EncodeError);
    expect(() => toWords('s32', 1.5)).toThrow(EncodeError);
    expect(() => stringToWords('toolong', 3)).toThrow(EncodeError);
  });

  it('packs strings high byte first, NUL padded', () => {
    expect(stringToWords('abc', 3)).toEqual([0x6162, 0x6300, 0]);
    expect(wordsToString([0x6162, 0x6300, 0])).toBe('abc');
    expect(wordsToString([0x6162])).toBe('ab');
  });
});
