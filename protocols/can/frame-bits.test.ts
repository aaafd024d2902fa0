import { makeFrame } from './frame';
import { arbitrationKey, countStuffBits, crc15, frameBits, frameDurationMs } from './frame-bits';

describe('frameBits', () => {
  it('counts unstuffed lengths as PROTOCOLS.md gives them (8-byte std 111, ext 131)', () => {
    expect(frameBits(makeFrame(0x123, new Array(8).fill(0)), 'none')).toBe(111);
    expect(frameBits(makeFrame(0x1234567, new Array(8).fill(0)), 'none')).toBe(131);
    expect(frameBits(makeFrame(0x123, []), 'none')).toBe(47);
    // A remote frame carries no data field whatever its dlc.
    expect(frameBits(makeFrame(0x123, [], { rtr: true, dlc: 8 }), 'none')).toBe(47);
  });

  it('adds worst-case stuff bits (8-byte std about 135)', () => {
    expect(frameBits(makeFrame(0x123, new Array(8).fill(0)), 'worst')).toBe(135);
    expect(frameBits(makeFrame(0x1234567, new Array(8).fill(0)), 'worst')).toBe(131 + 29);
  });

  it('computes exact stuffing from the frame bits, between none and worst', () => {
    const zeros = makeFrame(0x000, new Array(8).fill(0));
    const alternating = makeFrame(0x555, new Array(8).fill(0x55));
    const exactZeros = frameBits(zeros, 'exact');
    const exactAlt = frameBits(alternating, 'exact');
    expect(exactZeros).toBeGreaterThan(111 + 15); // long runs of dominant bits: a stuff bit every 4-5 bits
    expect(exactZeros).toBeLessThanOrEqual(135);
    expect(exactAlt).toBeLessThan(exactZeros);
    expect(exactAlt).toBeGreaterThanOrEqual(111);
    for (let i = 0; i < 200; i++) {
      const len = i % 9;
      const f = makeFrame((i * 2654435761) % 0x800, Array.from({ length: len }, (_, k) => (i * 31 + k * 97) & 0xff));
      const bits = frameBits(f, 'exact');
      expect(bits).toBeGreaterThanOrEqual(frameBits(f, 'none'));
      expect(bits).toBeLessThanOrEqual(frameBits(f, 'worst'));
    }
  });

  it('counts a stuff bit after five equal bits, and the stuff bit starts the next run', () => {
    expect(countStuffBits([0, 0, 0, 0])).toBe(0);
    expect(countStuffBits([0, 0, 0, 0, 0])).toBe(1);
    // 00000 [1] 1111 -> the inserted 1 plus four 1s is another run of five.
    expect(countStuffBits([0, 0, 0, 0, 0, 1, 1, 1, 1])).toBe(2);
    expect(countStuffBits([1, 0, 1, 0, 1, 0, 1, 0])).toBe(0);
  });

  it('CRC-15 leaves a zero remainder when appended to its message', () => {
    const msg = [0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1];
    const crc = crc15(msg);
    const bits = [...msg];
    for (let i = 14; i >= 0; i--) bits.push((crc >> i) & 1);
    expect(crc).not.toBe(0);
    expect(crc15(bits)).toBe(0);
  });

  it('gives wire time in ms', () => {
    expect(frameDurationMs(makeFrame(0x123, new Array(8).fill(0)), 500_000, 'none')).toBeCloseTo(0.222, 9);
  });
});

describe('arbitrationKey', () => {
  it('orders like CAN arbitration: lower id first, std data < std remote < extended with the same base id', () => {
    const frames = [
      makeFrame(0x101, []),
      makeFrame(0x100 << 18, [], { extended: true }),
      makeFrame(0x100, [], { rtr: true }),
      makeFrame((0x100 << 18) | 1, [], { extended: true }),
      makeFrame(0x100, []),
      makeFrame(0x0ff, [], { rtr: true }),
    ];
    const order = [...frames].sort((x, y) => arbitrationKey(x) - arbitrationKey(y)).map((f) => frames.indexOf(f));
    expect(order).toEqual([5, 4, 2, 1, 3, 0]);
  });
});
