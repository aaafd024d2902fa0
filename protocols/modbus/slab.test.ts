import { slabBytes, slabWords } from './slab';

describe('slab arrays', () => {
  it('are zero-filled, of the length asked, and never share bytes with another array', () => {
    const arrays: Array<Uint8Array | Uint16Array> = [];
    // Enough to fill several 16 KiB slabs, of sizes on and around the carving limits.
    for (let i = 0; i < 600; i++) arrays.push(i % 2 ? slabBytes(65 + (i % 70)) : slabWords(33 + (i % 40)));
    arrays.push(slabBytes(8), slabBytes(5000), slabWords(4), slabWords(1000));
    arrays.forEach((a, k) => {
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(k % 200);
    });
    arrays.forEach((a, k) => expect(a.every((v) => v === k % 200)).toBe(true));
    expect(arrays[1]).toHaveLength(66);
    expect(arrays[0]).toHaveLength(33);
    expect(arrays[0]).toBeInstanceOf(Uint16Array);
  });

  it('keep their own window of the shared buffer (byteOffset and byteLength)', () => {
    const a = slabBytes(100);
    const b = slabBytes(100);
    a.fill(1);
    b.fill(2);
    expect([...Buffer.from(a.buffer, a.byteOffset, a.byteLength)]).toEqual(new Array(100).fill(1));
    expect(a.byteLength).toBe(100);
    expect(a.buffer === b.buffer ? Math.abs(a.byteOffset - b.byteOffset) >= 100 : true).toBe(true);
  });
});
